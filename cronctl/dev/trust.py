"""Whether a `.cronctl/dev.json` is this user's own `cronctl dev` (discovery.py decides with
these): the file's checks (a regular, private file the user owns, not tracked by git, naming a
loopback http URL), the per-start key (drawn by `cronctl dev`, its SHA-256 recorded in the
user's private state folder, statedir.py, where no repository or archive can write), and the
proof (the server answers a fresh random challenge with the HMAC of the key; the key itself is
never sent for it).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

HELLO = "/_cronctl/hello"  # the proof: GET with CHALLENGE → {"proof": answer(key, challenge)}
CHALLENGE = "X-Cronctl-Challenge"
TIMEOUT_S = 5.0


def new_key() -> str:
    return secrets.token_urlsafe(32)


KEYS = "dev-keys"  # in cronctl's private state folder: one file per running server's key


def _key_record(key: str, *, make: bool = False) -> Path:
    from ..statedir import folder, private_folder

    root = (private_folder() if make else folder()) / KEYS
    if make:
        root.mkdir(mode=0o700, exist_ok=True)
    return root / hashlib.sha256(key.encode()).hexdigest()


def register_key(key: str) -> Path:
    """Record that this user's cronctl dev made `key` (raises CronctlError or OSError)."""
    path = _key_record(key, make=True)
    for old in path.parent.iterdir():  # records of servers that died without a clean stop
        try:
            if not alive(int(old.read_text() or 0)):
                old.unlink()
        except (OSError, ValueError):
            continue
    from ..fsutil import open_nofollow

    fd = open_nofollow(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(str(os.getpid()))
    return path


def forget_key(key: str) -> None:
    with contextlib.suppress(OSError):
        _key_record(key).unlink(missing_ok=True)


def registered(key: str) -> bool:
    try:
        path = _key_record(key)
        st = path.lstat()
    except (OSError, ValueError):
        return False
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return stat.S_ISREG(st.st_mode) and mine


def answer(key: str, challenge: str) -> str:
    """What the server that holds `key` answers to `challenge`."""
    return hmac.new(key.encode(), b"cronctl dev proof\0" + challenge.encode(),
                    hashlib.sha256).hexdigest()


class Untrusted(Exception):
    """Why a dev.json is not used."""


def check_file(path: Path) -> None:
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        raise Untrusted("it is a symbolic link, not the file cronctl dev writes")
    if not stat.S_ISREG(st.st_mode):
        raise Untrusted("it is not a regular file")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise Untrusted(f"it is owned by another user (uid {st.st_uid})")
    if os.name != "nt" and stat.S_IMODE(st.st_mode) & 0o077:  # (Windows: no such bits)
        raise Untrusted(f"other users can read it (mode {stat.S_IMODE(st.st_mode):o}); "
                        "cronctl dev writes it private (600)")
    if _tracked_by_git(path):
        raise Untrusted("it is tracked by git: a committed file is not a server you started "
                        f"(git rm --cached {path.parent.name}/{path.name})")


def _tracked_by_git(path: Path) -> bool:
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return False
    try:
        done = subprocess.run([git, "-C", str(path.parent), "ls-files", "--error-unmatch",
                               "--", path.name], capture_output=True, timeout=TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def loopback_url(url: str) -> bool:
    """http to a loopback address of this machine (127.0.0.0/8, ::1, localhost)."""
    import ipaddress
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    if parts.scheme != "http" or parts.username or parts.password:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prove(url: str, key: str) -> None:
    """The server at `url` answers a fresh challenge with the HMAC of `key` (or Untrusted)."""
    import httpx

    challenge = secrets.token_hex(32)
    try:
        response = httpx.get(url.rstrip("/") + HELLO, headers={CHALLENGE: challenge},
                             timeout=TIMEOUT_S, trust_env=False, follow_redirects=False)
    except httpx.HTTPError:
        raise Untrusted(f"no cronctl dev answers at {url} (a stale file?)") from None
    try:
        proof = response.json().get("proof") if response.status_code == 200 else None
    except (ValueError, AttributeError):
        proof = None
    if not isinstance(proof, str) or not hmac.compare_digest(proof,
                                                             answer(key, challenge)):
        raise Untrusted(f"the server at {url} did not prove it is the cronctl dev that "
                        "wrote the file")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
