"""`cronctl dev` under bad input and careless use (issue 10): 400s not 500s, unreachable
destinations retried into the DLQ, the database kept private, a public bind warned about, and
one process per database."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cronctl.testing import DevServer, banner

pytestmark = pytest.mark.hardening

HUGE = str(2**70)


@pytest.mark.parametrize("path", [
    f"/v2/events?fromDate={HUGE}", f"/v2/logs?toDate=-{HUGE}", f"/v2/events?cursor={HUGE}-1",
    f"/v2/events?cursor=1-{HUGE}", f"/v2/dlq?cursor={HUGE}-{HUGE}", f"/v2/events?count={HUGE}",
    f"/v2/dlq?fromDate={HUGE}",
])
def test_out_of_range_numbers_in_queries_answer_400(api, path):
    response = api.get(path)
    assert response.status_code == 400, response.text
    assert "error" in response.json()


@pytest.mark.parametrize("body", [
    '{"dlqIds": 5}', '{"dlqIds": [1, {"a": 2}]}', '["dlq_1"]', '"x"', "null", "{nope",
])
def test_bodies_of_the_wrong_type_answer_400(api, body):
    response = api.request("DELETE", "/v2/dlq", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert "error" in response.json()


@pytest.mark.parametrize("body", ['{"queueName": 5}', '[]', '{"queueName": "q", '
                                  '"parallelism": "2"}'])
def test_queue_bodies_of_the_wrong_type_answer_400(api, body):
    response = api.request("POST", "/v2/queues", content=body)
    assert response.status_code == 400, response.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("host", [f"127.0.0.1:{_closed_port()}", "127.0.0.1:99999"],
                         ids=["closed-port", "port-out-of-range"])
def test_a_publish_to_an_unreachable_port_is_retried_then_dead_lettered(srv, api, host):
    response = api.request("POST", f"/v2/publish/http://{host}/hook",
                           headers={"Upstash-Retries": "2", "Upstash-Retry-Delay": "1000"})
    assert response.status_code == 200, response.text
    message_id = response.json()["messageId"]
    srv.advance(10)
    states = [e["state"] for e in reversed(srv.events(messageId=message_id))]
    assert states == ["CREATED", "ACTIVE", "ERROR", "RETRY", "ACTIVE", "ERROR", "RETRY",
                      "ACTIVE", "ERROR", "FAILED"]
    [dead] = srv.dlq()
    assert dead["messageId"] == message_id and dead["responseStatus"] == 0


RUN = ("import sys; from pathlib import Path; from cronctl.commands.dev import DevOptions, run; "
       "sys.exit(run(DevOptions(host=sys.argv[1], port=0, db=Path(sys.argv[2]) "
       "if sys.argv[2] else None, memory=not sys.argv[2])))")


def _dev(host: str, db: str = "") -> subprocess.Popen:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-c", RUN, host, db], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(10)


def test_a_non_loopback_bind_warns_that_the_token_is_public():
    proc = _dev("0.0.0.0")
    try:
        text = "\n".join(banner(proc))
        assert "warning" in text.lower() and "public" in text.lower()
    finally:
        _stop(proc)
    proc = _dev("127.0.0.1")
    try:
        assert "warning" not in "\n".join(banner(proc)).lower()
    finally:
        _stop(proc)


def test_the_database_folder_is_ignored_by_git_and_its_files_are_private(tmp_path: Path):
    db = tmp_path / ".cronctl" / "dev.sqlite3"
    with DevServer(memory=False, db_path=db) as srv:
        srv.advance(0)
        assert (db.parent / ".gitignore").read_text().splitlines()[-1] == "*"
        for path in db.parent.glob("dev.sqlite3*"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    if subprocess.run(["git", "--version"], capture_output=True).returncode == 0:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        listed = subprocess.run(["git", "-C", str(tmp_path), "status", "--porcelain",
                                 "--untracked-files=all"], capture_output=True, text=True)
        assert ".cronctl" not in listed.stdout


def test_a_second_server_on_the_same_database_is_refused(tmp_path: Path):
    db = tmp_path / "dev.sqlite3"
    first = _dev("127.0.0.1", str(db))
    try:
        banner(first)
        second = _dev("127.0.0.1", str(db))
        out, err = second.communicate(timeout=30)
        assert second.returncode == 1, out + err
        assert "already" in err and str(db) in err
        assert "Traceback" not in err
    finally:
        _stop(first)
    again = _dev("127.0.0.1", str(db))  # the lock goes with the process
    try:
        banner(again)
    finally:
        _stop(again)


def test_a_database_that_cannot_be_opened_is_one_clear_error(tmp_path: Path):
    folder = tmp_path / "a-directory.sqlite3"
    folder.mkdir()
    proc = _dev("127.0.0.1", str(folder))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, out + err
    assert "cannot open the database" in err and "Traceback" not in err
