"""A process killed in the middle of writing vercel.json leaves the old file or the new one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.reliability

WRITER = r"""
import json, sys
from pathlib import Path
from cronctl.fsutil import write_atomic
path = Path(sys.argv[1])
big = [{"path": f"/api/cron/job-{i}", "schedule": "0 6 * * *"} for i in range(20000)]
versions = [json.dumps({"v": v, "crons": big}, indent=2).encode() for v in (1, 2)]
print("ready", flush=True)
n = 0
while True:
    write_atomic(path, versions[n % 2])
    n += 1
"""


def test_killed_writer_never_leaves_a_mix(tmp_path: Path):
    target = tmp_path / "vercel.json"
    target.write_text(json.dumps({"v": 0, "crons": []}))
    outcomes = set()
    for attempt in range(12):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)],
                                stdout=subprocess.PIPE)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.01 * (attempt % 6))  # kill at varied points of a write
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        data = json.loads(target.read_text())  # never a torn file
        assert data["v"] in (0, 1, 2)
        if data["v"]:
            assert len(data["crons"]) == 20000
        outcomes.add(data["v"])
    assert outcomes & {1, 2}  # the writer did replace the file at least once
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "vercel.json"]
    # A kill between mkstemp and rename may leave one temporary file, never a partial target.
    assert all(name.startswith(".vercel.json.") for name in leftovers)
