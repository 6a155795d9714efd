"""Nothing cronctl does not own is changed: another project's schedules survive import and
--adopt; vercel.json is never written over a change made since it was read, is written through
a symlink, and a read-only one is refused."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.hardening

VERCEL_ONLY = """\
version: 1
project: acme
jobs:
  beat:
    tier: infrastructure
    path: /api/beat
    schedule: "0 6 * * *"
"""


def test_import_and_adopt_never_delete_another_projects_schedule(project):
    srv = project.server
    headers = {"Authorization": f"Bearer {srv.token}", "Upstash-Cron": "0 9 * * *"}
    for sid in ("cronctl.other-project.job", "legacy-job"):
        httpx.post(f"{srv.url}/v2/schedules/https://app.example.com/api/cron/{sid}",
                   headers={**headers, "Upstash-Schedule-Id": sid}).raise_for_status()
    result = project.run("import", "--project", "acme", "-o", "schedules.yaml", "--force")
    assert result.code == 0, result.err
    assert "other-project" in result.err  # named as skipped, with why
    jobs = (project.folder / "schedules.yaml").read_text()
    assert "cronctl.other-project" not in jobs and "api/cron/cronctl.other-project.job" not in jobs
    # Even a job the user writes by hand with the same destination and cron is no licence.
    text = (project.folder / "schedules.yaml").read_text()
    text += ("  stolen:\n    tier: business\n"
             "    path: /api/cron/cronctl.other-project.job\n    schedule: 0 9 * * *\n")
    (project.folder / "schedules.yaml").write_text(text)
    applied = project.run("schedule", "--adopt", "--yes")
    assert applied.code == 0, applied.err
    live = set(project.schedules())
    assert "cronctl.other-project.job" in live
    assert "legacy-job" not in live  # a truly unmanaged one is adopted
    assert "cronctl.acme.legacy-job" in live


def _run_with_prompt(folder, edit) -> tuple[int, str]:
    """`cronctl schedule` on a terminal; `edit()` runs while it waits for the answer."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "cronctl", "schedule"], cwd=folder,
                            env={**os.environ, "NO_COLOR": "1"}, stdin=follower,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = b""
    try:
        deadline = time.monotonic() + 30
        while b"[y/N]" not in err and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 1)
            if ready:
                err += os.read(proc.stderr.fileno(), 4096)
        edit()
        os.write(leader, b"y\n")
        out, rest = proc.communicate(timeout=30)
    finally:
        os.close(leader)
        os.close(follower)
    return proc.returncode, (err + rest).decode()


def test_a_concurrent_change_to_vercel_json_is_never_overwritten(project_dir, monkeypatch):
    (project_dir / "schedules.yaml").write_text(VERCEL_ONLY)
    vercel = project_dir / "vercel.json"
    vercel.write_text('{\n  "regions": ["fra1"]\n}\n')

    def someone_else_edits() -> None:
        vercel.write_text('{\n  "regions": ["fra1"],\n  "cleanUrls": true\n}\n')

    code, err = _run_with_prompt(project_dir, someone_else_edits)
    assert code != 0, err
    assert "changed" in err and "Traceback" not in err
    assert json.loads(vercel.read_text()) == {"regions": ["fra1"], "cleanUrls": True}


def test_a_symlinked_vercel_json_is_written_through_the_link(cli, write_config, project_dir):
    write_config(VERCEL_ONLY)
    real = project_dir / "config" / "vercel.json"
    real.parent.mkdir()
    real.write_text("{}\n")
    (project_dir / "vercel.json").symlink_to(real)
    result = cli("generate")
    assert result.code == 0, result.err
    assert (project_dir / "vercel.json").is_symlink()
    assert json.loads(real.read_text())["crons"] == [{"path": "/api/beat",
                                                       "schedule": "0 6 * * *"}]


def test_a_read_only_vercel_json_is_refused(cli, write_config, project_dir):
    write_config(VERCEL_ONLY)
    vercel = project_dir / "vercel.json"
    vercel.write_text("{}\n")
    vercel.chmod(0o444)
    result = cli("generate")
    assert result.code != 0
    assert "read-only" in result.err and "internal error" not in result.err
    assert vercel.read_text() == "{}\n"


def test_a_path_that_is_not_a_regular_file_is_never_replaced(cli, write_config, project_dir):
    write_config(VERCEL_ONLY)
    fifo = project_dir / "pipe"
    os.mkfifo(fifo)
    (project_dir / "folder").mkdir()
    for target in ("pipe", "folder"):
        result = cli("schema", "-o", target)
        assert result.code == 1, result
        assert "not a regular file" in result.err and "internal error" not in result.err
    (project_dir / "vercel.json").symlink_to(fifo)  # read, it would block for ever
    result = cli("generate")
    assert result.code == 1 and "not a regular file" in result.err, result
    assert fifo.is_fifo() and (project_dir / "folder").is_dir()
