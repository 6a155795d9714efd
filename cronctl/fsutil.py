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


# -- private state files: never through a link, never readable by others --------------------
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def open_nofollow(path: Path | str, flags: int, mode: int = PRIVATE_FILE) -> int:
    """os.open that never follows a symlink in the file's place (O_NOFOLLOW) and opens only
    a regular file; a file cronctl creates is 0600. The descriptor, or a CronctlError that
    says what is wrong and what to do (FileNotFoundError without O_CREAT)."""
    path = Path(path)
    try:
        fd = os.open(path, flags | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0), mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno in (errno.EMLINK, errno.EEXIST)
                                        and path.is_symlink()):
            raise CronctlError(f"{path} is a symbolic link; cronctl does not follow links "
                               "for its state files", hint=f"remove the link ({path}): cronctl "
                               "makes a private file in its place") from None
        if exc.errno == errno.ENOENT and not flags & os.O_CREAT:
            raise  # FileNotFoundError: the caller decides
        raise _error(exc, path) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CronctlError(f"{path} is not a regular file", hint="remove it")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def private_file(path: Path | str, *, create: bool = True) -> bool:
    """Make sure `path` is a private regular file (0600, this user's), creating it empty
    when `create`; never through a link. A lax mode is tightened; another user's file is
    refused. False when it does not exist (and was not to be created)."""
    path = Path(path)
    try:
        fd = open_nofollow(path, os.O_RDONLY | (os.O_CREAT if create else 0))
    except FileNotFoundError:
        return False
    try:
        _own_private(path, os.fstat(fd), PRIVATE_FILE, lambda m: os.fchmod(fd, m))
    finally:
        os.close(fd)
    return True


def private_folder(path: Path | str, *, ignore_note: str | None = None,
                   tighten: bool = True) -> Path:
    """Make `path` a folder private to this user (0700), never a link; a lax mode is
    tightened (`tighten`), another user's folder is refused. `ignore_note`: a `.gitignore`
    with `*` is written there (created, never through a link), so nothing in it is committed."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        st = path.lstat()
    except OSError as exc:
        raise _error(exc, path) from None
    if stat.S_ISLNK(st.st_mode):
        raise CronctlError(f"{path} is a symbolic link; cronctl keeps its state only in a "
                           "real folder", hint=f"remove the link ({path}): cronctl makes a "
                           "private folder in its place")
    if not stat.S_ISDIR(st.st_mode):
        raise CronctlError(f"{path} is not a folder", hint="remove it or choose another path")
    if tighten:
        _own_private(path, st, PRIVATE_FOLDER, lambda m: os.chmod(path, m))
    if ignore_note is not None:
        ignore = path / ".gitignore"
        try:
            fd = open_nofollow(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except CronctlError:
            if ignore.is_symlink() or not ignore.is_file():
                raise
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(f"# {ignore_note}: never commit it\n*\n")
    return path


def _own_private(path: Path, st: os.stat_result, mode: int, chmod) -> None:
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise CronctlError(f"{path} belongs to another user (uid {st.st_uid})",
                           hint=f"remove it, or run cronctl as its owner; cronctl makes a "
                           f"new one private to you ({path})")
    if os.name != "nt" and stat.S_IMODE(st.st_mode) & 0o077:
        try:
            chmod(stat.S_IMODE(st.st_mode) & mode)
        except OSError as exc:
            raise CronctlError(f"{path} can be read by other users (mode "
                               f"{stat.S_IMODE(st.st_mode):o}) and cannot be made private: "
                               f"{exc.strerror or exc}", hint=f"chmod go= {path}") from None
