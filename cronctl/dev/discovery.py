"""How commands find a running `cronctl dev`: a small state file, `.cronctl/dev.json` beside
schedules.yaml, written by the server when it starts and removed when it stops.

    {"url": "http://127.0.0.1:8080", "pid": 4242, "clock": "frozen", "key": "...", ...}

A command uses it only when neither QSTASH_URL nor QSTASH_TOKEN is set (a set token always wins),
and says so on stderr. It holds the server's per-start key, so it is trusted only as this user's
own (trust.py): a regular file (not a symlink) owned by the user, private (0600), not tracked by
git, naming a loopback http URL, with a key this user's cronctl dev recorded; and the server
there must prove it holds the key before it sees any request with a secret in it. Otherwise the
command ignores the file and says why on stderr: a committed, copied or planted file, or another
process on the port, never receives the schedules and their forwarded headers.

The file's ${VARS} that the command's shell lacks are read from the server (`/_cronctl/env`,
which answers only to the per-start key), so a second terminal needs no exports. With a frozen
clock, commands take "now" from the server (`/_cronctl/clock`).

Kept light: the CLI imports this module; httpx only when a server is found.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import TOKEN
from .trust import Untrusted, alive, check_file, loopback_url, prove, registered

STATE_FILE = Path(".cronctl") / "dev.json"
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class DevInfo:
    url: str
    pid: int
    clock: str = "wall"  # wall | frozen
    app_url: str | None = None
    config: str | None = None
    key: str | None = None  # per start; proves the server and unlocks /_cronctl/env

    @property
    def frozen(self) -> bool:
        return self.clock != "wall"


def folder_of(config_path: Path | None) -> Path:
    return config_path.parent if config_path is not None else Path.cwd()


def state_path(folder: Path) -> Path:
    return folder / STATE_FILE


def write_state(folder: Path, info: DevInfo) -> Path:
    """Private (0600) and atomic; a symlink in its place is replaced, never written through.
    The folder gets a .gitignore, so the file is never committed by accident."""
    import tempfile

    from ..fsutil import private_folder

    path = state_path(folder)
    private_folder(path.parent, ignore_note="cronctl dev's local state")
    fd, tmp = tempfile.mkstemp(prefix=".dev.json.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(info), indent=2) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_state(folder: Path, pid: int) -> None:
    """Remove the state file if it is still this server's."""
    path = state_path(folder)
    info = read_state(path)
    if info is not None and info.pid == pid:
        path.unlink(missing_ok=True)


def read_state(path: Path) -> DevInfo | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = data.get("key")
        return DevInfo(url=str(data["url"]), pid=int(data["pid"]),
                       clock=str(data.get("clock") or "wall"), app_url=data.get("app_url"),
                       config=data.get("config"), key=key if isinstance(key, str) else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def trusted(path: Path) -> DevInfo | None:
    """The server the file names, if it is this user's own; raises Untrusted (why not)."""
    if not path.exists() and not path.is_symlink():
        return None
    check_file(path)
    info = read_state(path)
    if info is None:
        raise Untrusted("it is not a dev.json cronctl dev wrote (unreadable)")
    if not loopback_url(info.url):
        raise Untrusted(f"it names {info.url}, not this machine (only http://127.0.0.1 or "
                        "localhost)")
    if not info.key:
        raise Untrusted("it has no key (written by an older cronctl dev? restart it)")
    if not registered(info.key):
        raise Untrusted("its key was not made by a cronctl dev of yours (copied from elsewhere, "
                        "or its server runs as another user)")
    if not alive(info.pid):
        raise Untrusted(f"the cronctl dev that wrote it (pid {info.pid}) is not running "
                        "(a stale file)")
    prove(info.url, info.key)
    return info


def _folder(state) -> Path:
    try:
        return folder_of(state.config_path())
    except Exception:  # no schedules.yaml here: look beside the working directory
        return Path.cwd()


def running(state, *, say_why: bool = True) -> DevInfo | None:
    """The dev server running for this project, if its state file is there and it lives,
    and is trusted (`trusted`); else None, and (with `say_why`) a note on stderr."""
    cache = _cache(state)
    if "dev" not in cache:
        path = state_path(_folder(state))
        try:
            cache["dev"] = trusted(path)
        except (Untrusted, OSError) as why:
            from ..output import echo  # escapes what the file says: it never drives a terminal

            cache["dev"] = None
            reason = why.strerror if isinstance(why, OSError) and why.strerror else why
            if say_why:
                echo(f"note: ignored {STATE_FILE}: {reason} ({path}); set QSTASH_URL and "
                     "QSTASH_TOKEN to choose a QStash", err=True)
    return cache["dev"]


def _cache(state) -> dict:
    cache = getattr(state, "cache", None)
    return cache if isinstance(cache, dict) else {}


def serving(state) -> DevInfo | None:
    """The dev server this command talks to: discovered (no QSTASH_URL, no QSTASH_TOKEN), or
    named by QSTASH_URL."""
    url = os.environ.get("QSTASH_URL", "").strip().rstrip("/")
    token = os.environ.get("QSTASH_TOKEN", "").strip()
    if token and not url:
        return None  # the real QStash
    info = running(state, say_why=not (url or token))  # a named QStash needs no note
    if info is None:
        return None
    if url or token:
        return info if url == info.url.rstrip("/") else None
    return info


def credentials(state) -> tuple[str, str] | None:
    """(url, token) of the discovered dev server, announced once on stderr; None when the
    environment names a QStash (a set QSTASH_TOKEN always wins) or no server runs."""
    if os.environ.get("QSTASH_TOKEN", "").strip() or os.environ.get("QSTASH_URL", "").strip():
        return None
    info = running(state)
    if info is None:
        return None
    cache = _cache(state)
    if not cache.get("announced"):
        cache["announced"] = True
        where = state_path(_folder(state))
        sys.stderr.write(f"using cronctl dev at {info.url} (pid {info.pid}, from {where}); "
                         "set QSTASH_TOKEN to use another QStash\n")
    return info.url, TOKEN


def _get(info: DevInfo, path: str, token: str = TOKEN) -> Any:
    import httpx

    response = httpx.get(info.url.rstrip("/") + path, timeout=TIMEOUT_S, trust_env=False,
                         headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()


def shared_env(state) -> dict[str, str]:
    """The values the dev server resolved for the file's ${VARS}, and the CRON_SECRET it sends
    ({} when none runs). The server this command talks to: discovered (announced once), or
    named by QSTASH_URL (the banner's exports pasted into this shell: said once too)."""
    env_named = os.environ.get("QSTASH_URL", "").strip() or \
        os.environ.get("QSTASH_TOKEN", "").strip()
    info = serving(state) if env_named else (running(state) if credentials(state) else None)
    if info is None:
        return {}
    try:
        data = _get(info, "/_cronctl/env", token=str(info.key))
    except Exception:  # an older server, or it just stopped: the command reports what is unset
        return {}
    found = {str(k): str(v) for k, v in (data.get("env") or {}).items()}
    cache = _cache(state)
    if found and env_named and not cache.get("announced"):
        cache["announced"] = True
        sys.stderr.write(f"note: QSTASH_URL is the cronctl dev at {info.url} (pid {info.pid}); "
                         "what this shell does not set comes from its environment\n")
    return found


def adopt(state) -> dict[str, str]:
    """Make the dev server's values (`shared_env`) part of this run's Environment, under what
    the shell sets itself, once per command; every command and target then reads them as it
    reads the shell's (CRON_SECRET for a Vercel or runner trigger, ${VARS} of the file)."""
    cache = _cache(state)
    if "adopted" not in cache:
        from ..environment import current
        from ..output import register_env_secrets

        found = shared_env(state)
        env = current()
        lacking = {k: v for k, v in found.items() if not env.value(k)}
        if lacking:
            env.extend(lacking)
            register_env_secrets(lacking)  # CRON_SECRET: never printed (the file's own
            # secrets, e.g. a header's value, are registered by the load, as the shell's are)
        cache["adopted"] = lacking
    return cache["adopted"]


def server_now(state) -> datetime | None:
    """The frozen clock of the dev server this command talks to (None: use the wall clock)."""
    info = serving(state)
    if info is None or not info.frozen:
        return None
    try:
        data = _get(info, "/_cronctl/clock")
    except Exception:
        return None
    return datetime.fromtimestamp(int(data["now"]) / 1000, UTC)


def dev_server(state) -> tuple[str, str] | None:
    """(url, token) of the `cronctl dev` this command talks to, for what only it keeps (the
    Vercel runs it fired): discovered beside the file (announced once), the one QSTASH_URL
    names, or any QSTASH_URL and QSTASH_TOKEN that are not Upstash's; else None."""
    from ..environment import current

    env = current()
    url, token = env.value("QSTASH_URL").rstrip("/"), env.value("QSTASH_TOKEN")
    if not (url or token):
        return credentials(state) if state is not None else None
    info = serving(state) if state is not None else None
    if info is not None:
        return info.url.rstrip("/"), token or TOKEN
    if url and token and not _upstash(url):
        return url, token
    return None


def _upstash(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host == "upstash.io" or host.endswith(".upstash.io")
