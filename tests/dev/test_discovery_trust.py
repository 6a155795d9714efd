"""Discovery (`.cronctl/dev.json`) only ever reaches a `cronctl dev` this user started on this
machine (issue 25): a loopback URL, a per-start key the server proves it holds (challenge and
answer), a file owned by the user, private, not a symlink and not tracked by git. Anything else
is ignored and the command says why. And `cronctl dev` itself refuses a Host that is not its own
(DNS rebinding), never takes the token from the query for what shows secrets, and serves the
file's environment only to its per-start key.

Real `cronctl dev` subprocesses, the real CLI in a second "terminal", real loopback servers."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from cronctl.dev import TOKEN
from cronctl.dev.trust import register_key
from cronctl.testing import DevServer

SECRET = "discovery-cron-secret-value"
CONFIG = ("version: 1\nproject: acme\nbase_url: https://app.example.com\n"
          "defaults:\n  headers:\n    Authorization: Bearer ${CRON_SECRET}\n"
          "jobs:\n  a:\n    tier: business\n    path: /api/cron/a\n"
          '    schedule: "0 9 * * *"\n')
STATE = Path(".cronctl") / "dev.json"


def _project(folder: Path) -> Path:
    (folder / "schedules.yaml").write_text(CONFIG)
    return folder


def _forge(folder: Path, url: str, **extra) -> Path:
    """A dev.json as a committed or planted file would be: private and ours, pid 1 alive.
    Its key, if any, is recorded as one of ours (as after a real start whose server is gone),
    so what is tested is the step after: the server must prove it holds the key."""
    if extra.get("key"):
        register_key(extra["key"])  # this test's private state folder (tests/conftest.py)
    path = folder / STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "pid": 1, "clock": "wall", **extra}))
    path.chmod(0o600)
    return path


def _sync(folder: Path, run_in, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_in(folder, "schedule", "--yes", env=env)


def test_a_file_naming_a_server_that_does_not_hold_its_key_is_not_trusted(
        tmp_path, run_in, clean_env):
    folder = _project(tmp_path)
    with DevServer(clock="wall") as rogue:  # any QStash-speaking server on loopback
        _forge(folder, rogue.url, key="a-key-the-rogue-does-not-hold")
        result = _sync(folder, run_in, clean_env(CRON_SECRET=SECRET))
        assert rogue.schedules() == []  # no schedule, no CRON_SECRET sent
        assert "using cronctl dev" not in result.stderr
        assert "ignored .cronctl/dev.json" in result.stderr
        assert f"{rogue.url} did not prove" in result.stderr
        assert SECRET not in result.stderr + result.stdout


def test_a_file_without_a_key_is_ignored(tmp_path, run_in, clean_env):
    folder = _project(tmp_path)
    with DevServer(clock="wall") as rogue:
        _forge(folder, rogue.url)
        result = _sync(folder, run_in, clean_env(CRON_SECRET=SECRET))
        assert rogue.schedules() == []
        assert "ignored .cronctl/dev.json" in result.stderr and "no key" in result.stderr


@pytest.mark.parametrize("url", ["https://collector.example.com", "http://10.1.2.3:8080",
                                 "http://127.0.0.1.example.com:8080", "file:///etc/passwd"])
def test_a_file_naming_another_machine_is_ignored_before_any_request(
        tmp_path, run_in, clean_env, url):
    folder = _project(tmp_path)
    _forge(folder, url, key="k" * 43)
    result = _sync(folder, run_in, clean_env(CRON_SECRET=SECRET))
    assert "using cronctl dev" not in result.stderr
    assert "ignored .cronctl/dev.json" in result.stderr and "not this machine" in result.stderr


def _wait_state(folder: Path) -> Path:
    path = folder / STATE
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, "no dev.json"
        time.sleep(0.05)
    return path


def test_the_real_server_is_found_and_proves_itself(tmp_path, start_dev, run_in, clean_env):
    folder = _project(tmp_path)
    dev = start_dev(folder, "--memory", "--no-apply", env=clean_env(CRON_SECRET=SECRET))
    path = _wait_state(folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (folder / ".cronctl" / ".gitignore").read_text().strip().endswith("*")
    result = _sync(folder, run_in, clean_env())  # CRON_SECRET comes from the server
    assert result.returncode == 0, result.stderr
    assert f"using cronctl dev at {dev.url}" in result.stderr
    assert "ignored" not in result.stderr
    records = Path(os.environ["XDG_STATE_HOME"]) / "cronctl" / "dev-keys"
    assert len(list(records.iterdir())) == 1 and stat.S_IMODE(records.stat().st_mode) == 0o700
    dev.stop()  # a clean stop takes the file and the key's record with it
    assert not path.exists() and list(records.iterdir()) == []


def _track_with_git(path: Path, folder: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=folder, check=True)
    subprocess.run([*git, "add", "-f", str(STATE)], cwd=folder, check=True)


def _share(path: Path, folder: Path) -> None:
    path.chmod(0o644)


def _symlink(path: Path, folder: Path) -> None:
    elsewhere = folder / "elsewhere.json"
    os.replace(path, elsewhere)
    path.symlink_to(elsewhere)


@pytest.mark.parametrize(("tamper", "why"), [
    pytest.param(_track_with_git, "tracked by git", id="tracked-by-git", marks=pytest.mark.skipif(
        shutil.which("git") is None, reason="needs git")),
    pytest.param(_share, "mode 644", id="readable-by-others"),
    pytest.param(_symlink, "symbolic link", id="symlink"),
])
def test_the_real_servers_file_is_ignored_once_it_is_not_private_and_ours(
        tmp_path, start_dev, run_in, clean_env, tamper, why):
    folder = _project(tmp_path)
    start_dev(folder, "--memory", "--no-apply", env=clean_env(CRON_SECRET=SECRET))
    tamper(_wait_state(folder), folder)
    result = _sync(folder, run_in, clean_env(CRON_SECRET=SECRET))
    assert "using cronctl dev" not in result.stderr
    assert "ignored .cronctl/dev.json" in result.stderr and why in result.stderr


def test_a_stale_file_says_so(tmp_path, run_in, clean_env):
    folder = _project(tmp_path)
    with DevServer(clock="wall") as gone:
        url = gone.url
    _forge(folder, url, key="k" * 43)  # pid 1 lives; nothing listens there any more
    result = _sync(folder, run_in, clean_env(CRON_SECRET=SECRET))
    assert "using cronctl dev" not in result.stderr
    assert "ignored .cronctl/dev.json" in result.stderr
    assert "no cronctl dev answers" in result.stderr


# -- the server: Host, the query token, the per-start key -------------------------------------

def _applied_dev(folder: Path, start_dev, clean_env, receiver):
    dev = start_dev(folder, "--memory", "--clock", "frozen", "--app-url", receiver.url,
                    env=clean_env(CRON_SECRET=SECRET))
    key = json.loads(_wait_state(folder).read_text())["key"]
    client = httpx.Client(base_url=dev.url, timeout=10, trust_env=False)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    deadline = time.monotonic() + 30
    while not client.get("/v2/schedules", headers=auth).json():
        assert time.monotonic() < deadline, dev.log()
        time.sleep(0.05)
    return dev, key, client


def test_a_foreign_host_is_refused_everywhere(tmp_path, start_dev, clean_env, receiver):
    dev, key, client = _applied_dev(_project(tmp_path), start_dev, clean_env, receiver)
    port = dev.url.rsplit(":", 1)[1]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for path, headers in (("/v2/schedules", auth), ("/_cronctl/schedules", auth),
                          ("/_cronctl/env", {"Authorization": f"Bearer {key}"}),
                          ("/v2/keys", auth), ("/_cronctl/clock", auth)):
        rebound = client.get(path, headers={**headers, "Host": f"attacker.example:{port}"})
        assert rebound.status_code == 403, (path, rebound.text)
        assert SECRET not in rebound.text
        for own in (f"127.0.0.1:{port}", f"localhost:{port}"):
            assert client.get(path, headers={**headers, "Host": own}).status_code == 200, path
    assert "not this server's address" in client.get(
        "/v2/schedules", headers={**auth, "Host": "attacker.example"}).json()["error"]


def test_the_query_token_never_reads_what_holds_secrets(tmp_path, start_dev, clean_env,
                                                        receiver):
    dev, key, client = _applied_dev(_project(tmp_path), start_dev, clean_env, receiver)
    for path in ("/v2/schedules", "/v2/schedules/cronctl.acme.a", "/_cronctl/schedules",
                 "/_cronctl/env", "/v2/events", "/v2/dlq", "/v2/keys"):
        for token in (TOKEN, key):
            answer = client.get(path, params={"qstash_token": token})
            assert answer.status_code == 401, (path, answer.text)
            assert SECRET not in answer.text
    # Publishing with the query token still works, as QStash allows.
    sent = client.post(f"/v2/publish/{receiver.url}/hook", params={"qstash_token": TOKEN})
    assert sent.status_code in (200, 201), sent.text


def test_the_environment_is_served_only_to_the_per_start_key(tmp_path, start_dev, clean_env,
                                                             receiver):
    dev, key, client = _applied_dev(_project(tmp_path), start_dev, clean_env, receiver)
    public = client.get("/_cronctl/env", headers={"Authorization": f"Bearer {TOKEN}"})
    assert public.status_code == 401 and SECRET not in public.text
    own = client.get("/_cronctl/env", headers={"Authorization": f"Bearer {key}"})
    assert own.status_code == 200 and own.json()["env"]["CRON_SECRET"] == SECRET
    assert key not in dev.log()


def test_a_copied_file_whose_key_another_users_server_holds_is_ignored(
        tmp_path, start_dev, run_in, clean_env):
    """A dev.json from an archive (owned by you, private, no git) naming a server that does
    hold its key, run by someone else (here: another state folder, as another user has):
    the key was not made by a cronctl dev of yours, so it is not used."""
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    _project(theirs)
    other_user = clean_env(CRON_SECRET=SECRET, XDG_STATE_HOME=str(tmp_path / "their-state"))
    rogue = start_dev(theirs, "--memory", "--no-apply", env=other_user)
    (tmp_path / "ours").mkdir()
    ours = _project(tmp_path / "ours")
    (ours / ".cronctl").mkdir()
    (ours / STATE).write_text(_wait_state(theirs).read_text())
    (ours / STATE).chmod(0o600)
    result = _sync(ours, run_in, clean_env(CRON_SECRET=SECRET))
    assert "using cronctl dev" not in result.stderr
    assert "ignored .cronctl/dev.json" in result.stderr
    assert "not made by a cronctl dev of yours" in result.stderr
    with httpx.Client(base_url=rogue.url, timeout=10, trust_env=False) as c:
        assert c.get("/v2/schedules", headers={"Authorization": f"Bearer {TOKEN}"}).json() == []
