"""A hostile or broken server: every bad answer is a clear error with exit 1, in bounded time;
never "Applied" and exit 0, never a traceback. (Limits are small here: see `hostile_env`.)"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.hardening

CONFIG = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
  a:
    tier: business
    path: /api/cron/a
    schedule: "0 9 * * *"
  b:
    tier: business
    path: /api/cron/b
    schedule: "0 10 * * *"
  c:
    tier: business
    path: /api/cron/c
    schedule: "0 11 * * *"
"""


def clean(result) -> None:
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert "Applied" not in result.out, result.out


@pytest.mark.parametrize("listing", ["redirect", "empty", "object", "items", "huge"])
def test_a_bad_listing_is_a_clear_error(listing, kit, cli, write_config, hostile_env):
    handler = {
        "redirect": kit.redirect,
        "empty": kit.empty_200,
        "object": kit.json_answer({"schedules": []}),
        "items": kit.json_answer([1, "two", None]),
        "huge": kit.huge(100 << 20),
    }[listing]
    write_config(CONFIG)
    with kit.Hostile({"GET /v2/schedules": handler}) as srv:
        hostile_env(srv.url)
        for args in (("diff",), ("schedule", "--yes"), ("list",)):
            result = cli(*args)
            assert result.code == 1, (args, result)
            clean(result)
            assert "QStash" in result.err
        assert not any(m == "POST" for m, _, _ in srv.requests)  # nothing applied on a bad plan
    if listing == "huge":
        assert srv.bytes_sent < 50 << 20  # the client hung up at the cap


def test_a_drip_feed_hits_the_overall_deadline(kit, run_cronctl, write_config, project_dir):
    write_config(CONFIG)
    with kit.Hostile({"GET /v2/schedules": kit.drip(every=0.3, total=10_000)}) as srv:
        env = {"QSTASH_URL": srv.url, "QSTASH_TOKEN": "t0ken-hostile-0123456789",
               "CRONCTL_DEADLINE": "1", "CRONCTL_RETRY_BASE": "0.005"}
        # The subprocess timeout only guards the test run; the deadline is cronctl's.
        result = run_cronctl("diff", cwd=project_dir, env=env, timeout=20)
    assert result.code == 1, result
    clean(result)
    assert "deadline" in result.err or "within" in result.err, result.err


def test_a_redirected_write_is_a_failure_and_the_others_still_apply(kit, cli, write_config,
                                                                    hostile_env):
    write_config(CONFIG)
    ok = kit.json_answer({"scheduleId": "x"})
    with kit.Hostile({
        "GET /v2/schedules": kit.json_answer([]),
        "POST /v2/schedules/https://app.example.com/api/cron/b": kit.redirect,
        "POST /v2/schedules/*": ok,
    }) as srv:
        hostile_env(srv.url)
        result = cli("schedule", "--yes")
        posts = [p for m, p, _ in srv.requests if m == "POST"]
    assert result.code == 1, result
    assert "Traceback" not in result.err
    assert "b:" in result.err and "a:" not in result.err  # the failure is listed, by job
    assert sorted(p.rsplit("/", 1)[1] for p in posts) == ["a", "b", "c"]
    assert "1 change failed" in result.err


def test_a_write_answered_with_the_wrong_shape_is_not_applied(kit, cli, write_config,
                                                              hostile_env):
    write_config(CONFIG)
    with kit.Hostile({"GET /v2/schedules": kit.json_answer([]),
                      "POST /v2/schedules/*": kit.json_answer(["not", "an", "object"])}) as srv:
        hostile_env(srv.url)
        result = cli("schedule", "--yes")
    assert result.code == 1
    assert "3 changes failed" in result.err and "Traceback" not in result.err


def test_uppercase_https_still_checks_the_certificate_and_is_not_retried(kit, cli, write_config,
                                                                         tmp_path, hostile_env):
    pytest.importorskip("ssl")
    cert, key = kit.self_signed(tmp_path)
    write_config(CONFIG)
    with kit.Hostile({"GET /v2/schedules": kit.json_answer([])}, tls=(cert, key)) as srv:
        hostile_env(srv.url.replace("https://", "HTTPS://"))
        result = cli("diff")
        assert result.code == 1, result
        assert srv.requests == []  # the token never reached the server
        assert srv.connections == 1  # a certificate failure is not retried
    assert "certificate" in result.err.lower()
    clean(result)


def test_stats_with_a_wrong_token_prints_one_clean_error(project, run_cronctl):
    project.write(project.job("a") + project.job("b") + project.job("c"))
    import os

    env = {**os.environ, "QSTASH_TOKEN": "wrong-token-value-123456"}
    result = run_cronctl("stats", cwd=project.folder, env=env)
    assert result.code == 1
    assert "Task exception was never retrieved" not in result.err, result.err
    assert "Traceback" not in result.err
    assert result.err.count("error:") == 1


@pytest.mark.parametrize("page", [[1], {"events": "x"}, {"events": [1, 2]},
                                  {"events": [], "cursor": {"a": 1}}])
def test_a_bad_page_of_events_is_a_clear_error(page, kit, cli, write_config, hostile_env):
    write_config(CONFIG)
    with kit.Hostile({"GET /v2/events": kit.json_answer(page),
                      "GET /v2/dlq": kit.json_answer({"messages": []})}) as srv:
        hostile_env(srv.url)
        result = cli("stats")
    assert result.code == 1, result
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert "QStash" in result.err


def test_what_a_server_says_never_drives_the_terminal(kit, cli, write_config, hostile_env):
    write_config(CONFIG)
    evil = "\x1b]0;owned\x07\x1b[2J\r\nerror: fake line"
    with kit.Hostile({"GET /v2/schedules": kit.json_answer({"error": evil}, status=400)}) as srv:
        hostile_env(srv.url)
        result = cli("diff")
    assert result.code == 1
    assert "\x1b" not in result.err and "\x07" not in result.err
    assert [line for line in result.err.splitlines() if line.startswith("error:")] == [
        result.err.splitlines()[0]]  # no forged line of its own


def test_plain_http_to_a_remote_host_warns_that_the_token_is_unencrypted(project, monkeypatch):
    project.write(project.job("a"))
    local = project.run("diff")
    assert "unencrypted" not in local.err  # cronctl dev on loopback: expected
    monkeypatch.setenv("QSTASH_URL", "http://qstash.invalid:1")
    monkeypatch.setenv("CRONCTL_DEADLINE", "1")
    remote = project.run("diff")
    assert remote.code == 1 and "unencrypted" in remote.err


def test_names_from_a_server_never_drive_the_terminal(kit, cli, write_config, hostile_env):
    write_config(CONFIG)
    listing = [{"scheduleId": "cronctl.acme.x\x1b]0;owned\x07\x1b[2J", "cron": "0 1 * * *",
                "destination": "https://app.example.com/\x1b[H"},
               {"scheduleId": "other\x1b[1A", "cron": "0 1 * * *", "destination": "x"}]
    with kit.Hostile({"GET /v2/schedules": kit.json_answer(listing)}) as srv:
        hostile_env(srv.url)
        for args in (("diff",), ("list",), ("cleanup", "--dry-run")):
            result = cli(*args)
            text = result.out + result.err
            assert "\x1b]" not in text and "\x1b[2J" not in text and "\x1b[H" not in text
            assert "\x07" not in text and "\x1b[1A" not in text, args


@pytest.mark.parametrize("answer", ["drip", "huge"])
def test_a_hostile_app_cannot_hold_probe(answer, kit, run_cronctl, write_config, project_dir):
    handler = kit.drip(every=0.3, total=10_000) if answer == "drip" else kit.huge(100 << 20)
    with kit.Hostile({"GET /api/diagnostics": handler}) as app:
        write_config(CONFIG.replace("https://app.example.com", app.url)
                     + "diagnostics:\n  components: [db]\n")
        env = {"CRONCTL_DEADLINE": "1", "CRONCTL_MAX_RESPONSE": str(1 << 20),
               "CRON_SECRET": "a-long-random-secret-value"}
        result = run_cronctl("probe", "--json", cwd=project_dir, env=env, timeout=30)
    assert result.code == 1, result
    import json

    checks = {c["name"]: c for c in json.loads(result.out)["checks"]}
    assert checks["diagnostics db"]["status"] == "fail"
    if answer == "huge":
        assert app.bytes_sent < 50 << 20
