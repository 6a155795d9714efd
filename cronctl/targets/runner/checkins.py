"""Check-ins: `cronctl run`'s HTTP server takes pings in the Healthchecks.io ping protocol, so
jobs that keep no readable history (Vercel in production, a Kubernetes CronJob without the
wrap, any script) are observed by `cronctl verify` and the runner's watch (issue 28 item 3).

    /ping/<ping_key>/<job>           success          (HEAD, GET or POST)
    /ping/<ping_key>/<job>/start     a run started
    /ping/<ping_key>/<job>/fail      a run failed
    /ping/<ping_key>/<job>/<0-255>   a run ended with this exit status (0: success)
    /ping/<ping_key>/<job>/log       a note (recorded, judges nothing)
    ...?rid=<run id>                 ties a start to its end (a UUID, or a cronctl run ID
                                     such as nightly@2026-03-02T03:00:00Z: that names the slot)

`<job>` is a job of schedules.yaml (Healthchecks' "slug"). The ping key is a secret
(`runner.ping_key`, e.g. `${CRONCTL_PING_KEY}`), compared in constant time. Refusals: 401 a
wrong key, 404 an unknown job (or check-ins off), 400 a malformed path or run ID, 413 a body
over MAX_BODY, 429 a flood (per client, and over all clients). Every accepted ping is a row
of the ledger's `checkins` table (time, job, kind, run ID, exit status, client, the body's
first BODY_KEPT characters) and a log line; nothing else is ever recorded.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from ...secrets import same_secret
from ..capabilities import Observation

log = logging.getLogger("cronctl.runner")

MAX_BODY = 100_000  # bytes: Healthchecks' own default limit of a ping's body
BODY_KEPT = 2_000  # characters of it kept in the ledger
RATE_PER_CLIENT = 10.0  # pings a second, sustained, from one address ...
BURST_PER_CLIENT = 60  # ... after a burst of this many
RATE_TOTAL = 100.0  # and over every client together
BURST_TOTAL = 300
SOURCE = "check-ins"
KINDS = ("success", "start", "fail", "log")
_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}")
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:+@-]{0,199}")
_SLOT = re.compile(r"(?P<job>.+)@(?P<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z)")


@dataclass(frozen=True)
class Ping:
    job: str
    kind: str  # success | start | fail | log
    exit_code: int | None = None
    run_id: str | None = None


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse(path: str, query: str, key: str | None, jobs: Sequence[str] | set[str]) -> Ping:
    """The ping a request path names, or Refused (the key is checked before the job, so a
    wrong key learns nothing about which jobs exist)."""
    from urllib.parse import parse_qs, unquote

    parts = path.split("/")[2:]  # "", "ping", key, job[, what]
    if len(parts) not in (2, 3) or not all(parts):
        raise Refused(400, "a ping is /ping/<ping key>/<job>[/start|/fail|/log|/<0-255>]")
    given, job = unquote(parts[0]), unquote(parts[1])
    if not key or not same_secret(given, key):
        raise Refused(401 if key else 404, "wrong ping key" if key else
                      "check-ins are off: set runner.ping_key")
    if job not in jobs:
        raise Refused(404, "no such job in schedules.yaml")
    what = parts[2] if len(parts) == 3 else "success"
    exit_code = None
    if what.isdigit() and len(what) <= 3:
        exit_code = int(what)
        if exit_code > 255:
            raise Refused(400, "an exit status is 0-255")
        what = "success" if exit_code == 0 else "fail"
    elif what not in KINDS:
        raise Refused(400, "after the job: start, fail, log or an exit status 0-255")
    try:
        fields = parse_qs(query, max_num_fields=8, strict_parsing=False)
    except ValueError:
        raise Refused(400, "too many query parameters") from None
    rid = fields.get("rid", [None])[-1]
    if rid is not None and not (_UUID.fullmatch(rid) or _RUN_ID.fullmatch(rid)):
        raise Refused(400, "rid is a UUID or a run ID (letters, digits, _.:+@-; 200 at most)")
    return Ping(job, what, exit_code, rid)


class Bucket:
    """A token bucket: `rate` a second after a burst of `burst` (monotonic clock)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Limiter:
    """Pings per client address and over all clients (a flood from many addresses too)."""

    def __init__(self, per_client: float = RATE_PER_CLIENT, burst: int = BURST_PER_CLIENT,
                 total: float = RATE_TOTAL, total_burst: int = BURST_TOTAL) -> None:
        self.lock = threading.Lock()
        self.clients: dict[str, Bucket] = {}
        self.total = Bucket(total, total_burst)
        self.per_client, self.burst = per_client, burst
        self.refused = 0

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self.lock:
            if len(self.clients) > 10_000:  # forget idle clients, never grow without bound
                self.clients = {c: b for c, b in self.clients.items() if now - b.at < 60}
            bucket = self.clients.setdefault(client, Bucket(self.per_client, self.burst))
            ok = bucket.take(now) and self.total.take(now)
            self.refused += not ok
            return ok


class Checkins:
    """What the server calls for a /ping/ request: refusals, the record, the audit line."""

    def __init__(self, runner, limiter: Limiter | None = None) -> None:
        self.runner = runner
        self.limiter = limiter or Limiter()
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        runner.metrics.sections.append(self.metric_lines)

    def metric_lines(self) -> list[str]:
        with self.lock:
            counts = sorted(self.counts.items())
        return ["# HELP cronctl_checkins_total Pings received, by what they said or why they "
                "were refused.", "# TYPE cronctl_checkins_total counter",
                *(f'cronctl_checkins_total{{outcome="{k}"}} {n}' for k, n in counts)]

    def _count(self, what: str) -> None:
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def answer(self, method: str, target: str, client: str, length: str | None,
               read_body) -> tuple[int, str]:
        """(status, text) for one ping; `read_body(n)` reads n bytes of the request body."""
        path, _, query = target.partition("?")
        if not self.limiter.allow(client):
            self._count("refused_rate")
            return 429, "too many pings: slow down"
        try:
            size = int(length) if length not in (None, "") else 0
        except ValueError:
            size = -1
        try:
            if size < 0:
                raise Refused(400, "a bad Content-Length")
            if size > MAX_BODY:
                raise Refused(413, f"a ping's body is {MAX_BODY} bytes at most")
            ping = parse(path, query, ping_key(self.runner.config),
                         {j.name for j in self.runner.config.jobs})
            body = read_body(size) if size and method == "POST" else b""
        except Refused as exc:
            self._count(f"refused_{exc.status}")
            if exc.status != 401:  # a guessing client must not fill the log either
                log.warning("check-in refused (%d) from %s: %s", exc.status, client,
                            exc.message)
            else:
                log.warning("check-in refused (401) from %s: wrong ping key", client)
            return exc.status, exc.message
        at = self.runner.now_ms()
        record(self.runner.ledger, ping, at, client,
               body.decode("utf-8", "replace")[:BODY_KEPT] if body else None)
        self._count(ping.kind)
        log.info("check-in: %s %s%s%s from %s", ping.job, ping.kind,
                 f" (exit {ping.exit_code})" if ping.exit_code is not None else "",
                 f" run {ping.run_id}" if ping.run_id else "", client)
        return 200, "OK"


def ping_key(config) -> str | None:
    from ...secrets import reveal
    from .model import settings_of

    key = reveal(settings_of(config).ping_key)
    return key or None


# -- the ledger's checkins table ----------------------------------------------------------------

def record(ledger, ping: Ping, at: int, client: str, body: str | None) -> None:
    ledger._exec("INSERT INTO checkins (ping_id, job, run_id, kind, exit_code, at, client, "
                 "body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (uuid.uuid4().hex, ping.job, ping.run_id, ping.kind, ping.exit_code, at,
                  client, body))


@dataclass(frozen=True)
class Row:
    ping_id: str
    job: str
    run_id: str | None
    kind: str
    exit_code: int | None
    at: int


def rows(ledger, jobs: Sequence[str], *, since_ms: int, until_ms: int) -> list[Row]:
    out: list[Row] = []
    names = list(dict.fromkeys(jobs))
    for start in range(0, len(names), 500):
        part = names[start:start + 500]
        marks = ", ".join("?" for _ in part)
        out += [Row(*r) for r in ledger._query(
            f"SELECT ping_id, job, run_id, kind, exit_code, at FROM checkins WHERE job IN "
            f"({marks}) AND at >= ? AND at <= ? ORDER BY at, ping_id",
            (*part, since_ms, until_ms))]
    out.sort(key=lambda r: (r.at, r.ping_id))
    return out


def observations(found: Sequence[Row]) -> list[Observation]:
    """Runs from pings. With a run ID, a start and its end are one run (a run ID that is a
    cronctl run ID, `job@time`, names its slot). Without one, an end closes the job's latest
    open start (Healthchecks' rule); an end with no start is a run of its own, a start with
    no end is still running. `log` pings judge nothing."""
    by_rid: dict[tuple[str, str], list[Row]] = {}
    open_: dict[str, Row] = {}
    out: list[Observation] = []
    for row in found:
        if row.kind == "log":
            continue
        if row.run_id:
            by_rid.setdefault((row.job, row.run_id), []).append(row)
            continue
        if row.kind == "start":
            old = open_.pop(row.job, None)
            if old is not None:  # started again before it ended: the older one never ended
                out.append(_run(row.job, None, old, None))
            open_[row.job] = row
        else:
            out.append(_run(row.job, None, open_.pop(row.job, None), row))
    out += [_run(job, None, start, None) for job, start in open_.items()]
    for (job, rid), group in by_rid.items():
        start = next((r for r in group if r.kind == "start"), None)
        end = next((r for r in reversed(group) if r.kind != "start"), None)
        out.append(_run(job, rid, start, end))
    return out


def _run(job: str, rid: str | None, start: Row | None, end: Row | None) -> Observation:
    first = start or end
    assert first is not None
    outcome = "running" if end is None else ("failed" if end.kind == "fail" else "ok")
    return Observation(job=job, run_id=rid, slot_ms=slot_of(job, rid),
                       started_ms=first.at, ended_ms=end.at if end else None,
                       outcome=outcome, started_by="check-in", source=SOURCE)


def slot_of(job: str, rid: str | None) -> int | None:
    """The slot a cronctl run ID of this job names (`job@2026-03-02T03:00:00Z`), else None."""
    if not rid:
        return None
    m = _SLOT.fullmatch(rid)
    if m is None or m["job"] != job:
        return None
    from datetime import datetime

    try:
        return int(datetime.fromisoformat(m["at"].replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None
