"""The dashboard against hostile input (issue 30, items 5 to 8 and the suspected ones): a ledger
row whose outcome is markup, a token presented as `Authorization: Bearer` to guess, a job that
is a YAML alias of another, a symlinked audit log, a notification URL with a password, and
token comparisons that must not depend on the token's length."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator

import httpx
import pytest

from cronctl.errors import CronctlError
from cronctl.testing import DevServer
from cronctl.ui.audit import Audit
from cronctl.ui.auth import Auth, Session, User, csrf_ok
from cronctl.ui.filters import spark

from .conftest import ADMIN, VIEWER, App, Site, start_site, stop_site
from .helpers import by_id

pytestmark = pytest.mark.hardening

META = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
PASSWORD = "mail-pass-never-shown"

HOSTILE = """\
version: 1
project: hostile
base_url: {app}
jobs:
  shared: &shared
    target: runner
    path: /api/cron/shared
    schedule: "0 9 1 1 *"
    notify: ["mailto://ops:""" + PASSWORD + """@mail.example.com?to=ops@example.com"]
  archive: *shared
  nightly:
    target: runner
    path: /api/cron/nightly
    schedule: "0 9 1 1 *"
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Iterator[Site]:
    """A dashboard of its own (it is poisoned): a ledger row of `nightly` whose outcome is
    markup."""
    with App() as app, DevServer(memory=True, clock="wall") as dev:
        folder = tmp_path_factory.mktemp("hostile")
        s = start_site(folder, dev, app, text=HOSTILE)
        try:
            with sqlite3.connect(folder / ".cronctl" / "runner.sqlite3") as db:
                db.execute("INSERT INTO job_executions (run_id, job, scheduled_at, "
                           "triggered_by, outcome, attempts) VALUES (?, ?, ?, ?, ?, ?)",
                           ("poison-1", "nightly", int(time.time() * 1000) - 3_600_000,
                            "schedule", META, 1))
                # SQLite keeps any type in any column: text where numbers belong
                db.execute("INSERT INTO job_executions (run_id, job, scheduled_at, "
                           "triggered_by, outcome, attempts, http_status, duration_ms, "
                           "started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           ("poison-2", "archive", int(time.time() * 1000) - 7_200_000,
                            "<i>cron</i>", "failed", "<b>x</b>", "<b>500</b>", "<b>9</b>",
                            "soon"))
            yield s
        finally:
            stop_site(s)


# -- 30.5: markup from the ledger ------------------------------------------------------------
def test_an_unknown_outcome_is_one_fixed_state_on_every_page(hostile):
    c = hostile.client(VIEWER)
    jobs = c.get("/")
    assert jobs.status_code == 200, jobs.text[-500:]
    page = c.get("/jobs/nightly")
    assert page.status_code == 200
    for body in (jobs.text, page.text, c.get("/fragments/jobs").text):
        assert "<meta http-equiv" not in body
    assert 'data-run="poison-1" data-state="failed"' in page.text
    assert "1 run, newest first" in page.text and "1 run, p50" in jobs.text  # not "1 runs"
    assert 'class="s-failed"' in jobs.text  # in the sparkline
    runs = c.get("/api/logs?job=nightly").json()["runs"]
    assert [r["state"] for r in runs] == ["failed"]
    assert c.get("/api/logs?job=nightly&status=failed").json()["runs"] == runs
    assert "<meta" not in json.dumps(runs) and "does not know" in runs[0]["error"]


def test_text_where_the_ledger_keeps_numbers_is_no_crash(hostile):
    c = hostile.client(VIEWER)
    for path in ("/", "/jobs/archive", "/api/jobs/archive", "/api/logs?job=archive"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[-300:])
        assert "<b>" not in r.text and "<i>" not in r.text, path
    run = c.get("/api/logs?job=archive").json()["runs"][0]
    assert (run["run_id"], run["state"], run["status"], run["duration_ms"],
            run["started_by"]) == ("poison-2", "failed", None, None, "unknown")
    r = hostile.cli("logs", "archive")
    assert r.returncode == 0 and "internal error" not in r.stderr, r.stderr


def test_an_unknown_outcome_does_not_break_list(hostile):
    r = hostile.cli("list")
    assert r.returncode in (0, 1), r.stderr
    assert "internal error" not in r.stderr and "KeyError" not in r.stderr
    assert "outcome cronctl does not know" in r.stderr  # the warning
    data = json.loads(hostile.cli("list", "--json").stdout)
    assert {j["name"] for j in data["jobs"]} >= {"nightly"}


def test_the_sparkline_escapes_what_it_is_given():
    svg = str(spark(["delivered", '"><script>alert(1)</script>', "failed"]))
    assert "<script>" not in svg and 'class="s-unknown"' in svg


# -- 30.6: one limit and one audit trail for every way a token is presented --------------------
def test_bearer_guesses_are_limited_and_audited(hostile):
    # from an address of its own (127.0.0.2): the limit is per client address, and the other
    # tests of this server sign in from 127.0.0.1
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=hostile.url, trust_env=False, timeout=30,
                      transport=transport) as c:
        answers = [c.get("/api/me", headers={"Authorization": f"Bearer guess-{i:012d}"})
                   .status_code for i in range(12)]
        assert answers[:10] == [401] * 10 and answers[10:] == [429, 429]
        # the limit holds for the right token too (it would end a guessing run), and for
        # the login form from the same client
        assert c.get("/api/me", headers={"Authorization": f"Bearer {VIEWER}"}
                     ).status_code == 429
        assert c.post("/login", data={"token": VIEWER}).status_code == 429
        for _ in range(30):  # a flood while blocked fills no disk
            c.get("/api/me", headers={"Authorization": "Bearer flood-000000000000"})
    entries = json.loads("[" + ",".join(
        (hostile.folder / ".cronctl" / "ui-audit.log").read_text().splitlines()) + "]")
    wrong = [e for e in entries if e["action"] == "login" and not e["ok"]]
    assert len(wrong) >= 10 and all("bearer" in e["detail"] for e in wrong[:10])
    assert not any("guess-" in json.dumps(e) for e in entries)
    refused = [e for e in entries if "too many" in (e["detail"] or "")]
    assert 1 <= len(refused) <= 10


# -- 30.7: a job that is an alias of another's mapping ----------------------------------------
@pytest.mark.parametrize("name, says", [
    ("archive", "archive is written as an alias (*shared) of the mapping on line 5"),
    ("shared", "shared's mapping carries the anchor &shared, which archive (line 10) uses"),
])
def test_the_editor_refuses_an_aliased_or_anchored_job(hostile, name, says):
    path = hostile.folder / "schedules.yaml"
    before = path.read_bytes()
    c = hostile.client(ADMIN)
    r = c.get(f"/jobs/{name}/edit")
    assert r.status_code == 400
    assert says in by_id(r.text, "problem")
    page = c.get("/jobs/nightly/edit").text
    from .helpers import csrf_of, field

    form = {"csrf": csrf_of(page), "digest": field(page, "digest"), "schedule": "1 2 3 4 *",
            "timezone": "UTC", "enabled": "on", "action": "apply"}
    r = c.post(f"/jobs/{name}/edit", data=form)
    assert r.status_code == 400 and says in by_id(r.text, "problem")
    assert path.read_bytes() == before


# -- the suspected: a viewer's job page shows notify: URLs with their passwords -----------------
def test_a_viewer_never_sees_a_notification_url(hostile):
    c = hostile.client(VIEWER)
    for path in ("/jobs/shared", "/api/jobs/shared", "/jobs/archive", "/api/jobs"):
        body = c.get(path).text
        assert PASSWORD not in body and "mail.example.com" not in body, path
    assert "mailto://***" in c.get("/jobs/shared").text


# -- 30.8: the audit log does not follow a symbolic link ---------------------------------------
def test_the_audit_log_is_not_written_through_a_symlink(tmp_path):
    outside = tmp_path / "outside.log"
    outside.write_text("")
    project = tmp_path / "project"
    (project / ".cronctl").mkdir(parents=True)
    (project / ".cronctl" / "ui-audit.log").symlink_to(outside)
    audit = Audit(project)
    for act in (lambda: audit.record("ada", "login"), audit.prune, audit.entries):
        with pytest.raises(CronctlError, match="symbolic link"):
            act()
    assert outside.read_text() == ""


def test_the_audit_folder_is_not_followed_either(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / ".cronctl").symlink_to(outside, target_is_directory=True)
    with pytest.raises(CronctlError, match="symbolic link"):
        Audit(project).record("ada", "login")
    assert list(outside.iterdir()) == []


def test_the_audit_log_is_private(tmp_path):
    Audit(tmp_path).record("ada", "login")
    assert (tmp_path / ".cronctl").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / ".cronctl" / "ui-audit.log").stat().st_mode & 0o777 == 0o600


def test_a_symlinked_audit_log_stops_the_server_with_one_sentence(hostile, tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "p"
    (folder / ".cronctl").mkdir(parents=True)
    (folder / "schedules.yaml").write_bytes((hostile.folder / "schedules.yaml").read_bytes())
    (folder / ".cronctl" / "ui-audit.log").symlink_to(tmp_path / "x.log")
    r = subprocess.run([sys.executable, "-m", "cronctl", "ui", "--port", "0"], cwd=folder,
                       env=hostile.env, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "symbolic link" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "x.log").exists()


# -- the suspected: token comparisons reveal the token's length ------------------------------
def test_token_comparisons_are_of_fixed_length_digests(monkeypatch):
    import hmac

    from cronctl.dev.gate import authorised

    seen: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(a, b):
        seen.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    auth = Auth({"0123456789abcdef0123": User("ada", "admin")})
    for guess in ("x", "0123456789abcdef0123", "y" * 300):
        auth.check_token(guess)
    csrf_ok(Session(User("ada", "admin"), "c" * 43, 0, 0), "short")
    token = "dev-token-0123456789"  # cronctl dev's bearer and ?qstash_token= checks too
    assert authorised({"headers": [(b"authorization", b"Bearer x")]}, token) is False
    assert authorised({"method": "POST", "query_string": b"qstash_token=" + b"y" * 90},
                      token) is False
    assert authorised({"method": "POST", "query_string": f"qstash_token={token}".encode()},
                      token) is True
    assert seen and len({n for pair in seen for n in pair}) == 1, seen


def test_url_credentials_anywhere_in_a_job_are_masked():
    from cronctl.ui.pages import attributes

    text = ('jobs:\n  j:\n    path: /j\n    schedule: "1 * * * *"\n'
            '    body: {hook: "https://bot:tok-never-shown@hooks.example/x"}\n'
            '    notify: ["slack://T000/B000/tok-never-shown", "json://h/x"]\n')
    shown = {a["key"]: a["value"] for a in attributes(text, "j")}
    assert "tok-never-shown" not in str(shown)
    assert shown["notify"] == '["slack://***", "json://***"]'
    assert "https://***@hooks.example/x" in shown["body"]


def test_no_template_marks_data_safe():
    """Jinja escapes everything; the only markup built in Python is the sparkline, from fixed
    words (test_the_sparkline_escapes_what_it_is_given)."""
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "cronctl" / "ui"
    for page in (ui / "templates").glob("*.html"):
        text = page.read_text()
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, page
    users = [p.name for p in ui.glob("*.py") if "Markup(" in p.read_text()]
    assert users == ["filters.py"], users
