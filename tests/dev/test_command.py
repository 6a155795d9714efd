"""`cronctl dev` in the foreground: the banner, port 0, a port in use, Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from cronctl.dev import TOKEN
from cronctl.testing import banner

RUN = ("import sys; from cronctl.commands.dev import DevOptions, run; "
       "sys.exit(run(DevOptions(port=int(sys.argv[1]), memory=True)))")


def _start(port: int) -> subprocess.Popen:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-c", RUN, str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_port_0_prints_the_bound_url_and_ctrl_c_exits_0():
    proc = _start(0)
    try:
        lines = banner(proc)
        exports = dict(line[len("export "):].split("=", 1) for line in lines
                       if line.startswith("export "))
        assert set(exports) == {"QSTASH_URL", "QSTASH_TOKEN", "QSTASH_CURRENT_SIGNING_KEY",
                                "QSTASH_NEXT_SIGNING_KEY"}
        assert exports["QSTASH_TOKEN"] == TOKEN
        url = exports["QSTASH_URL"]
        port = int(url.rsplit(":", 1)[1])
        assert url == f"http://127.0.0.1:{port}" and port > 0
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        busy = subprocess.run([sys.executable, "-c", RUN, str(port)], capture_output=True,
                              text=True, timeout=60)
        assert busy.returncode == 1
        assert busy.stderr.count("\n") == 1 and "cannot listen" in busy.stderr
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
