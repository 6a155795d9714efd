"""`trigger` of a Vercel job without VERCEL_TOKEN sends the request Vercel would (GET base_url +
path) itself: bounded like every request cronctl makes (issue 25), so an app that drips its
answer, or answers with 100 MiB, cannot hold the command or fill its memory."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.hardening

CONFIG = """\
version: 1
project: acme
base_url: {url}
jobs:
  beat:
    tier: infrastructure
    path: /api/beat
    schedule: "0 6 * * *"
"""


def _drip_headers(h) -> None:
    """A status line, then a header one byte every 0.3 s (never the end of the headers)."""
    import time

    try:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(10_000):
            h.wfile.write(b"a")
            h.wfile.flush()
            time.sleep(0.3)
    except OSError:
        pass


@pytest.mark.parametrize("answer", ["drip", "drip-headers", "huge"])
def test_a_direct_trigger_honours_the_deadline_and_the_size_cap(answer, kit, run_cronctl,
                                                                write_config, project_dir):
    handler = {"drip": kit.drip(every=0.3, total=10_000), "drip-headers": _drip_headers,
               "huge": kit.huge(100 << 20)}[answer]
    with kit.Hostile({"GET /api/beat": handler}) as app:
        write_config(CONFIG.format(url=app.url))
        env = {"CRONCTL_DEADLINE": "1", "CRONCTL_MAX_RESPONSE": str(1 << 20),
               "CRON_SECRET": "a-long-random-secret-value"}
        # The subprocess timeout only guards the test run; the deadline is cronctl's.
        result = run_cronctl("trigger", "beat", "--yes", cwd=project_dir, env=env, timeout=30)
        # It was sent, once. The server's thread may read it only after cronctl has given up
        # (on a loaded machine its bytes can wait in the socket past the 1 s deadline).
        kit.until(lambda: app.requests, "the server reads the request")
        assert [path for _, path, _ in app.requests] == ["/api/beat"]
    assert result.code == 1, result
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert "a-long-random-secret-value" not in result.out + result.err
    if answer.startswith("drip"):
        assert "did not finish within 1 s" in result.err and "CRONCTL_DEADLINE" in result.err
    else:
        assert "larger than 1048576 bytes" in result.err, result.err
        assert app.bytes_sent < 50 << 20  # it hung up at the cap
