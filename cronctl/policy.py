"""The file's rules for operating a job by hand: a `locked: true` job is changed only by the
file (the seed's locked jobs); `--force` overrides, on purpose."""

from __future__ import annotations

from .errors import SafetyError


def refuse_locked(config, job, action: str, *, force: bool) -> None:
    if not job.locked or force:
        return
    where = f"{config.path.name}:{job.line}" if job.line else config.path.name
    raise SafetyError(
        f"{job.name} is locked ({where} says locked: true), so cronctl will not {action} it "
        "by hand",
        hint="only the file changes a locked job: edit it and run 'cronctl schedule', or pass "
        "--force if this really must happen now")
