"""The audit log of `cronctl ui`: one JSON line per action (login, run now, pause, resume,
edit, apply, DLQ), appended to `.cronctl/ui-audit.log` beside schedules.yaml.

An entry names the user, never a token; every text passes the secret scrubber first.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CronctlError
from ..output import redact

FILE = "ui-audit.log"
KEEP_DAYS = 90  # entries older than this are dropped when the server starts


class Audit:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / ".cronctl" / FILE
        self._lock = threading.Lock()

    def _open(self, flags: int, *, create: bool = False) -> int:
        """The log's file descriptor. Neither `.cronctl` nor the log is followed when it is a
        symbolic link (a committed link would send entries, or show lines, from a file
        outside the project); made private (0700 folder, 0600 file) when created."""
        nofollow = getattr(os, "O_NOFOLLOW", 0)
        where = self.path.parent
        try:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(where, 0o700)
            dir_fd = os.open(where, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | nofollow)
        except OSError as exc:
            raise self._refuse(exc, where) from None
        try:
            return os.open(FILE, flags | nofollow | (os.O_CREAT if create else 0), 0o600,
                           dir_fd=dir_fd)
        except OSError as exc:
            raise self._refuse(exc, self.path) from None
        finally:
            os.close(dir_fd)

    def _refuse(self, exc: OSError, where: Path) -> Exception:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and where.is_symlink():
            return CronctlError(
                f"{where} is a symbolic link; the audit log is never written or read through "
                "one", hint=f"remove the link ({where}); cronctl ui makes a private one")
        if isinstance(exc, FileNotFoundError):
            return exc
        from ..fsutil import describe_os_error

        message, _, hint = describe_os_error(exc, where).partition("\n  hint: ")
        return CronctlError(message, hint=hint or None)

    def _read(self) -> bytes:
        try:
            fd = self._open(os.O_RDONLY)
        except FileNotFoundError:
            return b""
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    def record(self, user: str, action: str, *, job: str | None = None, ok: bool = True,
               detail: str | None = None, **facts: Any) -> None:
        entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "user": user,
                 "action": action, "job": job, "ok": ok,
                 "detail": redact(detail) if detail else None,
                 **{k: redact(str(v)) if isinstance(v, str) else v for k, v in facts.items()}}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            # O_APPEND: each entry lands whole at the end, even with two servers on one file.
            fd = self._open(os.O_WRONLY | os.O_APPEND, create=True)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)

    def prune(self, days: int = KEEP_DAYS, now: datetime | None = None) -> int:
        """Drop entries older than `days` (atomically); returns how many went."""
        from datetime import timedelta

        from ..fsutil import write_atomic

        data = self._read()
        if not data:
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
        lines = self._read().decode("utf-8", "replace").splitlines()
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
            if len(out) >= limit:
                break
        return out
