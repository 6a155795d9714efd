"""How commands find a running `cronctl dev`: a small state file, `.cronctl/dev.json` beside
schedules.yaml, written by the server when it starts and removed when it stops.

    {"url": "http://127.0.0.1:8080", "pid": 4242, "clock": "frozen", "app_url": ..., ...}

It holds no secret (the server's token is the well-known local one). A command uses it only when
neither QSTASH_URL nor QSTASH_TOKEN is set (a set token always wins), and says so on stderr. The
file's ${VARS} that the command's shell lacks are read from the server (`/_cronctl/env`, behind
its token; the same values its schedule listing already shows), so a second terminal needs no
exports. With a frozen clock, commands take "now" from the server (`/_cronctl/clock`).

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

STATE_FILE = Path(".cronctl") / "dev.json"
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class DevInfo:
    url: str
    pid: int
    clock: str = "wall"  # wall | frozen
    app_url: str | None = None
    config: str | None = None

    @property
    def frozen(self) -> bool:
        return self.clock != "wall"


def folder_of(config_path: Path | None) -> Path:
    return config_path.parent if config_path is not None else Path.cwd()


def state_path(folder: Path) -> Path:
    return folder / STATE_FILE


def write_state(folder: Path, info: DevInfo) -> Path:
    from ..fsutil import write_atomic

    path = state_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(asdict(info), indent=2) + "\n").encode())
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
        return DevInfo(url=str(data["url"]), pid=int(data["pid"]),
                       clock=str(data.get("clock") or "wall"), app_url=data.get("app_url"),
                       config=data.get("config"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _folder(state) -> Path:
    try:
        return folder_of(state.config_path())
    except Exception:  # no schedules.yaml here: look beside the working directory
        return Path.cwd()


def running(state) -> DevInfo | None:
    """The dev server running for this project, if its state file is there and it lives."""
    cache = _cache(state)
    if "dev" not in cache:
        info = read_state(state_path(_folder(state)))
        cache["dev"] = info if info is not None and _alive(info.pid) else None
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
    info = running(state)
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


def _get(info: DevInfo, path: str) -> Any:
    import httpx

    response = httpx.get(info.url.rstrip("/") + path, timeout=TIMEOUT_S,
                         headers={"Authorization": f"Bearer {TOKEN}"})
    response.raise_for_status()
    return response.json()


def shared_env(state) -> dict[str, str]:
    """The values the dev server resolved for the file's ${VARS} ({} when none runs)."""
    info = running(state) if credentials(state) else None
    if info is None:
        return {}
    try:
        data = _get(info, "/_cronctl/env")
    except Exception:  # an older server, or it just stopped: the command reports what is unset
        return {}
    return {str(k): str(v) for k, v in (data.get("env") or {}).items()}


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
