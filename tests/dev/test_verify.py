"""`cronctl verify` against a real `cronctl dev` subprocess (frozen clock, moved on through its
control API) delivering to a real app on loopback: healthy jobs give zero false alarms; a
schedule deleted or paused behind cronctl's back through QStash's own API is reported missed,
with the drift named, and the exit code says so."""

from __future__ import annotations

import json

import httpx
import pytest

from cronctl.dev import TOKEN
from cronctl.testing import ReceiverApp
from tests.dev.conftest import poll
from tests.dev.conftest import second_terminal as clean_env
from tests.dev.test_autoapply import business, cli, config, cronctl_dev, infra

SECRET = "verify-cron-secret-value"
START = "2026-01-05T08:00:00Z"
TICK = "cronctl.acme.tick"


@pytest.fixture
def app():
    with ReceiverApp() as receiver:
        yield receiver


def project(tmp_path) -> None:
    off = "  off:\n    tier: business\n    path: /api/cron/off\n    schedule: \"* * * * *\"\n" \
          "    enabled: false\n"
    (tmp_path / "schedules.yaml").write_text(config(
        business("tick", "*/5 * * * *") + business("nightly", "0 3 * * *")
        + infra("hourly", "0 * * * *") + off))


def verify(folder, *args: str) -> tuple[int, dict]:
    done = cli(folder, "verify", "--json", *args, env=clean_env())
    assert done.returncode in (0, 1), done.stderr
    assert SECRET not in done.stdout + done.stderr
    return done.returncode, {j["job"]: j for j in json.loads(done.stdout)["jobs"]}


def test_healthy_jobs_verify_clean_and_a_deleted_schedule_is_missed(tmp_path, app):
    project(tmp_path)
    with cronctl_dev(tmp_path, "--clock", f"frozen:{START}", "--app-url", app.url,
                     env=clean_env(CRON_SECRET=SECRET)) as dev:
        poll(lambda: TICK in dev.schedules(), "the file applied")
        dev.advance(3 * 3600)  # 08:00 -> 11:00
        assert len([r for r in app.requests if r.path == "/api/cron/tick"]) == 36

        code, jobs = verify(tmp_path, "--since", "4h")
        assert code == 0
        tick, hourly = jobs["tick"], jobs["hourly"]
        # created at 08:00: 08:05 ... 11:00, every one delivered; nothing before it expected
        assert (tick["expected"], tick["counts"]["ok"], tick["counts"]["missed"]) == (36, 36, 0)
        assert tick["drift"] is None and tick["problems"] == [] and tick["unexpected"] == []
        # cronctl dev fired the Vercel cron at 09:00, 10:00 and 11:00 (loaded at 08:00)
        assert (hourly["expected"], hourly["counts"]["ok"]) == (3, 3)
        assert jobs["nightly"]["expected"] == 0
        assert jobs["off"]["enabled"] is False and jobs["off"]["expected"] == 0
        # QStash keeps a week of logs: a longer window is judged from a week ago, and says so
        code, month = verify(tmp_path, "--since", "30d")
        assert code == 0 and month["tick"]["counts"] == tick["counts"]
        assert "QStash keeps its runs for 7 days" in month["tick"]["note"]
        assert month["hourly"]["note"] is None

        # Deleted through QStash's own API, not through cronctl: the file still says enabled.
        assert dev.call("DELETE", f"/v2/schedules/{TICK}").status_code == 200
        dev.advance(3600)  # 11:00 -> 12:00
        code, jobs = verify(tmp_path, "--since", "1h")
        assert code == 1
        tick = jobs["tick"]
        # 11:00 ran before the delete; 11:05 ... 11:55 missed; 12:00 is due within tolerance
        assert (tick["counts"]["ok"], tick["counts"]["missed"], tick["counts"]["pending"]) \
            == (1, 11, 1)
        assert "not on QStash" in tick["drift"] and "behind cronctl's back" in tick["drift"]
        assert jobs["hourly"]["counts"] == {**jobs["hourly"]["counts"], "ok": 2, "missed": 0}

        text = cli(tmp_path, "verify", "tick", "--since", "1h", env=clean_env())
        assert text.returncode == 1
        assert "drift: schedule cronctl.acme.tick is not on QStash" in text.stdout
        assert "2026-01-05 11:05:00 UTC  missed" in text.stdout
        assert "Problems found." in text.stdout


def test_a_schedule_paused_behind_cronctls_back_is_missed(tmp_path, app):
    project(tmp_path)
    with cronctl_dev(tmp_path, "--clock", f"frozen:{START}", "--app-url", app.url,
                     env=clean_env(CRON_SECRET=SECRET)) as dev:
        poll(lambda: TICK in dev.schedules(), "the file applied")
        # a schedule of this project that no job of the file owns (created behind its back)
        ghost = httpx.post(f"{dev.url}/v2/schedules/{app.url}/api/cron/ghost", headers={
            "Authorization": f"Bearer {TOKEN}", "Upstash-Cron": "*/10 * * * *",
            "Upstash-Schedule-Id": "cronctl.acme.ghost"}, timeout=10)
        assert ghost.status_code == 200, ghost.text
        dev.advance(1800)
        assert dev.call("POST", f"/v2/schedules/{TICK}/pause").status_code == 200
        dev.advance(1800)  # 08:30 -> 09:00: six slots not fired
        everything = cli(tmp_path, "verify", "--json", "--since", "1h", env=clean_env())
        strays = json.loads(everything.stdout)["unknown_jobs"]
        assert {s["job"] for s in strays} == {"ghost"} and len(strays) == 6
        assert all(s["source"] == "QStash logs" and s["run_id"] for s in strays)
        code, jobs = verify(tmp_path, "tick", "--since", "1h")
        assert code == 1 and list(jobs) == ["tick"]
        tick = jobs["tick"]
        assert (tick["counts"]["ok"], tick["counts"]["missed"], tick["counts"]["pending"]) \
            == (6, 5, 1)
        assert "paused on QStash while the file says enabled" in tick["drift"]
        assert [p["scheduled"] for p in tick["problems"]][:2] == [
            "2026-01-05T08:35:00+00:00", "2026-01-05T08:40:00+00:00"]


def test_failed_deliveries_fail_verify(tmp_path, app):
    project(tmp_path)
    app.respond(500)
    with cronctl_dev(tmp_path, "--clock", f"frozen:{START}", "--app-url", app.url,
                     env=clean_env(CRON_SECRET=SECRET)) as dev:
        poll(lambda: TICK in dev.schedules(), "the file applied")
        dev.advance(900 + 3600)  # 3 slots, every retry fails well inside the hour after
        code, jobs = verify(tmp_path, "tick", "--since", "2h")
        assert code == 1
        counts = jobs["tick"]["counts"]
        assert counts["failed"] >= 3 and counts["missed"] == 0
        assert all(p["state"] == "failed" and p["run_ids"] for p in jobs["tick"]["problems"])


def test_dst_days_give_no_false_alarm(tmp_path, app):
    """New York, autumn: 01:30 happens twice and QStash (robfig) fires both, two slots, not a
    duplicate. Spring: 02:30 does not exist that day, no slot, not a missed run."""
    zoned = ("  back:\n    tier: business\n    path: /api/cron/back\n"
             "    schedule: \"30 1 * * *\"\n    timezone: America/New_York\n")
    (tmp_path / "schedules.yaml").write_text(config(zoned + zoned.replace(
        "back", "forward").replace("30 1", "30 2")))
    with cronctl_dev(tmp_path, "--clock", "frozen:2026-10-31T12:00:00Z", "--app-url", app.url,
                     env=clean_env(CRON_SECRET=SECRET)) as dev:
        poll(lambda: "cronctl.acme.back" in dev.schedules(), "the file applied")
        dev.advance(3 * 86400)
        code, jobs = verify(tmp_path, "back", "--since", "3d")
        assert code == 0
        back = jobs["back"]
        assert (back["expected"], back["counts"]["ok"]) == (4, 4)  # 11-01 twice, 11-02, 11-03
        assert back["counts"]["duplicate"] == 0 and back["unexpected"] == []
    with cronctl_dev(tmp_path, "--clock", "frozen:2026-03-07T12:00:00Z", "--app-url", app.url,
                     env=clean_env(CRON_SECRET=SECRET)) as dev:
        poll(lambda: "cronctl.acme.forward" in dev.schedules(), "the file applied")
        dev.advance(3 * 86400)
        code, jobs = verify(tmp_path, "forward", "--since", "3d")
        assert code == 0
        forward = jobs["forward"]
        assert (forward["expected"], forward["counts"]["ok"]) == (2, 2)  # 03-09, 03-10 only
        assert forward["counts"]["missed"] == 0
