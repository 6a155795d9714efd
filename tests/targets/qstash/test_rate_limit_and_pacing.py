"""`cronctl dev --rate-limit`, and a client that stays under it: request and 429 counts from
`GET /_cronctl/stats`, never seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter

import httpx
import pytest

from cronctl.dev import TOKEN
from cronctl.dev.ratelimit import parse_rate
from cronctl.targets.qstash import pacing
from cronctl.testing import DevServer, banner
from tests.conftest import Project

pytestmark = pytest.mark.speed


@pytest.fixture
def limited(tmp_path, monkeypatch, capsys):
    with DevServer(memory=True, rate_limit=40) as server:
        yield Project(tmp_path, server, monkeypatch, capsys)


def jobs(project: Project, n: int) -> str:
    return "".join(project.job(f"job-{i:03d}", schedule=f"{i % 60} 9 * * *") for i in range(n))


def test_dev_answers_like_qstash_past_the_burst_limit():
    with DevServer(memory=True, rate_limit=5) as srv, httpx.Client(
            base_url=srv.url, headers={"Authorization": f"Bearer {srv.token}"}) as http:
        answers = [http.get("/v2/schedules") for _ in range(8)]
        assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
        for a in answers:  # the headers on every answer, 429 or not
            assert a.headers["Burst-RateLimit-Limit"] == "5"
            assert int(a.headers["Burst-RateLimit-Reset"]) > 0
        assert [a.headers["Burst-RateLimit-Remaining"] for a in answers[:5]] == \
            ["4", "3", "2", "1", "0"]
        assert "rate limit" in answers[-1].json()["error"]
        # Publishing has no burst limit on QStash.
        published = http.post("/v2/publish/https://example.com/x")
        assert published.status_code == 200
        assert "Burst-RateLimit-Limit" not in published.headers
        assert srv.status_counts() == {200: 6, 429: 3}


@pytest.mark.parametrize("text,rate", [("100", 100.0), ("100/s", 100.0), ("6000/m", 100.0),
                                       (" 2.5/s ", 2.5)])
def test_rate_limit_syntax(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "0", "-1", "abc", "10/h", "nan"])
def test_bad_rate_limit_is_refused(text):
    with pytest.raises(ValueError, match="--rate-limit"):
        parse_rate(text)


def test_dev_command_refuses_a_bad_rate_limit(cli):
    result = cli("dev", "--memory", "--port", "0", "--rate-limit", "fast")
    assert result.code == 2
    assert "--rate-limit 'fast'" in result.err and "Traceback" not in result.err


def test_dev_command_applies_and_announces_the_rate_limit():
    """The real `cronctl dev --rate-limit 3/s` process: its banner says so; a burst's first
    three requests are served (the bucket starts full), and a burst is refused with QStash's
    headers. Counted, not timed: how many more a slow machine is granted while the bucket
    refills is the bucket's business (test_dev_answers_like_qstash_past_the_burst_limit),
    so the burst goes on until the first 429 (bounded by a count, never by seconds)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cronctl", "dev", "--memory", "--port", "0",
         "--rate-limit", "3/s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    try:
        lines = banner(proc)
        assert any("rate limit: 3/s" in line for line in lines), lines
        url = next(x.split("=", 1)[1] for x in lines if x.startswith("export QSTASH_URL="))
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            answers = [http.get("/v2/dlq")]
            while answers[-1].status_code != 429 and len(answers) < 10_000:
                answers.append(http.get("/v2/dlq"))
        codes = [a.status_code for a in answers]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429, codes
        assert set(codes[:-1]) == {200}
        refused = answers[-1]
        assert refused.headers["Burst-RateLimit-Limit"] == "3"
        assert refused.headers["Burst-RateLimit-Remaining"] == "0"
        assert "rate limit" in refused.json()["error"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sync_under_a_rate_limit_makes_no_429_storm(limited):
    """121 requests against 40 per second: the client paces itself from the headers.
    (The client before pacing sent 8 at a time as fast as answered: 429 after 429.)"""
    limited.write(jobs(limited, 120))
    result = limited.run("schedule", "--yes")
    assert result.code == 0, result.err
    statuses = limited.server.status_counts()
    assert statuses.get(200) == 121
    assert statuses.get(429, 0) <= 1  # under 1% of the requests
    assert len(limited.server.schedules()) == 120

    # Another consumer spends the same token meanwhile (at half the limit): the client
    # believes the server's Remaining and backs off on 429, so it still makes no storm.
    limited.write(jobs(limited, 120).replace(" 9 * * *", " 10 * * *"))
    limited.server.reset_counts()
    theirs = Counter()
    done = threading.Event()

    def other_consumer() -> None:
        with httpx.Client(base_url=limited.server.url,
                          headers={"Authorization": f"Bearer {limited.server.token}"}) as other:
            while not done.wait(0.05):
                theirs[other.get("/v2/schedules").status_code] += 1

    thread = threading.Thread(target=other_consumer)
    thread.start()
    try:
        result = limited.run("schedule", "--yes", "--force")
    finally:
        done.set()
        thread.join()
    assert result.code == 0, result.err
    statuses = limited.server.status_counts()
    ours_ok = statuses.get(200, 0) - theirs[200]
    ours_limited = statuses.get(429, 0) - theirs[429]
    assert ours_ok == 121
    assert ours_limited <= 121 // 20  # a few while it learns, no storm


def test_default_concurrency_may_grow_and_the_flag_caps_it(tmp_path, monkeypatch, capsys):
    """Without --concurrency the window starts at 8 and may grow to 64; an explicit
    --concurrency is an upper bound on the requests the server sees at once. How far the
    window grows follows the latency the client measures, which is the machine's as much as
    the server's (at load 14 the answers queue and it rightly shrinks), so that is proven with
    controlled latencies (test_pacing_model.py); here, counts only."""
    with DevServer(memory=True, latency_ms=20) as server:
        project = Project(tmp_path, server, monkeypatch, capsys)
        project.write(jobs(project, 200))
        assert project.run("schedule", "--yes").code == 0
        assert server.request_count() == 201
        used = windows(server)
        assert used and {w.maximum for w in used} == {pacing.DEFAULT_MAX}
        assert max(w.peak for w in used) >= pacing.INITIAL  # the first 8 go out at once

    with DevServer(memory=True, latency_ms=20) as server:
        project = Project(tmp_path, server, monkeypatch, capsys)
        project.write(jobs(project, 100))
        assert project.run("schedule", "--yes", "--concurrency", "3").code == 0
        assert server.max_in_flight() <= 3
        assert server.request_count() == 101
        assert {w.maximum for w in windows(server)} == {3}


def windows(server: DevServer) -> list[pacing.Window]:
    """The windows this process used against `server` (one per endpoint, token and thread)."""
    return [p.window for key, p in pacing._shared.items() if key.startswith(server.url + "#")]
