"""fsutil's private state files: no link followed (O_NOFOLLOW), 0600 files, 0700 folders,
a .gitignore, lax modes tightened, another user's files refused."""

from __future__ import annotations

import os
import stat

import pytest

from cronctl.errors import CronctlError
from cronctl.fsutil import open_nofollow, private_file, private_folder


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_open_nofollow_refuses_a_link_and_leaves_its_target_alone(tmp_path):
    outside = tmp_path / "outside.log"
    outside.write_text("mine\n")
    link = tmp_path / "state.log"
    link.symlink_to(outside)
    with pytest.raises(CronctlError, match="symbolic link"):
        open_nofollow(link, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    assert outside.read_text() == "mine\n"


def test_open_nofollow_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "state"
    os.mkfifo(fifo)
    with pytest.raises(CronctlError, match="not a regular file"):
        open_nofollow(fifo, os.O_RDONLY)


def test_private_file_is_created_0600_and_a_lax_one_tightened(tmp_path):
    new = tmp_path / "a.db"
    assert private_file(new)
    assert mode(new) == 0o600
    lax = tmp_path / "b.db"
    lax.write_text("x")
    os.chmod(lax, 0o644)
    private_file(lax)
    assert mode(lax) == 0o600
    assert not private_file(tmp_path / "c.db", create=False)
    assert not (tmp_path / "c.db").exists()


def test_private_file_refuses_a_dangling_link(tmp_path):
    link = tmp_path / "a.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    with pytest.raises(CronctlError, match="symbolic link"):
        private_file(link)
    with pytest.raises(CronctlError, match="symbolic link"):
        private_file(link, create=False)
    assert not (tmp_path / "elsewhere.db").exists()


def test_private_folder_0700_with_gitignore_and_lax_mode_tightened(tmp_path):
    folder = tmp_path / "proj" / ".cronctl"
    private_folder(folder, ignore_note="cronctl's state")
    assert mode(folder) == 0o700
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    os.chmod(folder, 0o755)
    private_folder(folder, ignore_note="cronctl's state")
    assert mode(folder) == 0o700


def test_private_folder_refuses_a_link_and_a_linked_gitignore(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / ".cronctl"
    link.symlink_to(real)
    with pytest.raises(CronctlError, match="symbolic link"):
        private_folder(link)
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / ".gitignore").symlink_to(tmp_path / "victim")
    with pytest.raises(CronctlError, match="symbolic link"):
        private_folder(folder, ignore_note="x")
    assert not (tmp_path / "victim").exists()


def test_the_key_file_is_never_read_through_a_link(tmp_path, monkeypatch):
    from cronctl.statedir import secret_file

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert len(secret_file("plan-key")) >= 32
    folder = tmp_path / "state" / "cronctl"
    outside = tmp_path / "outside-key"
    outside.write_text("a" * 64 + "\n")
    os.chmod(outside, 0o600)
    (folder / "linked-key").symlink_to(outside)
    with pytest.raises(CronctlError, match="symbolic link"):
        secret_file("linked-key")
