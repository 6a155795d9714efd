"""The Python route wrapper of examples/checkins (issue 28 item 3): its slot agrees with robfig's
own evaluator (cronctl's port, proven against robfig elsewhere) on many schedules, zones and
times, so the run ID it derives is the one a failover of the same slot carries; and it checks
in to a real `cronctl run` (start, then success or fail, tied by that run ID)."""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cronctl.cron import robfig
from cronctl.targets.runner import checkins
from tests.conftest import REPO_ROOT
from tests.targets.runner.test_checkins import KEY, running  # noqa: F401 (a fixture)

spec = importlib.util.spec_from_file_location(
    "cronctl_checkin", REPO_ROOT / "examples" / "checkins" / "cronctl_checkin.py")
wrapper = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wrapper)

SCHEDULES = ["* * * * *", "*/5 * * * *", "0 3 * * *", "30 2 * * *", "15 */6 * * 1-5",
             "0 0 1,15 * *", "0 9 * * MON", "0 0 13 * 5", "45 23 28-31 * *",
             "0 12 * JAN,JUL SUN", "@hourly", "@weekly", "7 1 * * 0"]
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata"]


def robfig_slot(schedule: str, now: datetime, zone: str) -> datetime:
    """The latest robfig run at or before now + 2 s, from robfig's own Next."""
    sched, tz = robfig.parse(schedule), ZoneInfo(zone)
    limit = (now + wrapper.SKEW).timestamp()
    best = nxt = None
    # jump close first: Next from a day back, a week back, ... until one lands before now
    for back in (3600, 86400, 8 * 86400, 40 * 86400, 400 * 86400):
        t = limit - back
        nxt = robfig.next_unix(sched, t - 1, tz)
        if nxt is not None and nxt <= limit:
            break
    while nxt is not None and nxt <= limit:
        best, nxt = nxt, robfig.next_unix(sched, nxt, tz)
    assert best is not None
    return datetime.fromtimestamp(best, UTC)


@pytest.mark.parametrize("zone", ZONES)
def test_the_wrapper_finds_robfigs_slot(zone):
    rng = random.Random(f"slots-{zone}")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(60):
        now = start + timedelta(seconds=rng.randrange(0, 365 * 86400))
        schedule = rng.choice(SCHEDULES)
        assert wrapper.slot(schedule, now, zone) == robfig_slot(schedule, now, zone), \
            (schedule, zone, now)


def test_the_run_id_is_the_failovers_and_a_failover_says_its_own():
    at = datetime(2026, 3, 8, 3, 0, 4, tzinfo=UTC)  # fired 4 s after its slot
    assert wrapper.run_id("nightly", "0 3 * * *", {}, now=at) == "nightly@2026-03-08T03:00:00Z"
    from cronctl.targets.runner.job import run_id

    assert run_id("nightly", int(datetime(2026, 3, 8, 3, tzinfo=UTC).timestamp() * 1000)) \
        == "nightly@2026-03-08T03:00:00Z"
    told = {"X-Cronctl-Run-Id": "nightly@2026-03-07T03:00:00Z"}
    assert wrapper.run_id("nightly", "0 3 * * *", told, now=at) == told["X-Cronctl-Run-Id"]


def test_the_wrapper_checks_in_to_a_real_runner(running):  # noqa: F811
    base = f"{running.base}/ping/{KEY}"
    with wrapper.checkin("nightly", "* * * * *", base=base) as rid:
        assert rid.startswith("nightly@")
    failover = {"X-Cronctl-Run-Id": "nightly@2026-03-02T03:00:00Z"}
    with pytest.raises(RuntimeError), wrapper.checkin("nightly", "* * * * *", base=base,
                                                      headers=failover):
        raise RuntimeError("boom")
    rows = running.pings()
    assert [r[1] for r in rows] == ["start", "success", "start", "fail"]
    assert rows[0][2] == rid and "RuntimeError: boom" in rows[3][4]
    runs = checkins.observations(checkins.rows(running.db, ["nightly"], since_ms=0,
                                               until_ms=2**62))
    by_id = {r.run_id: r for r in runs}
    assert by_id[rid].outcome == "ok" and by_id[rid].slot_ms == checkins.slot_of("nightly", rid)
    failed = by_id["nightly@2026-03-02T03:00:00Z"]  # the run ID names its slot
    assert failed.outcome == "failed" and failed.slot_ms == 1772420400000
    assert not wrapper.ping("nightly", "", rid, base=f"{running.base}/ping/wrong-key-000000")
