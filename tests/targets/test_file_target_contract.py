"""A new file target needs no change to cronctl: `generate` finds it through the registry and
requires what its jobs read (issue 29: `generate` asked for two targets by name, so a new file
target's unset ${APP_URL} was written into its file with exit 0)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cronctl import cron, targets
from cronctl.config.model import JobFields
from cronctl.config.shape import spec
from cronctl.plan import Artifact, FieldChange, Plan
from cronctl.targets.base import ApplyResult, Target


@spec
class NoteJob(JobFields):
    """A job of the notes target: a note naming the URL to call."""


@dataclass(frozen=True)
class Note:
    key: str
    text: str


class NotesTarget(Target):
    """One file, `notes.txt`, a line per job."""

    name = "notes"
    title = "Notes"
    noun = "notes"
    is_file = True

    @property
    def path(self) -> Path:
        return self.config.path.parent / "notes.txt"

    def desired(self) -> list[Note]:
        return [Note(j.name, f"{j.name} {j.schedule} {self.config.base_url}{j.path}")
                for j in self.jobs]

    def populate(self) -> list[Note]:
        self.old = self.path.read_text() if self.path.exists() else None
        return [Note(line.split()[0], line) for line in (self.old or "").splitlines()]

    def differences(self, live: Note, desired: Note) -> tuple[FieldChange, ...]:
        return () if live.text == desired.text else (FieldChange("text", live.text,
                                                                 desired.text),)

    def plan(self, desired, live, **kwargs) -> Plan:
        plan = super().plan(desired, live, **kwargs)
        new = "".join(n.text + "\n" for n in desired)
        plan.artifact = Artifact(self.path, self.old, new)
        return plan

    def _apply(self, plan, *, concurrency, on_done) -> ApplyResult:
        self.path.write_text(plan.artifact.new_text)
        return ApplyResult(wrote=str(self.path))


PLUGIN = targets.TargetPlugin(
    name="notes", title="Notes", job_model=NoteJob, target=NotesTarget,
    build=lambda job, ctx: {"timezone": "UTC", "spec": None},
    dialect=lambda settings: cron.get_dialect("kubernetes"), noun="notes job",
    reads=lambda jobs: {"base_url"} if jobs else set())


@pytest.fixture
def notes():
    targets.register(PLUGIN)
    yield
    targets.unregister("notes")


FILE = """\
version: 1
project: acme
base_url: ${APP_URL}
jobs:
  nightly:
    target: notes
    path: /api/cron/nightly
    schedule: "0 2 * * *"
"""


def test_generate_refuses_an_unset_variable_a_new_file_target_reads(cli, write_config,
                                                                    project_dir, notes):
    write_config(FILE)
    result = cli("generate")
    assert result.code == 2, (result.out, result.err)
    assert "${APP_URL} is not set" in result.err
    assert not (project_dir / "notes.txt").exists()


def test_generate_writes_a_new_file_target(cli, write_config, project_dir, notes):
    write_config(FILE)
    result = cli("generate", env={"APP_URL": "https://acme.example.com"})
    assert result.code == 0, result.err
    assert (project_dir / "notes.txt").read_text() == \
        "nightly 0 2 * * * https://acme.example.com/api/cron/nightly\n"
    again = cli("generate", "--check", env={"APP_URL": "https://acme.example.com"})
    assert again.code == 0 and "up to date" in again.out
