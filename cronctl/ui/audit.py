"""The audit log of `cronctl ui`: one JSON line per action (login, run now, pause, resume,
edit, apply, DLQ), appended to `.cronctl/ui-audit.log` beside schedules.yaml.

An entry names the user, never a token; every text passes the secret scrubber first.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..output import redact

FILE = "ui-audit.log"
KEEP_DAYS = 90  # entries older than this are dropped when the server starts


class Audit:
    def __init__(self, folder: Path) -> None:
        self.path = folder / ".cronctl" / FILE
        self._lock = threading.Lock()

    def record(self, user: str, action: str, *, job: str | None = None, ok: bool = True,
               detail: str | None = None, **facts: Any) -> None:
        entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "user": user,
                 "action": action, "job": job, "ok": ok,
                 "detail": redact(detail) if detail else None,
                 **{k: redact(str(v)) if isinstance(v, str) else v for k, v in facts.items()}}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # O_APPEND: each entry lands whole at the end, even with two servers on one file.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)

    def prune(self, days: int = KEEP_DAYS, now: datetime | None = None) -> int:
        """Drop entries older than `days` (atomically); returns how many went."""
        from datetime import timedelta

        from ..fsutil import write_atomic

        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat()
        kept = []
        for line in data.decode("utf-8", "replace").splitlines(keepends=True):
            try:
                old = json.loads(line).get("time", "") < cutoff
            except (ValueError, AttributeError):
                old = False  # not ours to judge: kept
            if not old:
                kept.append(line)
        gone = len(data.decode("utf-8", "replace").splitlines()) - len(kept)
        if gone:
            with self._lock:
                write_atomic(self.path, "".join(kept).encode("utf-8"), expected=data)
        return gone

    def entries(self, limit: int = 500) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first (a line that is not JSON is skipped)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
            if len(out) >= limit:
                break
        return out
