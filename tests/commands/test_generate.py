"""`cronctl generate [--check]`: exit codes, --check writes nothing, atomic writes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from cronctl.errors import CronctlError
from cronctl.fsutil import write_atomic

REPO_ROOT = Path(__file__).resolve().parents[2]

SCHEDULES = """\
version: 1
project: acme
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: "0 6 * * *"
"""
UP_TO_DATE = (
    '{\n  "crons": [\n    {\n      "path": "/api/cron/keep-alive",\n'
    '      "schedule": "0 6 * * *"\n    }\n  ]\n}\n'
)
STALE = '{\n  "crons": [\n    {\n      "path": "/api/cron/old",\n      "schedule": "0 5 * * *"\n' \
        '    }\n  ],\n  "version": 2\n}\n'


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_check_up_to_date_exits_0_and_writes_nothing(cli, write_config, project_dir):
    write_config(SCHEDULES)
    target = project_dir / "vercel.json"
    target.write_text(UP_TO_DATE)
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    code, out, err = cli("generate", "--check")
    assert code == 0, err
    assert f"{target} is up to date" in out
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert target.read_text() == UP_TO_DATE


def test_check_out_of_date_exits_3_shows_diff_and_writes_nothing(cli, write_config,
                                                                  project_dir, snapshot):
    write_config(SCHEDULES)
    target = project_dir / "vercel.json"
    target.write_text(STALE)
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(project_dir)
    code, out, err = cli("generate", "--check")
    assert code == 3
    assert "-      \"path\": \"/api/cron/old\"," in out
    assert "+      \"path\": \"/api/cron/keep-alive\"," in out
    assert "out of date; run 'cronctl generate'" in err
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert snapshot(project_dir) == before

    # generate fixes it; --check then agrees
    assert cli("generate").code == 0
    assert json.loads(target.read_text())["version"] == 2
    assert cli("generate", "--check").code == 0


def test_check_with_missing_file_exits_3_and_creates_nothing(cli, write_config, project_dir):
    write_config(SCHEDULES)
    code, out, err = cli("generate", "--check")
    assert code == 3
    assert "+++ b/vercel.json" in out and "--- /dev/null" in out
    assert sorted(p.name for p in project_dir.iterdir()) == ["schedules.yaml"]


def test_reordering_other_keys_is_not_a_change(cli, write_config, project_dir):
    """Only the crons array matters to --check; formatting elsewhere is the user's."""
    write_config(SCHEDULES)
    text = '{"b": 1,   "crons": [{"schedule": "0 6 * * *", "path": "/api/cron/keep-alive"}]}'
    (project_dir / "vercel.json").write_text(text)
    assert cli("generate", "--check").code == 0
    assert cli("generate").code == 0
    assert (project_dir / "vercel.json").read_text() == text


def test_invalid_schedules_yaml_writes_no_vercel_json(cli, write_config, project_dir):
    write_config(SCHEDULES.replace('"0 6 * * *"', '"0 6 * * 7"'))
    (project_dir / "vercel.json").write_text(STALE)
    code, _, err = cli("generate")
    assert code == 2
    assert "schedules.yaml:7:15: error: job 'keep-alive', schedule:" in err
    assert "nothing was changed" in err
    assert (project_dir / "vercel.json").read_text() == STALE


def test_write_is_atomic_and_keeps_permissions(cli, write_config, project_dir):
    write_config(SCHEDULES)
    target = project_dir / "vercel.json"
    target.write_text(STALE)
    target.chmod(0o640)
    inode = target.stat().st_ino
    code, _, err = cli("generate")
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert temp_files(project_dir) == []
    assert json.loads(target.read_text())["crons"][0]["path"] == "/api/cron/keep-alive"


def test_new_file_gets_umask_permissions(cli, write_config, project_dir):
    write_config(SCHEDULES)
    old = os.umask(0o027)
    try:
        assert cli("generate").code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((project_dir / "vercel.json").stat().st_mode) == 0o640
    assert temp_files(project_dir) == []


def test_write_atomic_failure_leaves_no_temporary_file(tmp_path: Path):
    target = tmp_path / "vercel.json"
    target.mkdir()  # rename over a directory fails
    with pytest.raises(CronctlError, match="vercel.json"):  # one clear error, exit 1
        write_atomic(target, b"{}")
    assert target.is_dir()
    assert temp_files(tmp_path) == []


def test_write_atomic_replaces_content(tmp_path: Path):
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]


def test_committed_vercel_json_is_up_to_date(run_cronctl):
    """The repository's own vercel.json matches its schedules.yaml (real console script)."""
    before = (REPO_ROOT / "vercel.json").read_bytes()
    result = run_cronctl("--config", "schedules.yaml", "generate", "--check", cwd=REPO_ROOT)
    assert result.code == 0, result.err
    assert "vercel.json is up to date" in result.out
    assert "Traceback" not in result.err
    assert (REPO_ROOT / "vercel.json").read_bytes() == before
