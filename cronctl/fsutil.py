"""Atomic file writes: readers see the old file or the new one, never a mix.

A write never lands on what it must not: a symlink is written through (the link stays), a
read-only file is refused, and with `expected` the file must still hold the bytes the plan was
made from (someone else's change in between is never overwritten). A file-system failure (a
full disk, a missing folder, no permission) is one clear error, and no temporary file is left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import CronctlError, ExitStatus

_MISSING = object()


def describe_os_error(exc: OSError, path: Path | str | None = None) -> str:
    """One line that says what went wrong with which file, and what to do."""
    where = str(path or exc.filename or "the file")
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return (f"{where}: no space left on the device (nothing was changed)\n"
                "  hint: free some disk space, then run again")
    if code == errno.ENOENT:
        return (f"{where}: no such file or folder\n"
                "  hint: create the folder first, or choose another path")
    if code in (errno.EACCES, errno.EPERM):
        return f"{where}: permission denied\n  hint: check the file's and folder's permissions"
    if code == errno.EROFS:
        return f"{where}: the file system is read-only"
    return f"{where}: {exc.strerror or exc}"


def read_regular(path: Path) -> bytes | None:
    """A regular file's bytes, or None when there is none. A folder, a device or a pipe is an
    error, never read (a pipe would block for ever) and never written over."""
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _error(exc, Path(path)) from None
    if not stat.S_ISREG(st.st_mode):
        raise CronctlError(f"{path} is not a regular file", hint="choose a file path")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _error(exc, Path(path)) from None


def write_atomic(path: Path, data: bytes, *, expected: object = _MISSING) -> None:
    """Write to a temporary file beside `path`, fsync it, then rename it over `path`.

    `expected`: the bytes the caller read (None: it did not exist); the write is refused when
    the file changed since."""
    link = Path(path)
    path = Path(os.path.realpath(link)) if link.is_symlink() else link
    directory = path.parent if str(path.parent) else Path(".")
    if expected is not _MISSING:
        _check_unchanged(link, path, expected)
    try:
        st = path.stat()
        mode = st.st_mode & 0o7777
        if not stat.S_ISREG(st.st_mode):  # a folder, a device, a pipe: never replaced
            raise CronctlError(f"{link} is not a regular file; nothing was written",
                               hint="choose a file path")
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        if not mode & 0o222:
            raise CronctlError(f"{link} is read-only; nothing was written",
                               hint="make it writable (chmod u+w) if cronctl should update it")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _error(exc, link) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _error(exc, link) from None
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def delete_unchanged(path: Path, expected: bytes) -> None:
    """Delete `path` only while it holds `expected` (the bytes the plan was made from), and
    never through a symlink. The file is first renamed aside, so a write racing the check
    cannot be lost: a file that changed is put back and the delete refused."""
    path = Path(path)
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise CronctlError(f"{path} is gone since cronctl read it; nothing was deleted",
                           hint="run the command again to plan from the current files",
                           exit_status=ExitStatus.FAILED) from None
    except OSError as exc:
        raise _error(exc, path) from None
    if not stat.S_ISREG(st.st_mode):
        raise CronctlError(f"{path} is not a regular file; nothing was deleted",
                           hint="remove it by hand if it should go")
    aside = path.with_name(f".{path.name}.{os.getpid()}.delete.tmp")
    try:
        os.rename(path, aside)
    except OSError as exc:
        raise _error(exc, path) from None
    try:
        fd = os.open(aside, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            now = fh.read()
    except OSError as exc:
        os.rename(aside, path)
        raise _error(exc, path) from None
    if now != expected:
        os.rename(aside, path)
        raise CronctlError(f"{path} changed since cronctl read it; nothing was deleted",
                           hint="someone else edited it meanwhile: run the command again to "
                           "plan from the current file", exit_status=ExitStatus.FAILED)
    os.unlink(aside)


def _check_unchanged(shown: Path, path: Path, expected: object) -> None:
    try:
        now: bytes | None = path.read_bytes()
    except FileNotFoundError:
        now = None
    except OSError as exc:
        raise _error(exc, shown) from None
    if now != expected:
        raise CronctlError(
            f"{shown} changed since cronctl read it; nothing was written",
            hint="someone else edited it meanwhile: run the command again to plan from the "
            "current file",
        )


def _error(exc: OSError, path: Path) -> CronctlError:
    message, _, hint = describe_os_error(exc, path).partition("\n  hint: ")
    return CronctlError(message, hint=hint or None, exit_status=ExitStatus.FAILED)
