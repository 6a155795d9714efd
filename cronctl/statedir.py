"""cronctl's per-user state on this machine: `$XDG_STATE_HOME/cronctl` (default
`~/.local/state/cronctl`), a folder private to its user (0700). It holds what must never leave
the machine, such as the key that keys a saved plan's checksums (savedplan.py).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from .environment import current
from .errors import CronctlError

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def folder() -> Path:
    base = current().get("XDG_STATE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "cronctl"


def _private(path: Path, st: os.stat_result, what: str) -> None:
    """Refuse a file or folder another user owns or can read: its secret is not ours."""
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise CronctlError(f"{path}: {what} is owned by another user",
                           hint=f"remove it; cronctl makes a new one private to you ({path})")
    if os.name != "nt" and stat.S_IMODE(st.st_mode) & 0o077:  # (Windows: no such bits)
        mode = f"{stat.S_IMODE(st.st_mode):o}"
        raise CronctlError(f"{path}: {what} can be read by other users (mode {mode})",
                           hint=f"chmod go= {path} (or remove it: cronctl makes a new one)")


def private_folder() -> Path:
    path = folder()
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        _private(path, path.lstat(), "cronctl's state folder")
    except OSError as exc:
        raise CronctlError(f"{path}: cannot use cronctl's state folder: "
                           f"{exc.strerror or exc}",
                           hint="set XDG_STATE_HOME to a folder of yours") from None
    return path


def secret_file(name: str, nbytes: int = 32) -> bytes:
    """The contents of a private random secret in the state folder, made on first use (0600).
    Two processes making it at once agree: the first link wins, the other reads it."""
    path = private_folder() / name
    try:
        if not path.exists():
            tmp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            try:
                os.write(fd, (secrets.token_hex(nbytes) + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        from .fsutil import open_nofollow

        fd = open_nofollow(path, os.O_RDONLY)  # never through a link; a regular file only
        with os.fdopen(fd, "rb") as fh:
            _private(path, os.fstat(fh.fileno()), "the key file")
            data = fh.read().strip()
    except OSError as exc:
        raise CronctlError(f"{path}: cannot read or make the key: {exc.strerror or exc}",
                           hint="set XDG_STATE_HOME to a folder of yours") from None
    if len(data) < 32:
        raise CronctlError(f"{path}: the key is too short (damaged?)",
                           hint="remove it: cronctl makes a new one")
    return data
