"""The SQLite ledger is private (issue 30, 2 and 8): 0600 files in a 0700 `.cronctl` folder
with a .gitignore, whatever the umask; lax modes tightened; no link followed."""

from __future__ import annotations

import os
import stat

import pytest

from cronctl.errors import CronctlError
from cronctl.targets.runner.ledger import Ledger

from .test_ledger import _row


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def lax_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_ledger_is_private_and_ignored_by_git(tmp_path, lax_umask):
    path = tmp_path / ".cronctl" / "runner.sqlite3"
    lg = Ledger(str(path))
    try:
        lg.claim([_row("x", 60_000)])  # a write: the WAL and its index exist now
        assert mode(path.parent) == 0o700
        assert (path.parent / ".gitignore").read_text().splitlines()[-1] == "*"
        for name in ("runner.sqlite3", "runner.sqlite3-wal", "runner.sqlite3-shm"):
            assert mode(path.parent / name) == 0o600, name
    finally:
        lg.close()


def test_an_existing_lax_ledger_is_made_private(tmp_path, lax_umask):
    folder = tmp_path / ".cronctl"
    folder.mkdir(mode=0o755)
    Ledger(str(folder / "runner.sqlite3")).close()
    os.chmod(folder, 0o755)
    os.chmod(folder / "runner.sqlite3", 0o644)
    Ledger(str(folder / "runner.sqlite3")).close()
    assert mode(folder) == 0o700
    assert mode(folder / "runner.sqlite3") == 0o600


def test_a_linked_ledger_is_refused_and_its_target_untouched(tmp_path):
    folder = tmp_path / ".cronctl"
    folder.mkdir()
    victim = tmp_path / "elsewhere.sqlite3"
    (folder / "runner.sqlite3").symlink_to(victim)
    with pytest.raises(CronctlError, match="symbolic link"):
        Ledger(str(folder / "runner.sqlite3"))
    assert not victim.exists()


def test_a_linked_wal_or_folder_is_refused(tmp_path):
    folder = tmp_path / ".cronctl"
    folder.mkdir()
    (folder / "runner.sqlite3-wal").symlink_to(tmp_path / "wal-elsewhere")
    with pytest.raises(CronctlError, match="symbolic link"):
        Ledger(str(folder / "runner.sqlite3"))
    assert not (tmp_path / "wal-elsewhere").exists()
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / ".cronctl").symlink_to(real)
    with pytest.raises(CronctlError, match="symbolic link"):
        Ledger(str(tmp_path / "p" / ".cronctl" / "runner.sqlite3"))
    assert list(real.iterdir()) == []


def test_the_cli_refuses_a_linked_ledger_with_one_clear_message(tmp_path):
    import subprocess
    import sys

    from .conftest import runner_file

    path = runner_file(tmp_path, "x: {schedule: '@every 1m', target: runner, command: [\"true\"]}")
    (tmp_path / ".cronctl").mkdir()
    (tmp_path / ".cronctl" / "runner.sqlite3").symlink_to(tmp_path / "victim")
    done = subprocess.run([sys.executable, "-m", "cronctl", "-c", str(path), "logs", "x"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "victim").exists()
