"""/healthz and /metrics of `cronctl run` (issue 30, suspected): bound to loopback they
answer only requests for a loopback Host (a DNS-rebinding page cannot read them), and a
slow client cannot hold a connection (and its thread) past one request deadline."""

from __future__ import annotations

import socket
import time

import httpx

from cronctl.targets.runner.server import serve

from .conftest import runner_file


def _runner(tmp_path, make_runner):
    return make_runner(runner_file(tmp_path, """
        a:
          target: runner
          command: [echo]
          schedule: "* * * * *"
    """))


def test_a_foreign_host_is_refused_on_loopback(tmp_path, make_runner):
    runner = _runner(tmp_path, make_runner)
    runner.tick()
    server = serve(runner, "127.0.0.1", 0)
    port = server.server_address[1]
    try:
        for path in ("/healthz", "/metrics"):
            evil = httpx.get(f"http://127.0.0.1:{port}{path}", trust_env=False,
                             headers={"Host": f"rebind.attacker.example:{port}"})
            assert evil.status_code == 403, path
            assert "cronctl_" not in evil.text and "replica" not in evil.text
            for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
                ok = httpx.get(f"http://127.0.0.1:{port}{path}", trust_env=False,
                               headers={"Host": host})
                assert ok.status_code == 200, (path, host)
    finally:
        server.shutdown()


def test_any_host_when_bound_to_every_interface(tmp_path, make_runner):
    runner = _runner(tmp_path, make_runner)
    runner.tick()
    server = serve(runner, "0.0.0.0", 0)  # a container: Prometheus may use a service name
    try:
        r = httpx.get(f"http://127.0.0.1:{server.server_address[1]}/healthz", trust_env=False,
                      headers={"Host": "runner.monitoring.svc:9464"})
        assert r.status_code == 200
    finally:
        server.shutdown()


def test_a_slow_client_is_cut_at_the_request_deadline(tmp_path, make_runner):
    runner = _runner(tmp_path, make_runner)
    server = serve(runner, "127.0.0.1", 0)
    try:
        with socket.create_connection(("127.0.0.1", server.server_address[1])) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            s.settimeout(0.5)
            deadline = time.monotonic() + 90  # the server's own deadline is far shorter
            closed = False
            while not closed and time.monotonic() < deadline:
                try:
                    s.sendall(b"X")  # one header byte every half second, never a line end
                    closed = s.recv(1) == b""
                except TimeoutError:
                    continue
                except OSError:
                    closed = True
            assert closed, "the server kept a dripping client for 90 s"
    finally:
        server.shutdown()
