"""The runner target's part of schedules.yaml: `target: runner` jobs and the top-level
`runner:` settings (frozen dataclasses checked by config/shape.py), and how a job becomes the
`Job` the target plans with. Light: `cronctl validate` imports it.

No `from __future__ import annotations`: shape.py reads these annotations as objects.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from ...config.model import Duration, JobFields, MethodField, VerifySettings
from ...config.shape import Before, Ge, Le, Pattern, spec
from ...durations import parse_duration
from ...secrets import reveal

Overlap = Literal["allow", "forbid", "replace"]
Catchup = Literal["latest", "all", "none"]


@spec
class RunnerJob(JobFields):
    """A job of the runner target: an HTTP job (`path` on the base URL) or a command job
    (`command: [...]`), fired by `cronctl run`."""

    path: str | None = None  # type: ignore[assignment]
    """An HTTP job's path: the runner calls `runner.base_url` (or `base_url`) + path."""
    timezone: str | None = None
    """An IANA zone the schedule is read in (default UTC)."""
    method: MethodField | None = None
    """An HTTP job's method (default `POST`)."""
    headers: dict[str, str | None] = field(default_factory=dict)
    """An HTTP job's headers, beside `Authorization: Bearer $CRON_SECRET` and the
    `X-Cronctl-*` headers."""
    body: dict[str, Any] | list[Any] | str | None = None
    """An HTTP job's body: a mapping or list is sent as JSON, a string as is."""
    command: list[str] | None = None
    """A command job's command, e.g. `[python, manage.py, nightly_report]`."""
    env: dict[str, str] = field(default_factory=dict)
    """A command job's extra environment."""
    pass_env: list[Annotated[str, Pattern(r"^[A-Za-z_][A-Za-z0-9_]*$")]] = \
        field(default_factory=list)
    """Variables of the runner's environment a command job gets too, beside its `env` and
    the base set (PATH, HOME, USER, LOGNAME, SHELL, LANG, LANGUAGE, LC_*, TZ, TMPDIR, TERM);
    nothing else of the runner's environment reaches a command."""
    workdir: str | None = None
    """A command job's working directory, relative to schedules.yaml."""
    timeout: Duration | None = None
    """How long a run may take (default 300s); a command then gets SIGTERM, then SIGKILL."""
    retries: Annotated[int, Ge(0), Le(100)] | None = None
    """Attempts after a failed one, waiting `retry_backoff`, then twice as long each time."""
    retry_backoff: Duration | None = None
    """The first wait between attempts (default 10s; at most 1h)."""
    jitter: Duration | None = None
    """Start up to this late, the same delay on every replica."""
    overlap: Overlap = "forbid"
    """A run due while one is running: `forbid` records it as skipped, `replace` stops the
    running one, `allow` runs both."""
    catchup: Catchup = "latest"
    """Runs that came due while no runner ran, or while it stalled (suspended, overloaded, a
    clock jump): `latest` fires the newest, `all` each in order, `none` none (the others are
    recorded as missed)."""
    starting_deadline: Duration | None = None
    """A run that cannot start within this of its time is missed."""
    pause_after_failures: Annotated[int, Ge(1)] | None = None
    """Pause the job after this many failed runs in a row."""
    notify: list[str] | None = None
    """apprise URLs told when the job starts failing, is paused and recovers (default:
    `runner.notify`)."""


@spec
class RunnerSettings:
    """How `cronctl run` runs the runner target's jobs: its ledger, its server, its limits."""

    # SQLite path (relative to schedules.yaml) or postgresql://...; CRONCTL_DATABASE_URL wins.
    database: str = ".cronctl/runner.sqlite3"
    """The ledger: a SQLite path (relative to schedules.yaml) or `postgresql://...` for
    several replicas; `CRONCTL_DATABASE_URL` wins."""
    base_url: str | None = None  # where HTTP jobs call (default: the top-level base_url)
    """Where HTTP jobs call (default: the top-level `base_url`)."""
    listen: str = "127.0.0.1:9464"  # /healthz and /metrics (empty: no server)
    """Where `/healthz` and `/metrics` are served (`''`: nowhere; `--listen` wins)."""
    keep_days: Annotated[int, Ge(1)] = 90
    """Finished runs older than this many days are forgotten..."""
    keep_min_runs: Annotated[int, Ge(0)] = 100
    """...but each job keeps at least its newest this many."""
    lease: Annotated[int, Before(parse_duration, accepts=Annotated[int, Ge(0)] | str),
                     Ge(3)] = 30
    """A running run's lease, renewed every third of it; once it runs out, another replica
    records the run as abandoned."""
    kill_grace: Duration = 10  # SIGTERM, then SIGKILL after this long
    """How long a stopped command gets between SIGTERM and SIGKILL."""
    max_parallel: Annotated[int, Ge(1)] = 64
    """Runs at once on one replica."""
    notify: list[str] = field(default_factory=list)  # every runner job's, unless it has its own
    """apprise URLs for every runner job without its own `notify`."""
    verify: VerifySettings | None = None
    """`cronctl verify` for its jobs: tolerance, grace, max_runtime (a job's own `verify:`
    wins)."""


HINTS = {
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
    "method": "one of GET, POST, PUT, PATCH, DELETE",
    "timeout": "a duration like 30s, 5m or 1h",
    "starting_deadline": "a duration like 30s, 5m or 1h",
    "retries": "a whole number, e.g. 3",
    "jitter": "a duration like 30s",
    "body": "a mapping or list (sent as JSON), or a text",
    "env": "a mapping of variable name to text",
    "pass_env": "a list of environment variable names the command gets from the runner's "
                "environment, e.g. [DATABASE_URL, AWS_REGION]",
}
LIMITS = ("is not supported by the runner target", "see docs/targets/runner.md for its "
          "keys (path or command, overlap, catchup, retries, notify, ...)")


@dataclass(frozen=True)
class RunnerSpec:
    """The runner target's own part of a loaded job: the validated job as written (job.py
    resolves it for running)."""

    model: RunnerJob

    def secrets(self) -> list[str]:
        """Forwarded header values: never printed (config/build.py's secrets_of asks)."""
        return [reveal(v) for k, v in self.model.headers.items()
                if v and k.lower() != "content-type"]


def build(job: RunnerJob, ctx: Any) -> dict[str, Any]:
    return {"timezone": job.timezone or "UTC", "spec": RunnerSpec(job)}


def dialect(settings: Any):
    """Robfig, as Kubernetes parses it (the zone as a field)."""
    from ... import cron

    return cron.get_dialect("kubernetes")


def reads(jobs: list) -> set[str]:
    """Its settings when it has jobs; base_url when one calls a path."""
    keys = {"runner"} if jobs else set()
    return keys | ({"base_url"} if any(j.path for j in jobs) else set())


def settings_of(config: Any) -> RunnerSettings:
    return config.settings.get("runner") or RunnerSettings()
