"""Check in to `cronctl run` from a Python cron route (Flask, Django, FastAPI, a script).

Copy this file into your app; it needs only the standard library.

    from cronctl_checkin import checkin

    @app.post("/api/cron/nightly")
    def nightly():
        with checkin("nightly", "0 3 * * *", headers=request.headers) as run_id:
            if already_done(run_id):      # a failover and a late provider run share it
                return "duplicate", 200
            do_the_work()
        return "ok"

It pings `<CRONCTL_PING_URL>/<job>/start?rid=<run id>` before the work and `<job>?rid=...`
(success) or `<job>/fail?rid=...` after it. CRONCTL_PING_URL is the runner's ping base with
its key, e.g. https://runner.internal:9464/ping/<ping key> (a secret: keep it in the
environment). A ping that cannot be sent never fails the route.

The run ID is the one cronctl's failover uses for the same slot, `<job>@<slot, UTC ISO>`: a
failover call says it (`X-Cronctl-Run-Id`); for a provider's own delivery it is derived from the
schedule: the latest time the schedule names at or before now (a minute of clock skew allowed
ahead). So the second of two calls for one slot (the provider's, late, after a failover) has
the same run ID, and the app can drop it.
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SKEW = timedelta(seconds=2)  # a provider may fire a moment before its slot (clocks differ)
LOOKBACK_MINUTES = 366 * 24 * 60  # a yearly schedule's previous slot is within a year
_NAMES = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
          "sep": 9, "oct": 10, "nov": 11, "dec": 12,
          "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
           "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@hourly": "0 * * * *"}


def _field(text: str, low: int, high: int) -> tuple[set[int], bool]:
    """The values a cron field names, and whether it was `*` (or `?`)."""
    out: set[int] = set()
    for part in text.lower().split(","):
        step = 1
        if "/" in part:
            part, s = part.split("/", 1)
            step = int(s)
        if part in ("*", "?"):
            a, b = low, high
        elif "-" in part:
            x, y = part.split("-", 1)
            a, b = int(_NAMES.get(x, x)), int(_NAMES.get(y, y))
        else:
            a = int(_NAMES.get(part, part))
            b = high if step > 1 else a
        out.update(range(a, b + 1, step))
    return out, text in ("*", "?")


def slot(schedule: str, now: datetime, timezone: str = "UTC") -> datetime:
    """The latest time `schedule` (5 fields, as QStash, Vercel and the runner read them) names
    at or before `now` (+ SKEW), in UTC."""
    text = schedule.strip()
    if text.startswith("CRON_TZ="):
        zone, text = text.split(None, 1)
        timezone = zone.split("=", 1)[1]
    text = _MACROS.get(text, text)
    minute, hour, dom, month, dow = text.split()
    mins, _ = _field(minute, 0, 59)
    hours, _ = _field(hour, 0, 23)
    days, any_day = _field(dom, 1, 31)
    months, _ = _field(month, 1, 12)
    weekdays, any_weekday = _field(dow, 0, 7)
    weekdays = {d % 7 for d in weekdays}
    tz = ZoneInfo(timezone)
    t = (now + SKEW).astimezone(UTC).replace(second=0, microsecond=0)
    for _ in range(LOOKBACK_MINUTES):
        local = t.astimezone(tz)
        dom_ok, dow_ok = local.day in days, (local.isoweekday() % 7) in weekdays
        # cron's rule: both day fields restricted, either one matches; else both must
        day_ok = dom_ok and dow_ok if any_day or any_weekday else dom_ok or dow_ok
        if (local.minute in mins and local.hour in hours and local.month in months
                and day_ok):
            return t
        t -= timedelta(minutes=1)
    raise ValueError(f"{schedule!r} names no time in the year before {now.isoformat()}")


def run_id(job: str, schedule: str, headers: Mapping[str, str] | None = None,
           now: datetime | None = None, timezone: str = "UTC") -> str:
    """The slot's deterministic run ID: a failover call's own, else derived from the schedule."""
    for name, value in (headers or {}).items():
        if name.lower() == "x-cronctl-run-id" and value:
            return value
    at = slot(schedule, now or datetime.now(UTC), timezone)
    return f"{job}@{at.strftime('%Y-%m-%dT%H:%M:%SZ')}"


def ping(job: str, what: str, rid: str, base: str | None = None, body: bytes = b"") -> bool:
    """One ping (`what`: "" success, "start", "fail"); False when it could not be sent."""
    base = base or os.environ.get("CRONCTL_PING_URL")
    if not base:
        return False
    url = f"{base.rstrip('/')}/{urllib.parse.quote(job)}{'/' + what if what else ''}"
    url += "?" + urllib.parse.urlencode({"rid": rid})
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body[:10_000] or None,
                                                           method="POST"), timeout=5):
            return True
    except OSError:
        return False


@contextmanager
def checkin(job: str, schedule: str, *, headers: Mapping[str, str] | None = None,
            timezone: str = "UTC", base: str | None = None) -> Iterator[str]:
    """Ping start, yield the run ID, then ping success, or fail (and re-raise) on an error."""
    rid = run_id(job, schedule, headers, timezone=timezone)
    ping(job, "start", rid, base)
    try:
        yield rid
    except BaseException as exc:
        ping(job, "fail", rid, base, f"{type(exc).__name__}: {exc}".encode())
        raise
    ping(job, "", rid, base)
