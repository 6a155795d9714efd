"""State survives a restart (file DB); schedules fire at their local times across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cronctl.testing import DevServer

DEST = "https://app.example.com/api/cron/x"


def test_schedules_events_and_pause_survive_a_restart(tmp_path, api_for, receiver):
    db = tmp_path / ".cronctl" / "dev.sqlite3"
    with DevServer(memory=False, db_path=db, clock="frozen:2026-01-05T08:00:00Z") as srv:
        api = api_for(srv)
        api.upsert(f"{receiver.url}/a", "0 9 * * *", body="b", Upstash_Schedule_Id="a",
                   Upstash_Retries="1")
        api.upsert(DEST, "*/5 * * * *", Upstash_Schedule_Id="p")
        api.request("POST", "/v2/schedules/p/pause")
        srv.advance(3600)
        before = srv.schedules()
        events = srv.events(scheduleId="a")
    assert db.is_file() and len(events) == 3
    with DevServer(memory=False, db_path=db, clock="frozen:2026-01-05T09:30:00Z") as again:
        assert again.schedules() == before
        assert again.events(scheduleId="a") == events
        assert {s["scheduleId"]: s["isPaused"] for s in again.schedules()} == {
            "a": False, "p": True}


def test_memory_state_is_gone_after_a_restart(api_for):
    with DevServer() as srv:
        api_for(srv).upsert(DEST, Upstash_Schedule_Id="a")
    with DevServer() as srv:
        assert srv.schedules() == []


def _fire_times(srv, api, receiver, cron: str, days: int) -> list[str]:
    api.upsert(f"{receiver.url}/tz", cron, Upstash_Schedule_Id="tz")
    srv.advance(days * 86400)
    return [datetime.fromtimestamp(e["time"] / 1000, UTC).strftime("%m-%d %H:%M")
            for e in reversed(srv.events(scheduleId="tz", state="CREATED"))]


@pytest.fixture
def march(receiver):
    with DevServer(clock="frozen:2026-03-06T12:00:00Z") as srv:
        yield srv


def test_new_york_across_the_spring_forward(march, api_for, receiver):
    # 02:30 does not exist on 2026-03-08 in New York: QStash (robfig/cron) skips that day's run.
    times = _fire_times(march, api_for(march), receiver,
                        "CRON_TZ=America/New_York 30 2 * * *", 4)
    assert times == ["03-07 07:30", "03-09 06:30", "03-10 06:30"]
    assert len(receiver.requests) == 3


def test_lisbon_across_both_changes(api_for, receiver):
    with DevServer(clock="frozen:2026-03-27T12:00:00Z") as srv:
        times = _fire_times(srv, api_for(srv), receiver, "CRON_TZ=Europe/Lisbon 30 9 * * *", 4)
        assert times == ["03-28 09:30", "03-29 08:30", "03-30 08:30", "03-31 08:30"]
    with DevServer(clock="frozen:2026-10-23T12:00:00Z") as srv:
        # 01:30 happens twice on 2026-10-25 in Lisbon: QStash (robfig/cron) runs it twice.
        times = _fire_times(srv, api_for(srv), receiver, "CRON_TZ=Europe/Lisbon 30 1 * * *", 4)
        assert times == ["10-24 00:30", "10-25 00:30", "10-25 01:30", "10-26 01:30",
                         "10-27 01:30"]


def test_utc_schedule_over_a_day_fires_every_run_in_order(srv, api, receiver):
    times = _fire_times(srv, api, receiver, "0 */6 * * *", 1)
    assert times == ["01-05 12:00", "01-05 18:00", "01-06 00:00", "01-06 06:00"]
    assert srv.now() == datetime(2026, 1, 6, 8, tzinfo=UTC)
