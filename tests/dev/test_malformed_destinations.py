"""Malformed destinations (issue 24): every endpoint of `cronctl dev` that takes a URL, in every
position (path, batch item, URL-group endpoint, callback header), answers 400 in QStash's error
shape (`{"error": "..."}`) and logs no traceback. Driven against the real CLI (`cronctl dev`
in a subprocess) over loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from cronctl.dev import TOKEN
from cronctl.testing import banner

GOOD = "http://127.0.0.1:9/hook"  # a well-formed destination (never delivered: --no-fire)

# Each is sent in every position. Spaces, control characters and over-long URLs cannot travel in
# a request line or a header, so they are walked through the JSON positions (BODY_ONLY).
MALFORMED = {
    "unclosed-ipv6-bracket": "http://[::1/x",
    "stray-closing-bracket": "http://::1]/x",
    "not-an-ipv6-address": "http://[zz]/x",
    "junk-after-bracket": "http://[::1]x/y",
    "port-not-a-number": "http://example.com:abc/x",
    "negative-port": "http://example.com:-1/x",
    "two-ports": "http://example.com:80:90/x",
    "empty-host": "http:///x",
    "empty-host-with-port": "http://:80/x",
    "empty-host-with-user": "http://user@/x",
    "not-http": "ftp://example.com/x",
}
BODY_ONLY = {
    "space-in-host": "http://exa mple.com/x",
    "nul-in-host": "http://exa\x00mple.com/x",
    "newline-in-path": "http://example.com/a\nb",
    "tab-in-path": "http://example.com/a\tb",
    "delete-char": "http://example.com/\x7f",
    "not-idna-host": "http://a\u200b.example.com/x",
    "over-long": "http://example.com/" + "a" * 20_000,
}


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[httpx.Client, Callable[[], str]]]:
    """(a client of a `cronctl dev` subprocess, a function that stops it and returns its log)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "dev.log"  # a file, not a pipe: a full pipe would stall the server
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "cronctl", "dev", "--port", "0",
                                 "--memory", "--no-fire", "--no-apply"],
                                stdout=subprocess.PIPE, stderr=err, text=True, env=env)

    def stop() -> str:
        proc.terminate()
        proc.wait(15)
        return log.read_text()

    try:
        url = next(word for line in banner(proc) for word in line.split()
                   if word.startswith("http://127.0.0.1:"))
        with httpx.Client(base_url=url.rstrip("/"), trust_env=False, timeout=10,
                          headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            yield http, stop
    finally:
        stop()


def _send(http: httpx.Client, method: str, path: str, **kw) -> httpx.Response:
    # The path is sent as written (a destination keeps its own characters), as the SDKs do.
    request = http.build_request(method, "/", **kw)
    request.url = request.url.copy_with(raw_path=path.encode("latin-1"))
    return http.send(request)


def _positions(bad: str, in_path: bool) -> dict[str, Callable[[httpx.Client], httpx.Response]]:
    cron = {"Upstash-Cron": "0 9 * * *"}
    out: dict[str, Callable[[httpx.Client], httpx.Response]] = {
        "batch destination": lambda h: h.post("/v2/batch", json=[{"destination": bad}]),
        "batch callback": lambda h: h.post("/v2/batch", json=[
            {"destination": GOOD, "headers": {"Upstash-Callback": bad}}]),
        "url-group endpoint": lambda h: h.post("/v2/topics/group/endpoints",
                                               json={"endpoints": [{"url": bad}]}),
        "url-group removal": lambda h: h.request("DELETE", "/v2/topics/group/endpoints",
                                                 json={"endpoints": [{"url": bad}]}),
    }
    if in_path:
        out |= {
            "publish": lambda h: _send(h, "POST", f"/v2/publish/{bad}"),
            "enqueue": lambda h: _send(h, "POST", f"/v2/enqueue/q1/{bad}"),
            "schedule": lambda h: _send(h, "POST", f"/v2/schedules/{bad}", headers=cron),
            "publish callback": lambda h: _send(h, "POST", f"/v2/publish/{GOOD}",
                                                headers={"Upstash-Callback": bad}),
            "publish failure callback": lambda h: _send(
                h, "POST", f"/v2/publish/{GOOD}", headers={"Upstash-Failure-Callback": bad}),
            "schedule callback": lambda h: _send(h, "POST", f"/v2/schedules/{GOOD}",
                                                 headers={**cron, "Upstash-Callback": bad}),
            "enqueue failure callback": lambda h: _send(
                h, "POST", f"/v2/enqueue/q1/{GOOD}", headers={"Upstash-Failure-Callback": bad}),
        }
    return out


def test_every_malformed_destination_is_a_400_in_qstash_shape_without_a_traceback(dev):
    http, stop = dev
    # A group must exist for the removal to reach its URL check.
    assert http.post("/v2/topics/group/endpoints",
                     json={"endpoints": [{"url": GOOD}]}).status_code == 200
    wrong: list[str] = []
    tried = 0
    for name, bad in [*((n, u) for n, u in MALFORMED.items()), *BODY_ONLY.items()]:
        for position, call in _positions(bad, name in MALFORMED).items():
            tried += 1
            try:
                response = call(http)
            except httpx.TransportError as exc:  # the server hung up on it
                wrong.append(f"{name} as {position}: {type(exc).__name__}")
                continue
            try:
                data = response.json()
                shaped = isinstance(data, dict) and isinstance(data.get("error"), str)
            except ValueError:
                shaped = False
            if response.status_code != 400 or not shaped:
                wrong.append(f"{name} as {position}: {response.status_code} {response.text[:80]}")
    assert tried == len(MALFORMED) * 11 + len(BODY_ONLY) * 4
    assert not wrong, "\n".join(wrong)
    # Nothing malformed was kept: the group still has its one good endpoint, no schedule exists.
    assert [e["url"] for e in http.get("/v2/topics/group").json()["endpoints"]] == [GOOD]
    assert http.get("/v2/schedules").json() == []
    err = stop()
    assert "Traceback" not in err and "Exception" not in err, err[-3000:]


def test_a_well_formed_destination_still_works_in_every_position(dev):
    http, _ = dev
    cron = {"Upstash-Cron": "0 9 * * *"}
    for response in (
        _send(http, "POST", f"/v2/publish/{GOOD}", headers={"Upstash-Callback": GOOD}),
        _send(http, "POST", f"/v2/enqueue/q1/{GOOD}"),
        _send(http, "POST", f"/v2/schedules/{GOOD}", headers=cron),
        http.post("/v2/batch", json=[{"destination": GOOD}]),
        # Go's url.Parse (QStash) takes any number as a port: the delivery fails and is retried.
        _send(http, "POST", "/v2/publish/http://127.0.0.1:99999/hook"),
        _send(http, "POST", "/v2/publish/http://[::1]:9/hook"),
    ):
        assert response.status_code == 200, response.text


def test_a_malformed_app_url_is_a_usage_error(tmp_path):
    """`cronctl dev --app-url` (where deliveries of the file's jobs go) passes the same check."""
    env = {**os.environ, "NO_COLOR": "1"}
    for bad in ("http://[::1", "http://localhost:abc/", "http://:3000", "ftp://localhost/"):
        proc = subprocess.run([sys.executable, "-m", "cronctl", "dev", "--port", "0", "--memory",
                               "--app-url", bad], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=30)
        assert proc.returncode == 2, (bad, proc.stdout, proc.stderr)
        assert "--app-url" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
