"""cronctl dev's state files never follow a link (issue 30, 8): a committed `.cronctl/`
symlink (its database, lock, WAL or .gitignore) is refused and its target left alone."""

from __future__ import annotations

import os
import stat

import pytest

from cronctl.dev.store import Store
from cronctl.errors import CronctlError


@pytest.mark.parametrize("name", ["dev.sqlite3", "dev.sqlite3.lock", "dev.sqlite3-wal"])
def test_a_linked_state_file_is_refused(tmp_path, name):
    folder = tmp_path / ".cronctl"
    folder.mkdir()
    victim = tmp_path / "victim"
    (folder / name).symlink_to(victim)
    with pytest.raises(CronctlError, match="symbolic link"):
        Store(folder / "dev.sqlite3").close()
    assert not victim.exists()


def test_the_store_is_private_in_a_private_ignored_folder(tmp_path):
    old = os.umask(0o022)
    try:
        store = Store(tmp_path / ".cronctl" / "dev.sqlite3")
        store.close()
    finally:
        os.umask(old)
    folder = tmp_path / ".cronctl"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    for name in ("dev.sqlite3", "dev.sqlite3.lock"):
        assert stat.S_IMODE((folder / name).lstat().st_mode) == 0o600


def test_discovery_refuses_a_linked_gitignore(tmp_path):
    from cronctl.dev.discovery import DevInfo, write_state

    (tmp_path / ".cronctl").mkdir()
    (tmp_path / ".cronctl" / ".gitignore").symlink_to(tmp_path / "victim")
    with pytest.raises(CronctlError, match="symbolic link"):
        write_state(tmp_path, DevInfo("http://127.0.0.1:1", os.getpid(), "wall", None, None,
                                      "k" * 32))
    assert not (tmp_path / "victim").exists()
