"""The github target: one GitHub Actions workflow per job, in the repository's workflow folder.

populate reads the folder; apply writes (and deletes) files, atomically, each only over the
bytes the plan read. Ownership: a file whose first line is cronctl's mark for this project;
every other file is unmanaged, never written or deleted. GitHub picks the files up when they
are pushed to the default branch. Pausing, running now and run history go through the REST
API (remote.py), with GITHUB_TOKEN.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ConfigError
from ...fsutil import delete_unchanged, write_atomic
from ...plan import FieldChange, Plan
from ..base import ApplyResult, Check, OnDone, Target
from . import files
from .files import UNMANAGED, WorkflowSpec
from .remote import GitHubRemote

SCHEDULE_KEYS = ("on.schedule",)


class GitHubTarget(GitHubRemote, Target):
    name = "github"
    title = "GitHub Actions"
    noun = "workflows"
    is_file = True

    @property
    def path(self) -> Path:
        return files.folder(self.config)

    def active(self, *, explicit: bool = False) -> bool:
        """Planned when it has jobs, settings, or workflows of this project left over (the
        last job removed: its file is planned as a delete, not forgotten)."""
        if self.jobs or explicit or self.config.settings.get("github") is not None:
            return True
        return any(self.owns(spec.key) for spec in files.read(self.config))

    def desired(self) -> list[WorkflowSpec]:
        return [files.desired_spec(self.config, job) for job in self.jobs]

    def populate(self) -> list[WorkflowSpec]:
        return files.read(self.config)

    def owns(self, key: str) -> bool:
        return not key.startswith(UNMANAGED)

    def differences(self, live: WorkflowSpec, desired: WorkflowSpec
                    ) -> tuple[FieldChange, ...]:
        out = []
        if live.file != desired.file:
            out.append(FieldChange("file", live.file, desired.file))
        if live.doc is None:  # not YAML any more: rewritten whole
            return (*out, FieldChange("workflow", "(not valid YAML)", desired.file))
        old, new = files.flatten(live.doc), files.flatten(desired.doc)
        for k in list(new) + [k for k in old if k not in new]:
            if k.startswith(SCHEDULE_KEYS) and live.paused != desired.paused:
                continue  # a pause or resume, not an update
            if old.get(k) != new.get(k):
                out.append(FieldChange(k, old.get(k), new.get(k)))
        return tuple(out)

    def detail(self, spec: WorkflowSpec) -> tuple[str, ...]:
        when = f"cron: {spec.schedule}" + (f" ({spec.timezone})" if spec.timezone else " (UTC)")
        return (spec.file, "paused: workflow_dispatch only" if spec.paused else when)

    def plan(self, desired, live, *, prune=True, only_delete=False, adopt=False) -> Plan:
        result = super().plan(desired, live, prune=prune, only_delete=only_delete, adopt=False)
        result.artifacts = files.artifacts(self.config, result, desired, live)
        result.extra = {"folder": files.shown(self.config, self.path),
                        "files": [{"file": a.shown, "changed": a.changed,
                                   "deleted": a.deleted, "diff": a.unified_diff()}
                                  for a in result.artifacts]}
        return result

    def _apply(self, plan: Plan, *, concurrency: int | None, on_done: OnDone | None
               ) -> ApplyResult:
        result = ApplyResult()
        for art in plan.changed_artifacts:
            old = None if art.old_text is None else art.old_text.encode("utf-8")
            if art.new_text is None:
                assert old is not None
                delete_unchanged(art.path, old)
            else:
                art.path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(art.path, art.new_text.encode("utf-8"), expected=old)
            result.wrote = str(self.path)
        return result

    def count_line(self, plan: Plan) -> str:
        n = len(plan.changes) + len(plan.unchanged) - plan.count("delete")
        return f"{n} workflow{'s' if n != 1 else ''}"

    def probe(self) -> list[Check]:
        checks = super().probe()
        try:
            plan = self.plan(self.desired(), self.populate())
        except ConfigError as exc:
            return [*checks, Check(files.shown(self.config, self.path), "fail", exc.message,
                                   exc.hint)]
        where = files.shown(self.config, self.path)
        if plan.has_changes:
            return [*checks, Check(where, "fail", "out of date with schedules.yaml",
                                   f"run 'cronctl generate' and commit {where}")]
        return [*checks, Check(where, "ok", "up to date")]

    def live_rows(self, plan: Plan, live: list[WorkflowSpec]) -> list[dict]:
        by_key = {c.key: c for c in plan.changes}
        out = [self.job_row(job, by_key.get(job.name),
                            where=files.shown(self.config, self.path / files.file_name(
                                self.config, job.name)))
               for job in self.jobs]
        return out + self.orphan_rows(plan, where=files.shown(self.config, self.path),
                                      schedule=lambda s: s.schedule or "",
                                      timezone=lambda s: s.timezone or "UTC")
