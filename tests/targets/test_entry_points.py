"""Targets from outside cronctl: a distribution with an entry point in the `cronctl.targets`
group is a target with no change to cronctl (issue 29). The first test installs a real tiny
distribution (a dist-info folder and a package) into a temporary folder and runs the real CLI
with it on the path; the others give the registry real `EntryPoint`s that fail."""

from __future__ import annotations

import json
import os
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from cronctl import targets

PLUGIN_SOURCE = '''
"""cronctl-ledger-demo: a target that keeps its schedules in ledger.json."""
import json
from dataclasses import dataclass
from pathlib import Path

from cronctl import cron, targets
from cronctl.config.model import JobFields
from cronctl.config.shape import spec
from cronctl.plan import Artifact, FieldChange
from cronctl.targets.base import ApplyResult, Target


@spec
class LedgerJob(JobFields):
    """A job of the ledger target."""

    path: str | None = None  # type: ignore[assignment]
    command: str
    """What the ledger runs."""


@dataclass(frozen=True)
class Entry:
    key: str
    schedule: str
    command: str


class LedgerTarget(Target):
    name = "ledger"
    title = "Ledger"
    noun = "entries"
    is_file = True

    @property
    def file(self):
        return Path(self.config.path).parent / "ledger.json"

    def desired(self):
        return [Entry(j.name, j.schedule, j.spec) for j in self.jobs]

    def populate(self):
        self.old = self.file.read_text() if self.file.exists() else None
        return [Entry(**e) for e in json.loads(self.old or "[]")]

    def differences(self, live, desired):
        return tuple(FieldChange(f, getattr(live, f), getattr(desired, f))
                     for f in ("schedule", "command") if getattr(live, f) != getattr(desired, f))

    def plan(self, desired, live, **kw):
        plan = super().plan(desired, live, **kw)
        plan.artifact = Artifact(self.file, self.old,
                                 json.dumps([e.__dict__ for e in desired], indent=1) + "\\n")
        return plan

    def _apply(self, plan, *, concurrency, on_done):
        self.file.write_text(plan.artifact.new_text)
        return ApplyResult(wrote=str(self.file))


def _rules_job(rep, base, name, job, ctx):
    for problem in cron.get_dialect("kubernetes").validate(job.schedule):
        rep.add((*base, problem.field), problem.message, hint=problem.hint,
                severity=problem.severity)


class Rules:
    job = staticmethod(_rules_job)


PLUGIN = targets.TargetPlugin(
    name="ledger", title="Ledger", job_model=LedgerJob, target=LedgerTarget,
    build=lambda job, ctx: {"timezone": "UTC", "spec": job.command}, validate=Rules,
    dialect=lambda settings: cron.get_dialect("kubernetes"), noun="ledger job")
'''

FILE = """\
version: 1
project: acme
jobs:
  books:
    target: ledger
    schedule: "0 2 * * *"
    command: ./bin/books
"""


def install(site: Path) -> None:
    """A real distribution, as pip would leave it: a package and its dist-info."""
    (site / "cronctl_ledger_demo").mkdir(parents=True)
    (site / "cronctl_ledger_demo" / "__init__.py").write_text(PLUGIN_SOURCE)
    info = site / "cronctl_ledger_demo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cronctl-ledger-demo\n"
                                   "Version: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[cronctl.targets]\nledger = cronctl_ledger_demo:PLUGIN\n")
    (info / "RECORD").write_text("")


def test_an_installed_distribution_adds_a_target(run_cronctl, tmp_path):
    site, project = tmp_path / "site", tmp_path / "project"
    install(site)
    project.mkdir()
    (project / "schedules.yaml").write_text(FILE)
    without = run_cronctl("validate", cwd=project)
    assert without.code == 2 and "unknown target 'ledger'" in without.err  # the control
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    valid = run_cronctl("validate", cwd=project, env=env)
    assert valid.code == 0, valid.err
    assert "1 ledger job" in valid.out
    applied = run_cronctl("schedule", "--yes", "--json", cwd=project, env=env)
    assert applied.code == 0, applied.err
    assert json.loads((project / "ledger.json").read_text()) == [
        {"key": "books", "schedule": "0 2 * * *", "command": "./bin/books"}]
    schema = json.loads(run_cronctl("schema", cwd=project, env=env).out)
    assert "LedgerJob" in schema["$defs"]


@pytest.fixture
def fresh_registry(monkeypatch):
    """The registry made again on first use, from these entry points."""
    def use(*points: metadata.EntryPoint) -> None:
        real = metadata.entry_points

        def entry_points(**kw):
            if kw.get("group") == targets.GROUP:
                return metadata.EntryPoints(points)
            return real(**kw)

        monkeypatch.setattr(metadata, "entry_points", entry_points)
        monkeypatch.setattr(targets, "_registry", None)
        monkeypatch.setattr(targets, "_version", [targets.version() + 1000])  # models remade

    yield use
    targets._registry = None  # the next user loads the real one again


def test_a_broken_or_clashing_entry_point_is_left_out_and_said(fresh_registry):
    fresh_registry(
        metadata.EntryPoint("missing", "cronctl_no_such_module:PLUGIN", targets.GROUP),
        metadata.EntryPoint("vercel2", "cronctl.targets.vercel.plugin:PLUGIN", targets.GROUP),
        metadata.EntryPoint("notaplugin", "cronctl.targets:names", targets.GROUP))
    assert "vercel" in targets.names() and "missing" not in targets.names()
    broken = targets.broken()
    assert "ModuleNotFoundError" in broken["missing = cronctl_no_such_module:PLUGIN"]
    assert "already registered" in broken["vercel2 = cronctl.targets.vercel.plugin:PLUGIN"]
    assert "not a cronctl.targets.TargetPlugin" in broken["notaplugin = cronctl.targets:names"]


def test_an_entry_point_may_name_a_function_that_returns_the_plugin(fresh_registry, tmp_path,
                                                                    monkeypatch):
    install(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "cronctl_ledger_factory.py").write_text(textwrap.dedent("""
        def plugin():
            from cronctl_ledger_demo import PLUGIN
            return PLUGIN
    """))
    fresh_registry(metadata.EntryPoint("ledger", "cronctl_ledger_factory:plugin",
                                       targets.GROUP))
    assert targets.plugin("ledger").title == "Ledger"
    assert targets.broken() == {}
