"""The file format of the runner target: `target: runner` jobs and the top-level `runner:`
settings, declared like config/model.py's (frozen dataclasses checked by config/shape.py).

No `from __future__ import annotations`: shape.py reads these annotations as objects.
"""

from dataclasses import field
from typing import Annotated, Any, Literal

from ...config.shape import Before, Ge, Le, Pattern, spec
from ...durations import DURATION, parse_duration

Duration = Annotated[int, Before(parse_duration, accepts=Annotated[int, Ge(0)] | str)]
_ = DURATION  # the pattern, for the JSON Schema


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


Method = Annotated[Literal["GET", "POST", "PUT", "PATCH", "DELETE"], Before(_upper)]
Overlap = Literal["allow", "forbid", "replace"]
Catchup = Literal["latest", "all", "none"]


@spec
class RunnerJob:
    """A job of the runner target: an HTTP job (`path` on the base URL) or a command job
    (`command: [...]`), fired by `cronctl run`."""

    # the common fields (as config/model.py's _JobCommon; issue 21 moves them to one place)
    tier: Literal["infrastructure", "business"] | None = None
    target: Literal["runner"] | None = None
    path: str | None = None
    schedule: str
    priority: Literal["critical", "high", "medium", "low"] = "medium"
    description: str | None = None
    enabled: bool = True
    locked: bool = False
    renamed_from: Annotated[str, Pattern(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")] | None = None
    # the runner's own
    timezone: str | None = None
    method: Method | None = None
    headers: dict[str, str | None] = field(default_factory=dict)
    body: dict[str, Any] | list[Any] | str | None = None
    command: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    workdir: str | None = None
    timeout: Duration | None = None
    retries: Annotated[int, Ge(0), Le(100)] | None = None
    retry_backoff: Duration | None = None
    jitter: Duration | None = None
    overlap: Overlap = "forbid"
    catchup: Catchup = "latest"
    starting_deadline: Duration | None = None
    pause_after_failures: Annotated[int, Ge(1)] | None = None
    notify: list[str] | None = None


@spec
class RunnerSettings:
    """`runner:` at the top level of schedules.yaml."""

    # SQLite path (relative to schedules.yaml) or postgresql://...; CRONCTL_DATABASE_URL wins.
    database: str = ".cronctl/runner.sqlite3"
    base_url: str | None = None  # where HTTP jobs call (default: the top-level base_url)
    listen: str = "127.0.0.1:9464"  # /healthz and /metrics (empty: no server)
    keep_days: Annotated[int, Ge(1)] = 90
    keep_min_runs: Annotated[int, Ge(0)] = 100
    lease: Annotated[int, Before(parse_duration, accepts=Annotated[int, Ge(0)] | str),
                     Ge(3)] = 30
    kill_grace: Duration = 10  # SIGTERM, then SIGKILL after this long
    max_parallel: Annotated[int, Ge(1)] = 64
    notify: list[str] = field(default_factory=list)  # every runner job's, unless it has its own


FIELD_HINTS = {
    "overlap": "one of allow, forbid, replace",
    "catchup": "one of latest, all, none",
    "command": "a list of strings, e.g. [python, manage.py, cleanup]",
    "retry_backoff": "a duration like 10s or 1m (doubled after each failed attempt)",
    "pause_after_failures": "a whole number of failed runs in a row, at least 1",
    "notify": "a list of apprise URLs, e.g. [\"slack://T000/B000/XXXX\"]",
    "workdir": "a directory, relative to schedules.yaml or absolute",
    "database": "a SQLite path, or postgresql://user@host/db",
    "keep_days": "a whole number of days, at least 1",
    "keep_min_runs": "a whole number of runs per job",
    "lease": "a duration of at least 3s, e.g. 30s",
    "kill_grace": "a duration like 10s",
    "listen": "host:port for /healthz and /metrics, e.g. 0.0.0.0:9464",
    "max_parallel": "a whole number of runs at once, at least 1",
}
