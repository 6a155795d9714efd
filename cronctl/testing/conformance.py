"""The target conformance kit: what every target must do the same way, checked through the
registry and the Target interface alone, so a built-in target and one installed from outside
(the `cronctl.targets` entry points) are held to the same contract.

    from cronctl.testing import conformance

    @pytest.mark.parametrize("check", conformance.CHECKS, ids=conformance.ids)
    def test_ledger_conforms(check, tmp_path):
        check(conformance.Case.make("ledger", tmp_path))

or all at once: `conformance.check("ledger", tmp_path)` (an AssertionError lists what failed).

The case is a schedules.yaml with the target's example jobs: its plugin's `example` (a
function returning the `jobs:` mapping and, optionally, its settings), else two HTTP jobs and a
paused one. Nothing here talks to a provider: a service target is checked on its pure parts
(its normal form, its plan rules, its dialect, its capabilities); a file target also writes its
files into the case's folder and must then read them back as planned (a second run changes
nothing), with no secret in them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import targets as registry
from ..targets import capabilities
from ..targets.base import Target

SECRET = "conformance-secret-4f2b9c"
ENV = {"CRON_SECRET": SECRET, "APP_URL": "https://app.example.com"}


def default_example(name: str) -> dict[str, Any]:
    return {"jobs": {
        "alpha": {"target": name, "path": "/api/cron/alpha", "schedule": "17 3 * * *"},
        "beta": {"target": name, "path": "/api/cron/beta", "schedule": "41 */6 * * 1-5"},
        "gamma": {"target": name, "path": "/api/cron/gamma", "schedule": "7 4 1 * *",
                  "enabled": False}}}


@dataclass
class Case:
    """One target, its example file in a folder, loaded."""

    name: str
    folder: Path
    plugin: Any
    example: dict

    @classmethod
    def make(cls, name: str, folder: Path) -> Case:
        plugin = registry.plugin(name)
        make = plugin.ref("example") if plugin.example else None
        example = make() if make else default_example(name)
        case = cls(name, Path(folder), plugin, example)
        case.write(example)
        return case

    def write(self, example: dict, file: str = "schedules.yaml") -> Path:
        doc = {"version": 1, "project": "conformance", "base_url": "${APP_URL}"}
        if example.get("settings") is not None and self.plugin.settings_key:
            doc[self.plugin.settings_key] = example["settings"]
        doc["jobs"] = example["jobs"]
        path = self.folder / file
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return path

    def config(self, example: dict | None = None):
        from ..config import load_config

        path = self.write(example) if example is not None else self.folder / "schedules.yaml"
        return load_config(path, dict(ENV))

    def target(self, config=None) -> Target:
        return registry.target_class(self.name)(config or self.config(), None)

    def with_job(self, job: str, **changes: Any) -> dict:
        example = {**self.example, "jobs": {k: dict(v) for k, v in self.example["jobs"].items()}}
        example["jobs"][job].update(changes)
        return example


def _plan(target: Target, desired: list, live: list, **kw: Any):
    return target.plan(desired, live, **kw)


def _actions(plan) -> list[tuple[str, str]]:
    return sorted((c.action, c.job) for c in plan.changes)


# -- the checks -----------------------------------------------------------------------------------
def plugin_is_whole(case: Case) -> None:
    """The plugin names a Target of the same name, a job model, a dialect and rules."""
    from ..config.model import JobFields
    from ..cron import Dialect

    p = case.plugin
    cls = p.ref("target")
    assert issubclass(cls, Target), f"{p.name}: target is not a Target"
    assert cls.name == p.name, f"{p.name}: its Target says name {cls.name!r}"
    assert p.title and cls.title, f"{p.name}: no title"
    assert issubclass(p.ref("job_model"), JobFields), f"{p.name}: job_model is not JobFields"
    assert isinstance(p.ref("dialect")(registry.settings_of(case.config(), p.name)), Dialect)
    rules = p.ref("validate") if p.validate else None
    assert rules is None or callable(getattr(rules, "job", None)), f"{p.name}: validate.job"


def example_is_valid(case: Case) -> None:
    """Its example file loads (every rule, with file and line, passes) and every job's
    schedule fires in its own dialect."""
    config = case.config()
    jobs = config.jobs_for(case.name)
    assert len(jobs) == len(case.example["jobs"]), "the example's jobs are not the target's"
    for job in jobs:
        dialect = registry.dialect_of(config, job)
        errors = [p for p in dialect.validate(job.schedule, job.timezone) if p.severity == "error"]
        assert not errors, (job.name, errors)
        assert dialect.next_runs(job.schedule, job.timezone, 2), f"{job.name} never fires"


def desired_is_keyed_by_job(case: Case) -> None:
    """A desired spec per job (a target with no paused state may leave a disabled job out);
    its key is owned and names the job, both ways."""
    target = case.target()
    desired = target.desired()
    keys = [target.key(s) for s in desired]
    named = sorted(target.job_name(k) for k in keys)
    assert set(named) <= {j.name for j in target.jobs}, named
    assert {j.name for j in target.jobs if j.enabled} <= set(named), named
    for key in keys:
        assert target.owns(key), f"{key}: a desired spec the target does not own"
        expected = target.key_for(target.job_name(key))
        assert expected in (None, key), f"key_for({target.job_name(key)!r}) is {expected!r}"


def plans_creates_from_nothing(case: Case) -> None:
    """From nothing, a create per desired spec (and its requests are what the changes cost)."""
    target = case.target()
    desired = target.desired()
    plan = _plan(target, desired, [])
    assert _actions(plan) == sorted(("create", target.job_name(target.key(d)))
                                    for d in desired)
    assert plan.requests == sum(c.cost for c in plan.changes)


def plan_is_idempotent(case: Case) -> None:
    """The normal form compared with itself differs in nothing: after a sync, no change."""
    target = case.target()
    desired = target.desired()
    for spec in desired:
        assert target.differences(spec, spec) == (), target.key(spec)
    if not target.is_file:
        plan = _plan(target, desired, desired)
        assert plan.changes == [] and sorted(plan.unchanged) == sorted(
            target.job_name(target.key(d)) for d in desired)


def prunes_and_keeps(case: Case) -> None:
    """A job gone from the file is deleted, or kept with --no-prune."""
    target, live = _live(case)
    names = sorted(target.job_name(target.key(s)) for s in live if target.owns(target.key(s)))
    assert names, "nothing live to prune"
    gone = _plan(target, [], live)
    assert _actions(gone) == [("delete", n) for n in names], _actions(gone)
    target, live = _live(case)
    kept = _plan(target, [], live, prune=False)
    assert kept.changes == [] and sorted(kept.kept) == names


def pauses_and_resumes(case: Case) -> None:
    """enabled: false changes that job alone: a pause (or, for a target with no paused state,
    the delete of its item); enabled again, a resume (or a create)."""
    first = next(n for n, j in case.example["jobs"].items() if j.get("enabled", True))
    _, before = _live(case)
    target = case.target(case.config(case.with_job(first, enabled=False)))
    if target.is_file:
        target.populate()  # a file target plans against the file it read
    paused = _plan(target, target.desired(), before)
    assert _actions(paused) in ([("pause", first)], [("delete", first)]) or (
        len(paused.changes) == 1 and paused.changes[0].action == "delete"), _actions(paused)
    case.write(case.example)


def files_round_trip(case: Case) -> None:
    """A file target: what it writes it reads back as planned (nothing left to change), and
    no secret value is in its files."""
    target = case.target()
    if not target.is_file:
        return
    again, live = _live(case)
    plan = _plan(again, again.desired(), live)
    assert plan.changes == [] and not plan.changed_artifacts, _actions(plan)
    for path in case.folder.rglob("*"):
        if path.is_file() and path.name != "schedules.yaml":
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


def capabilities_are_whole(case: Case) -> None:
    """Each capability it claims is implemented; each it lacks is the one refusal."""
    from ..errors import UsageError

    target = case.target()
    for cap in (capabilities.Pausable, capabilities.Triggerable, capabilities.RunHistory,
                capabilities.DeadLetters, capabilities.Stats, capabilities.Importable,
                capabilities.Observed):
        if isinstance(target, cap):
            for name, method in vars(cap).items():
                if not callable(method) or name.startswith("_"):
                    continue
                if "NotImplementedError" in inspect.getsource(method):
                    own = getattr(type(target), name)
                    assert own is not method, f"{case.name}: {cap.__name__}.{name} is missing"
        else:
            refusal = target.lacks(cap)
            assert isinstance(refusal, UsageError) and "cronctl cannot" in refusal.message


def schema_has_it(case: Case) -> None:
    from ..schema import build

    schema = build()
    assert case.plugin.ref("job_model").__name__ in schema["$defs"]


def _live(case: Case) -> tuple[Target, list]:
    """A target and its live specs after a sync of the example: a service target's are its
    desired ones; a file target writes its files and reads them back (the same instance
    plans next: it remembers what it read)."""
    target = case.target()
    if not target.is_file:
        return target, target.desired()
    target.apply(_plan(target, target.desired(), target.populate()))
    again = case.target()
    again.desired()  # a target may name its items from the jobs it made them of
    return again, again.populate()


CHECKS: tuple[Callable[[Case], None], ...] = (
    plugin_is_whole, example_is_valid, desired_is_keyed_by_job, plans_creates_from_nothing,
    plan_is_idempotent, prunes_and_keeps, pauses_and_resumes, files_round_trip,
    capabilities_are_whole, schema_has_it)


def ids(check: Callable) -> str:
    return check.__name__


def check(name: str, folder: Path) -> None:
    """Every check on target `name`; an AssertionError names each that failed."""
    failed = []
    for one in CHECKS:
        try:
            one(Case.make(name, folder))
        except AssertionError as exc:
            failed.append(f"{one.__name__}: {exc}")
    assert not failed, f"{name} does not conform:\n" + "\n".join(failed)
