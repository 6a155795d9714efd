"""Who may use `cronctl ui`: tokens mapped to users and roles, sessions, per-user limits.

Tokens come from `CRONCTL_UI_TOKENS` or a file (`--tokens-file`), one entry per line (or
separated by commas): `USER:ROLE:TOKEN`, e.g. `alice:admin:3f9c...`. There is no default
credential: with no token the server does not start. Tokens are secrets: never printed,
logged or written; the audit log names the user.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..secrets import same_secret

ROLES = ("viewer", "operator", "admin")
MIN_TOKEN = 16
SESSION_IDLE_S = 8 * 3600
SESSION_MAX_S = 24 * 3600
_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this user has `role` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass
class Session:
    user: User
    csrf: str
    created: float
    seen: float


def parse_tokens(text: str, source: str) -> dict[str, User]:
    """`USER:ROLE:TOKEN` entries (lines or commas; `#` starts a comment) -> {token: User}."""
    out: dict[str, User] = {}
    names: set[str] = set()
    entries = [e.strip() for line in text.splitlines()
               for e in line.split("#", 1)[0].split(",")]
    for n, entry in enumerate(e for e in entries if e):
        parts = entry.split(":", 2)
        where = f"{source}, entry {n + 1}"
        if len(parts) != 3:
            raise UsageError(f"{where} is not USER:ROLE:TOKEN",
                             hint="e.g. alice:admin:$(openssl rand -hex 24)")
        name, role, token = (p.strip() for p in parts)
        if not _USER.match(name):
            raise UsageError(f"{where}: user name {name!r} is not letters, digits, . _ @ -")
        if role not in ROLES:
            raise UsageError(f"{where} ({name}): role {role!r} is not one of "
                             f"{', '.join(ROLES)}")
        if len(token) < MIN_TOKEN:
            raise UsageError(f"{where} ({name}): the token has {len(token)} characters; "
                             f"use at least {MIN_TOKEN}", hint="e.g. openssl rand -hex 24")
        if token in out or name in names:
            raise UsageError(f"{where} ({name}): the user or the token is given twice")
        out[token] = User(name, role)
        names.add(name)
    return out


def load_tokens(env: dict[str, str], tokens_file: Path | None) -> dict[str, User]:
    """The tokens of the file (if given), else of CRONCTL_UI_TOKENS; refuses none at all."""
    if tokens_file is not None:
        try:
            text = Path(tokens_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {tokens_file}: {exc.strerror or exc}") from None
        tokens = parse_tokens(text, str(tokens_file))
    else:
        tokens = parse_tokens(env.get("CRONCTL_UI_TOKENS", ""), "CRONCTL_UI_TOKENS")
    if not tokens:
        raise UsageError("cronctl ui needs at least one login token, and has no default one",
                         hint="set CRONCTL_UI_TOKENS='alice:admin:TOKEN' (TOKEN: e.g. "
                         "`openssl rand -hex 24`), or pass --tokens-file FILE")
    return tokens


class Auth:
    """Tokens, the sessions they open, and the limits per user and per client."""

    def __init__(self, tokens: dict[str, User], *, trigger_limit: int = 5,
                 trigger_window_s: float = 60.0) -> None:
        self._tokens = tokens
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.triggers = RateLimit(trigger_limit, trigger_window_s)
        self.logins = RateLimit(10, 60.0)  # failed logins per client address

    def check_token(self, token: str) -> User | None:
        """The user of this token, compared in constant time with every known token (by
        digest: neither a value nor a length shows in the time taken)."""
        found = None
        for known, user in self._tokens.items():
            if same_secret(token, known):
                found = user
        return found

    def open(self, user: User) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._sessions[sid] = Session(user, secrets.token_urlsafe(32), now, now)
        return sid

    def session(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        now = time.monotonic()
        with self._lock:
            s = self._sessions.get(sid)
            if s is None:
                return None
            if now - s.seen > SESSION_IDLE_S or now - s.created > SESSION_MAX_S:
                del self._sessions[sid]
                return None
            s.seen = now
            return s

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)


def csrf_ok(session: Session, given: str | None) -> bool:
    return bool(given) and same_secret(str(given), session.csrf)


@dataclass
class RateLimit:
    """At most `limit` events per `window_s` seconds per key (a sliding window)."""

    limit: int
    window_s: float
    _seen: dict[str, deque] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, key: str, *, count: bool = True) -> float | None:
        """Count one event (`count`: else only ask); None if allowed, else the seconds until
        one is."""
        now = time.monotonic()
        with self._lock:
            q = self._seen.setdefault(key, deque())
            while q and now - q[0] >= self.window_s:
                q.popleft()
            if len(q) >= self.limit:
                return max(0.0, self.window_s - (now - q[0]))
            if count:
                q.append(now)
            return None
