"""The one Environment of a run (HTTPie's `Environment`): the environment variables, whether
the streams are terminals, the clock, the tuning knobs and the secrets to scrub. `main()` builds
it once and makes it current for the run; modules ask `current()` instead of reading
`os.environ` or `sys.stderr.isatty()` themselves, and a test (or `cronctl dev` applying a file)
runs cronctl with an Environment of its own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Tuning:
    """Knobs for tests and slow networks (unset: each module's default)."""

    poll_interval: float | None = None  # CRONCTL_POLL_INTERVAL: s between polls of a provider
    retry_base: float | None = None  # CRONCTL_RETRY_BASE: s, the first retry's backoff
    deadline: float | None = None  # CRONCTL_DEADLINE: s for one request, retries included
    max_response: int | None = None  # CRONCTL_MAX_RESPONSE: bytes of one answer

    @classmethod
    def from_vars(cls, env: Mapping[str, str]) -> Tuning:
        def number(name: str) -> float | None:
            try:
                value = float(env[name])
            except (KeyError, ValueError):
                return None
            return value if value > 0 else None

        size = number("CRONCTL_MAX_RESPONSE")
        return cls(poll_interval=number("CRONCTL_POLL_INTERVAL"),
                   retry_base=number("CRONCTL_RETRY_BASE"), deadline=number("CRONCTL_DEADLINE"),
                   max_response=int(size) if size else None)


def _wall() -> datetime:
    return datetime.now(UTC)


@dataclass
class Environment:
    vars: Mapping[str, str] = field(default_factory=lambda: os.environ)
    stdin_tty: bool = False
    stdout_tty: bool = False
    stderr_tty: bool = False
    clock: Callable[[], datetime] = _wall
    tuning: Tuning = field(default_factory=Tuning)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.vars.get(name, default)

    def value(self, name: str) -> str:
        """A variable stripped of the whitespace a copy-paste adds ("" when unset)."""
        return (self.vars.get(name) or "").strip()

    def extend(self, found: Mapping[str, str]) -> None:
        """Variables found beyond this process (a discovered `cronctl dev`'s: dev/discovery.py)
        join the run's, for every reader of `current()`; one set here always wins."""
        self.vars = {**found, **self.vars}


def build(environ: Mapping[str, str] | None = None, *, clock: Callable[[], datetime] = _wall
          ) -> Environment:
    """The environment of this process (or of `environ`): variables, terminals, knobs."""
    env = os.environ if environ is None else environ

    def tty(stream) -> bool:
        try:
            return bool(stream and stream.isatty())
        except (ValueError, OSError):  # closed or detached
            return False

    return Environment(vars=env, stdin_tty=tty(sys.stdin), stdout_tty=tty(sys.stdout),
                       stderr_tty=tty(sys.stderr), clock=clock, tuning=Tuning.from_vars(env))


_active: list[Environment] = []


def current() -> Environment:
    """The run's Environment; outside a run (a library call, a test), this process's own, read
    afresh."""
    return _active[-1] if _active else build()


@contextmanager
def active(env: Environment) -> Iterator[Environment]:
    """Make `env` current for the duration (runs nest: the innermost wins)."""
    _active.append(env)
    try:
        yield env
    finally:
        _active.remove(env)
