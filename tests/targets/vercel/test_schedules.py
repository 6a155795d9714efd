"""vercel.output: schedules — the `schedules` object of vercel.json, every other byte kept, and
the migration from `crons` in one reviewed diff."""

from __future__ import annotations

import json

HEAD = """\
version: 1
project: acme
base_url: https://app.example.com
vercel:
  output: {output}
jobs:
  beat:
    tier: infrastructure
    path: /api/beat
    schedule: "0 6 * * *"
{beat_extra}  sweep:
    tier: infrastructure
    path: /api/sweep
    schedule: "30 2 * * *"
"""


def yaml(output: str = "schedules", beat_extra: str = "") -> str:
    return HEAD.format(output=output, beat_extra=beat_extra)


LISBON = "    timezone: Europe/Lisbon\n    jitter: 5\n"

# Tabs, CRLF, a BOM, odd key order, a function schedule cronctl does not own.
ORIGINAL = (
    "\ufeff{\r\n"
    "\t\"$schema\": \"https://openapi.vercel.sh/vercel.json\",\r\n"
    "\t\"rewrites\": [ {\"source\": \"/(.*)\", \"destination\": \"/\"} ],\r\n"
    "\t\"schedules\": {\r\n"
    "\t\t\"cleanup\": { \"schedule\": \"0 * * * *\", \"function\": \"api/cleanup\" }\r\n"
    "\t},\r\n"
    "\t\"regions\": [\"fra1\"]\r\n"
    "}\r\n"
)
FOREIGN = '\t\t"cleanup": { "schedule": "0 * * * *", "function": "api/cleanup" }'


def test_schedules_object_keyed_by_job_every_other_byte_kept(cli, write_config, project_dir):
    write_config(yaml(beat_extra=LISBON))
    target = project_dir / "vercel.json"
    target.write_bytes(ORIGINAL.encode())
    code, out, err = cli("generate")
    assert code == 0, err
    assert f"wrote {target} (2 schedules)" in out
    new = target.read_bytes().decode()
    doc = json.loads(new.lstrip("\ufeff"))
    assert doc["schedules"] == {
        "cleanup": {"schedule": "0 * * * *", "function": "api/cleanup"},
        "beat": {"schedule": "0 6 * * *", "path": "/api/beat", "requestMethod": "GET",
                 "timezone": "Europe/Lisbon", "jitter": 5},
        "sweep": {"schedule": "30 2 * * *", "path": "/api/sweep", "requestMethod": "GET",
                  "timezone": "UTC"}}
    assert "crons" not in doc
    # Everything before the first entry cronctl added, and after the object, is unchanged.
    head = ORIGINAL[:ORIGINAL.index(FOREIGN) + len(FOREIGN)]
    tail = ORIGINAL[ORIGINAL.index("\r\n\t},\r\n\t\"regions\""):]
    assert new.startswith(head) and new.endswith(tail)
    assert "\n" not in new.replace("\r\n", "")  # CRLF kept for the new lines too
    assert cli("generate", "--check").code == 0  # idempotent

    # A job removed from the file: its schedule goes; the function schedule stays, byte for byte.
    write_config(yaml().replace('  sweep:\n    tier: infrastructure\n    path: /api/sweep\n'
                                '    schedule: "30 2 * * *"\n', ""))
    assert cli("generate").code == 0
    doc = json.loads(target.read_text(encoding="utf-8").lstrip("\ufeff"))
    assert set(doc["schedules"]) == {"cleanup", "beat"}
    assert FOREIGN in target.read_text(encoding="utf-8")


CRONS_FILE = """\
{
  "framework": "nextjs",
  "crons": [
    {"path": "/api/beat", "schedule": "0 6 * * *"},
    {"path": "/api/keep-mine", "schedule": "0 0 * * *"},
    {"path": "/api/sweep", "schedule": "30 2 * * *"}
  ],
  "headers": []
}
"""


def test_generate_migrates_crons_to_schedules_in_one_diff(cli, write_config, project_dir):
    write_config(yaml())
    target = project_dir / "vercel.json"
    target.write_text(CRONS_FILE)
    code, out, err = cli("diff", "--exit-code")
    assert code == 3, err  # the file would change
    diff = out[:out.index("\n\n")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and "path" in line]
    # The two crons of the file's jobs go; keep-mine only loses its trailing comma.
    assert removed == ['-    {"path": "/api/beat", "schedule": "0 6 * * *"},',
                       '-    {"path": "/api/keep-mine", "schedule": "0 0 * * *"},',
                       '-    {"path": "/api/sweep", "schedule": "30 2 * * *"}']
    assert '+    {"path": "/api/keep-mine", "schedule": "0 0 * * *"}' in diff.splitlines()
    assert '+  "schedules": {' in diff
    assert "+ beat" in out and "- beat (crons entry)" in out
    assert "moves to schedules.beat" in out
    assert target.read_text() == CRONS_FILE  # diff changed nothing
    code, out, err = cli("generate")
    assert code == 0, err
    assert f"wrote {target} (2 schedules, 2 moved from crons)" in out
    text = target.read_text()
    doc = json.loads(text)
    # Never both for one job: its cron entry is gone in the write that adds its schedule.
    assert doc["crons"] == [{"path": "/api/keep-mine", "schedule": "0 0 * * *"}]
    assert '    {"path": "/api/keep-mine", "schedule": "0 0 * * *"}\n  ],' in text
    assert set(doc["schedules"]) == {"beat", "sweep"}
    assert text.startswith('{\n  "framework": "nextjs",\n  "crons": [\n')
    assert cli("diff", "--exit-code").code == 0


def test_all_crons_migrated_removes_the_key(cli, write_config, project_dir):
    write_config(yaml(output="crons"))
    assert cli("generate").code == 0
    write_config(yaml())
    assert cli("generate").code == 0
    doc = json.loads((project_dir / "vercel.json").read_text())
    assert list(doc) == ["schedules"]


def test_minified_file_stays_minified(cli, write_config, project_dir):
    write_config(yaml())
    target = project_dir / "vercel.json"
    target.write_text('{"schedules":{"x":{"schedule":"0 1 * * *","topic":"t"}},"regions":[]}')
    assert cli("generate").code == 0
    text = target.read_text()
    assert "\n" not in text.strip()
    assert text.startswith('{"schedules":{"x":{"schedule":"0 1 * * *","topic":"t"},"beat":')


def test_the_array_form_is_refused_untouched(cli, write_config, project_dir):
    write_config(yaml())
    target = project_dir / "vercel.json"
    original = '{"schedules": [{"name": "beat", "schedule": "0 6 * * *"}]}\n'
    target.write_text(original)
    code, out, err = cli("generate")
    assert code == 2
    assert "'schedules' is an array" in err and "Traceback" not in err
    assert target.read_text() == original


def test_a_job_named_like_a_function_schedule_is_refused(cli, write_config, project_dir):
    write_config(yaml())
    target = project_dir / "vercel.json"
    target.write_text('{"schedules": {"beat": {"schedule": "0 1 * * *", "function": "f"}}}')
    code, _, err = cli("generate")
    assert code == 2 and "schedule 'beat' targets a function or topic" in err


def validate(cli, write_config, text: str) -> list[str]:
    write_config(text)
    code, out, err = cli("validate", "--json")
    return [p["message"] for p in json.loads(out)["problems"] if p["severity"] == "error"]


def test_validation_by_output(cli, write_config):
    assert validate(cli, write_config, yaml(beat_extra=LISBON)) == []
    bad_zone = validate(cli, write_config, yaml(beat_extra="    timezone: Mars/Olympus\n"))
    assert bad_zone == ["unknown timezone 'Mars/Olympus' (Vercel: INVALID_SCHEDULE_TIMEZONE)"]
    assert validate(cli, write_config, yaml(beat_extra="    jitter: 16\n"))
    crons = validate(cli, write_config, yaml("crons", LISBON))
    assert "Vercel runs cron jobs in UTC only" in crons
    assert "jitter needs Vercel Schedules" in crons


def test_list_in_schedules_mode_reads_the_file_only(cli, write_config):
    write_config(yaml(beat_extra=LISBON))
    assert cli("generate").code == 0
    code, out, err = cli("list", "--json", env={"VERCEL_TOKEN": "tok-never-used",
                                                "VERCEL_PROJECT_ID": "prj_x",
                                                "VERCEL_API_URL": "http://127.0.0.1:9"})
    assert code == 0, err
    assert "deployed Vercel Schedules are not read" in err
    rows = {r["name"]: r for r in json.loads(out)["jobs"]}
    assert rows["beat"]["status"] == rows["sweep"]["status"] == "in sync"
    assert rows["beat"]["timezone"] == "Europe/Lisbon"


def test_cleanup_removes_only_schedules_no_job_owns(cli, write_config, project_dir):
    target = project_dir / "vercel.json"
    target.write_text('{\n  "schedules": {\n    "cleanup": {"schedule": "0 * * * *", '
                      '"function": "api/c"},\n    "gone": {"schedule": "0 1 * * *", '
                      '"path": "/api/gone"}\n  }\n}\n')
    write_config(yaml())
    code, out, err = cli("cleanup", "--yes")
    assert code == 0, err
    doc = json.loads(target.read_text())
    assert set(doc["schedules"]) == {"cleanup"}


def test_cron_secret_rules_are_vercel_builds():
    """vercel build's validateCronSecret: visible ASCII, spaces and tabs inside, no whitespace
    at either end (@vercel/build-utils)."""
    from cronctl.commands.probe import check_cron_secret

    assert check_cron_secret("two words\tand-a-tab-123").status == "ok"
    for bad in (" leading-space-secret", "trailing-newline-secret\n", "nul\0inside-secret-x",
                "caf\u00e9-is-not-ascii-secret"):
        check = check_cron_secret(bad)
        assert check.status == "fail", bad
    assert "position 3" in check_cron_secret("caf\u00e9-is-not-ascii-secret").detail
    assert "leading or trailing whitespace" in check_cron_secret(" x" * 10).detail


def test_hobby_preview_says_when_it_fires(cli, write_config):
    write_config(yaml("crons").replace("  output: crons\n", "  output: crons\n  plan: hobby\n"))
    code, out, err = cli("diff")
    assert code == 0, err
    assert out.count("Hobby plan: once a day, at any minute within the hour") == 2


def test_dev_fires_a_schedule_in_its_timezone(tmp_path, monkeypatch):
    """09:00 in New York is 14:00 UTC in January: cronctl dev fires it then, not at 09:00 UTC."""
    from cronctl.testing import DevServer, ReceiverApp

    config = tmp_path / "schedules.yaml"
    config.write_text(yaml(beat_extra="    timezone: America/New_York\n").replace(
        '"0 6 * * *"', '"0 9 * * *"'))
    with ReceiverApp() as app, DevServer(clock="frozen:2026-01-05T08:30:00Z",
                                         config_path=config, app_url=app.url) as srv:
        srv.advance(5 * 3600)  # to 13:30 UTC
        assert [r.path for r in app.requests] == []
        srv.advance(3600)  # to 14:30 UTC
        assert [r.path for r in app.requests] == ["/api/beat"]
        assert srv.vercel_runs()[0]["scheduledTime"] == 1767621600000  # 14:00 UTC


def test_back_to_crons_removes_the_jobs_schedules_in_the_same_write(cli, write_config,
                                                                    project_dir):
    target = project_dir / "vercel.json"
    target.write_text('{\n  "schedules": {\n    "cleanup": {"schedule": "0 * * * *", '
                      '"function": "api/c"}\n  }\n}\n')
    write_config(yaml())
    assert cli("generate").code == 0
    assert set(json.loads(target.read_text())["schedules"]) == {"cleanup", "beat", "sweep"}
    write_config(yaml("crons"))
    code, out, err = cli("diff", "--exit-code")
    assert code == 3, err
    assert cli("generate").code == 0
    doc = json.loads(target.read_text())
    assert doc["schedules"] == {"cleanup": {"schedule": "0 * * * *", "function": "api/c"}}
    assert [c["path"] for c in doc["crons"]] == ["/api/beat", "/api/sweep"]
    assert '    "cleanup": {"schedule": "0 * * * *", "function": "api/c"}' in target.read_text()
    assert cli("generate", "--check").code == 0


def test_next_and_list_local_use_the_schedules_zone(cli, write_config):
    write_config(yaml(beat_extra="    timezone: America/New_York\n"))
    code, out, err = cli("next", "beat", "-n", "1", "--json")
    assert code == 0, err
    run = json.loads(out)["runs"][0]
    assert run["local"].endswith("T06:00:00-05:00") or run["local"].endswith("T06:00:00-04:00")
    assert run["utc"][11:16] in ("10:00", "11:00")
    code, out, err = cli("list", "--local", "--json")
    assert code == 0, err
    assert "America/New_York" in out
