"""The kubernetes target: populate reads the manifest file, apply writes it (atomically, and
only when a CronJob changed). cronctl never talks to a cluster: the manifest is committed and
a GitOps tool (or `kubectl apply --prune`) applies it.

Ownership: CronJobs labelled app.kubernetes.io/managed-by=cronctl and
cronctl.dev/project=<project>; everything else in the file is unmanaged and kept byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from ...errors import ConfigError
from ...fsutil import write_atomic
from ...plan import Artifact, FieldChange, Plan
from ..base import ApplyResult, Check, OnDone, Target
from ..capabilities import Liveness, Observed, Pausable, RunHistory, Stats, Triggerable
from . import manifest_file
from .manifest import cronjob, flatten, settings_of

SUSPEND = "spec.suspend"
UNMANAGED = "unmanaged:"


@dataclass(frozen=True)
class CronJobSpec:
    key: str  # metadata.name
    doc: dict = field(compare=False, hash=False)
    text: str = field(compare=False, default="")  # the document as it is (or will be) written
    chunk: Any = field(compare=False, default=None)  # live only: where it is in the file

    @property
    def paused(self) -> bool:
        spec = self.doc.get("spec") if isinstance(self.doc.get("spec"), dict) else {}
        return bool(spec.get("suspend", False))

    @property
    def schedule(self) -> str:
        return str((self.doc.get("spec") or {}).get("schedule", ""))


class KubernetesTarget(Observed, Target):
    name = "kubernetes"
    title = "Kubernetes"
    noun = "CronJobs"
    is_file = True

    def __init__(self, config, state=None) -> None:
        super().__init__(config, state)
        self.chunks: list[manifest_file.Chunk] = []
        self.old_text: str | None = None

    @property
    def path(self) -> Path:
        return self.config.path.parent / settings_of(self.config).file

    def active(self, *, explicit: bool = False) -> bool:
        return bool(self.jobs) or self.config.settings.get("kubernetes") is not None or explicit

    def desired(self) -> list[CronJobSpec]:
        out = []
        for job in self.jobs:
            doc = cronjob(self.config, job)
            self._refuse_secrets(job, doc)  # the data, before YAML quotes or folds it
            text = manifest_file.dump(doc)
            # Through YAML and back, so both sides are compared in the same normal form.
            out.append(CronJobSpec(job.name, yaml.safe_load(text), text))
        return out

    def _refuse_secrets(self, job, doc: Any) -> None:
        """Every string of the document (env values, arguments, labels...) is looked at as
        data: in the dumped text a PEM key is a folded block, a quote is doubled or escaped."""
        values = list(_strings(doc))
        for secret in self.config.secrets:
            if secret and any(secret in value for value in values):
                where = f"{self.config.path}:{job.line}" if job.line else str(self.config.path)
                raise ConfigError(
                    f"{where}: job {job.name!r} would write a secret value into "
                    f"{self.path.name} (target kubernetes)",
                    hint="give it by reference: env: {NAME: {secret: SECRET_NAME, key: KEY}}")

    def populate(self) -> list[CronJobSpec]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.old_text, self.chunks = None, []
            return []
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read: {exc}") from None
        try:
            self.old_text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{self.path}: not UTF-8 text",
                              hint="save it as UTF-8; nothing was written") from None
        self.chunks = manifest_file.split(self.path, self.old_text)
        live = []
        for chunk in self.chunks:
            project, name = chunk.owned_by
            if name is not None and project == self.config.project:
                live.append(CronJobSpec(str(name), chunk.doc, chunk.text, chunk))
            elif chunk.doc is not None:
                live.append(CronJobSpec(_describe(chunk), chunk.doc, chunk.text, chunk))
        return live

    def owns(self, key: str) -> bool:
        return not key.startswith(UNMANAGED)

    def differences(self, live: CronJobSpec, desired: CronJobSpec) -> tuple[FieldChange, ...]:
        old, new = flatten(live.doc), flatten(desired.doc)
        return tuple(FieldChange(k, old.get(k), new.get(k))
                     for k in _ordered(new, old) if k != SUSPEND and old.get(k) != new.get(k))

    def detail(self, spec: CronJobSpec) -> tuple[str, ...]:
        s = spec.doc["spec"]
        container = s["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
        http = container["image"] == settings_of(self.config).http_image
        what = container["args"][-1] if http else container["image"]
        lines = [f"CronJob {spec.key}: {what}", f"cron: {s['schedule']} ({s['timeZone']})"]
        if spec.paused:
            lines.append("suspended (enabled: false)")
        return tuple(lines)

    def plan(self, desired, live, *, prune=True, only_delete=False, adopt=False) -> Plan:
        result = super().plan(desired, live, prune=prune, only_delete=only_delete, adopt=False)
        result.artifact = Artifact(self.path, self.old_text, self._new_text(result, desired))
        result.extra = {"file": str(self.path), "changed": result.artifact.changed,
                        "diff": result.artifact.unified_diff()}
        return result

    def _new_text(self, plan: Plan, desired: list[CronJobSpec]) -> str | None:
        if not plan.changes and (self.old_text is not None or not desired):
            return self.old_text  # only when something changed
        gone = {c.key for c in plan.changes if c.action == "delete"}
        gone |= {c.live.key for c in plan.changes if c.action == "rename"}
        changed = {c.key for c in plan.changes}
        foreign, owned_live = [], {}
        for chunk in self.chunks:
            project, name = chunk.owned_by
            if name is not None and project == self.config.project:
                owned_live[str(name)] = chunk
            elif not chunk.is_ours_header:
                foreign.append(chunk)
        owned: list[str] = []
        if plan.changes and all(c.action == "delete" for c in plan.changes):
            # cleanup (or only deletes): the other documents stay exactly as they are
            owned = [c.text for n, c in owned_live.items() if n not in gone]
        else:
            for spec in desired:
                chunk = owned_live.get(spec.key)
                keep = chunk is not None and spec.key not in changed
                owned.append(chunk.text if keep else spec.text)
            wanted = {d.key for d in desired}
            owned += [c.text for n, c in owned_live.items() if n not in wanted and n not in gone]
        return manifest_file.compose(self.config.project, settings_of(self.config).file,
                                     foreign, owned)

    def _apply(self, plan: Plan, *, concurrency: int | None, on_done: OnDone | None
               ) -> ApplyResult:
        result = ApplyResult()
        art = plan.artifact
        if art is not None and art.changed and art.new_text is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Only over the bytes the plan was made from: a change made since is never lost.
            old = None if art.old_text is None else art.old_text.encode("utf-8")
            write_atomic(self.path, art.new_text.encode("utf-8"), expected=old)
            result.wrote = str(self.path)
        return result

    # -- operations on one job: cronctl does not talk to the cluster -------------------------
    def _ns(self) -> str:
        ns = settings_of(self.config).namespace
        return f" -n {ns}" if ns else ""

    def instead(self, capability, job=None) -> str | None:
        """cronctl writes the manifest and does not talk to the cluster: kubectl does."""
        name = job.name if job is not None else "NAME"
        if capability is Pausable:
            return ("set enabled: false (or true) in schedules.yaml, run 'cronctl generate' "
                    f"and commit (or, for now: kubectl patch cronjob {name}{self._ns()} -p "
                    "'{\"spec\":{\"suspend\":true}}', false to resume)")
        if capability is Triggerable:
            return f"kubectl create job --from=cronjob/{name} {name}-manual{self._ns()}"
        if capability in (RunHistory, Stats):
            return ("Kubernetes keeps the runs of its CronJobs: kubectl get jobs -l "
                    f"cronctl.dev/job={name}{self._ns()}")
        return None

    # -- Observed (cronctl verify): observe.py -------------------------------------------------
    def tolerance_for(self, job) -> timedelta:
        from .observe import tolerance

        return tolerance(job)

    def max_runtime_for(self, job) -> timedelta | None:
        from .observe import max_runtime

        return max_runtime(job)

    def liveness(self, jobs: list) -> dict[str, Liveness]:
        from ..runner.observe import keeps_checkins
        from .observe import liveness

        return liveness(self, jobs, checkins=keeps_checkins(self.config))

    def observed(self, jobs: list, *, since_ms: int, until_ms: int) -> tuple[list, int]:
        from .observe import observed

        return observed(self, jobs, since_ms=since_ms, until_ms=until_ms)

    def probe(self) -> list[Check]:
        try:
            plan = self.plan(self.desired(), self.populate())
        except ConfigError as exc:
            return [Check(self.path.name, "fail", exc.message, exc.hint)]
        if plan.has_changes:
            return [Check(self.path.name, "fail", "out of date with schedules.yaml",
                          f"run 'cronctl generate' and commit {self.path.name}")]
        return [Check(self.path.name, "ok", "up to date")]

    def live_rows(self, plan: Plan, live: list[CronJobSpec]) -> list[dict]:
        by_key = {c.key: c for c in plan.changes}
        out = [self.job_row(job, by_key.get(job.name), where=self.path.name)
               for job in self.jobs]
        return out + self.orphan_rows(plan, where=self.path.name,
                                      schedule=lambda live: live.schedule,
                                      timezone=lambda live: "UTC")


def _strings(node: Any):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _strings(value)


def _describe(chunk: manifest_file.Chunk) -> str:
    d = chunk.doc if isinstance(chunk.doc, dict) else {}
    meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
    return f"{UNMANAGED}{d.get('kind', 'document')}/{meta.get('name', chunk.line)}"


def _ordered(first: dict, second: dict) -> list[str]:
    return list(first) + [k for k in second if k not in first]
