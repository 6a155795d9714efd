"""A fourth target is one plugin: this file declares a whole target (its job model, settings,
rules, dialect and Target, a ledger of schedules in a JSON file), registers it, and uses it
through `validate`, `list --local`, `diff`, `schedule` and `schema` without any change to
cronctl. (docs/writing-a-target.md.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from cronctl import cron, targets
from cronctl.config.model import JobFields
from cronctl.config.shape import spec
from cronctl.plan import FieldChange
from cronctl.targets.base import ApplyResult, Target
from cronctl.targets.capabilities import Pausable


# -- the plugin: everything a target declares ---------------------------------------------------
@spec
class LedgerJob(JobFields):
    """A job of the ledger target."""

    path: str | None = None  # type: ignore[assignment]
    timezone: str | None = None
    command: str


@spec
class LedgerSettings:
    file: str = "ledger.json"


@dataclass(frozen=True)
class Entry:  # the target's normal form
    key: str
    schedule: str
    command: str
    paused: bool = False


class LedgerTarget(Pausable, Target):
    name = "ledger"
    title = "Ledger"
    noun = "entries"

    def _file(self) -> Path:
        return Path(self.config.path).parent / self.config.settings["ledger"].file

    def desired(self) -> list[Entry]:
        return [Entry(j.name, j.schedule, j.spec, not j.enabled) for j in self.jobs]

    def populate(self) -> list[Entry]:
        self.requests += 1
        path = self._file()
        return [Entry(**e) for e in json.loads(path.read_text())] if path.exists() else []

    def differences(self, live: Entry, desired: Entry) -> tuple[FieldChange, ...]:
        return tuple(FieldChange(f, getattr(live, f), getattr(desired, f))
                     for f in ("schedule", "command")  # paused: a pause, not an update
                     if getattr(live, f) != getattr(desired, f))

    def _apply(self, plan, *, concurrency, on_done) -> ApplyResult:
        entries = {e.key: e for e in self.populate()}
        result = ApplyResult()
        for change in plan.changes:
            entries.pop(change.key, None)
            if change.action != "delete":
                entries[change.key] = change.desired
            result.done.append(change)
            result.requests += 1
        self._file().write_text(json.dumps([e.__dict__ for e in entries.values()]))
        return result

    def pause(self, job, *, paused: bool) -> None:
        raise AssertionError("not called in these tests")


class Rules:  # its validation, through the one Reporter
    @staticmethod
    def job(rep, base, name, job, ctx) -> None:
        if job.command.startswith("rm "):
            rep.add((*base, "command"), "the ledger refuses rm", hint="archive instead")
        for problem in cron.get_dialect("kubernetes").validate(job.schedule, job.timezone):
            rep.add((*base, problem.field), problem.message, hint=problem.hint)


PLUGIN = targets.TargetPlugin(
    name="ledger", title="Ledger", job_model=LedgerJob, target=LedgerTarget,
    build=lambda job, ctx: {"timezone": job.timezone or "UTC", "spec": job.command},
    validate=Rules, settings=LedgerSettings, settings_key="ledger",
    dialect=lambda settings: cron.get_dialect("kubernetes"), noun="ledger job",
    hints={"command": "a shell command, e.g. ./bin/report"},
    limits=("is not supported by the ledger target", "remove it"))


@pytest.fixture
def ledger():
    targets.register(PLUGIN)
    yield
    targets.unregister("ledger")


FILE = """\
version: 1
project: acme
ledger:
  file: books.json
jobs:
  nightly:
    target: ledger
    schedule: "0 2 * * *"
    command: ./bin/report
  weekly:
    target: ledger
    schedule: "0 3 * * 1"
    timezone: Europe/Lisbon
    command: ./bin/rollup
"""


def test_an_unregistered_target_is_unknown(cli, write_config):
    """The control: without the plugin, the file names a target cronctl does not know."""
    write_config(FILE)
    result = cli("validate")
    assert result.code == 2 and "unknown target 'ledger'" in result.err


def test_validate_and_list_local_know_the_plugin(cli, write_config, ledger):
    write_config(FILE)
    result = cli("validate")
    assert result.code == 0, result.err
    assert "2 ledger jobs" in result.out
    listed = json.loads(cli("list", "--local", "--json").out)
    rows = {r["name"]: r for r in listed["jobs"]}
    assert rows["weekly"]["target"] == "ledger"
    assert rows["weekly"]["description"] == "At 03:00 on Monday"
    assert rows["weekly"]["timezone"] == "Europe/Lisbon"


def test_its_rules_and_keys_report_with_file_and_line(cli, write_config, ledger):
    write_config(FILE.replace("./bin/rollup", "rm -rf /tmp/x").replace(
        "    command: ./bin/report", "    command: ./bin/report\n    retries: 3"))
    result = cli("validate")
    assert result.code == 2
    assert "schedules.yaml:10:5: error: job 'nightly', retries: 'retries' is not supported " \
           "by the ledger target" in result.err
    assert "schedules.yaml:15:14: error: job 'weekly', command: the ledger refuses rm" \
           in result.err


def test_diff_and_schedule_plan_and_apply_through_it(cli, write_config, ledger, project_dir):
    write_config(FILE)
    diff = cli("diff", "--json")
    assert diff.code == 0, diff.err
    plan = json.loads(diff.out)["ledger"]
    assert sorted((c["action"], c["job"]) for c in plan["changes"]) == [
        ("create", "nightly"), ("create", "weekly")]
    applied = cli("schedule", "--yes", "--json")
    assert applied.code == 0, applied.err
    assert json.loads(applied.out)["requests"] == 4  # the plan's read and apply's, two writes
    books = json.loads((project_dir / "books.json").read_text())
    assert {e["key"]: e["command"] for e in books} == {
        "nightly": "./bin/report", "weekly": "./bin/rollup"}
    again = json.loads(cli("diff", "--json").out)["ledger"]
    assert again["changes"] == [] and sorted(again["unchanged"]) == ["nightly", "weekly"]


def test_the_json_schema_has_its_jobs_and_settings(cli, ledger):
    schema = json.loads(cli("schema").out)
    assert schema["$defs"]["LedgerJob"]["required"] == ["schedule", "command"]
    assert schema["properties"]["ledger"] == {"$ref": "#/$defs/LedgerSettings"}
    routed = schema["allOf"][0]["else"]["properties"]["jobs"]["additionalProperties"]["anyOf"]
    assert {"$ref": "#/$defs/LedgerJob"} in [r["allOf"][0] for r in routed]
    assert "ledger" in schema["$defs"]["BusinessJob"]["properties"]["target"]["anyOf"][0]["enum"]
