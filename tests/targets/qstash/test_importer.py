"""import: live schedules and vercel.json crons become valid schedules.yaml entries."""

import yaml

from cronctl.config import inspect_config
from cronctl.importing import render
from cronctl.targets.qstash.importer import base_url_of, from_qstash, placeholder
from cronctl.targets.qstash.spec import from_live
from cronctl.targets.vercel.importer import from_vercel


def test_import_round_trips_through_the_loader(tmp_path):
    live = [
        from_live({"scheduleId": "scd_abc", "destination": "https://app.io/api/cron/a",
                   "cron": "CRON_TZ=Europe/Lisbon 0 9 * * *", "retries": 5,
                   "header": {"Upstash-Forward-Authorization": ["Bearer abcdef123456"],
                              "Content-Type": ["application/json"]},
                   "body": '{"kind": "daily"}', "isPaused": True}),
        from_live({"scheduleId": "cronctl.old.b", "destination": "https://app.io/api/cron/b",
                   "cron": "*/15 * * * *"}),
        from_live({"scheduleId": "scd_x", "destination": "https://elsewhere.io/hook",
                   "cron": "0 0 * * *"}),
    ]
    base = base_url_of(live)
    assert base == "https://app.io"
    taken: set[str] = set()
    jobs = from_vercel([{"path": "/api/cron/keep-alive", "schedule": "0 6 * * *"}], taken)
    business, skipped = from_qstash(live, base, taken, "acme")
    jobs.update(business)
    assert len(skipped) == 2 and "elsewhere.io" in skipped[1]
    assert "managed by cronctl project 'old'" in skipped[0]  # never imported, never adopted
    text = render("acme", base, jobs)
    assert "abcdef123456" not in text
    doc = yaml.safe_load(text)
    a = doc["jobs"]["a"]
    assert a["timezone"] == "Europe/Lisbon" and a["enabled"] is False and a["retries"] == 5
    assert a["headers"] == {"Authorization": "Bearer ${CRON_SECRET}"}
    assert a["body"] == {"kind": "daily"}
    assert doc["jobs"]["keep-alive"]["tier"] == "infrastructure"
    path = tmp_path / "schedules.yaml"
    path.write_text(text)
    config, diags = inspect_config(path, env={"CRON_SECRET": "x" * 20})
    assert config is not None, [d.render() for d in diags]
    assert {j.name for j in config.jobs} == {"keep-alive", "a"}


def test_placeholders_for_secret_looking_headers():
    assert placeholder("authorization", "Bearer xyz") == "Bearer ${CRON_SECRET}"
    assert placeholder("x-api-key", "k") == "${X_API_KEY}"
    assert placeholder("x-tenant", "acme") == "${X_TENANT}"  # nothing forwarded is copied
    assert placeholder("content-type", "text/plain") == "text/plain"
