"""Who may use `cronctl ui`: login with a token, roles, sessions, CSRF, the host rule, the
audit log, and answers that hold no secret or traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ADMIN, OPERATOR, SECRET, VIEWER
from .helpers import by_id, csrf_of

pytestmark = pytest.mark.hardening  # login, roles, CSRF, secrets


def test_every_page_needs_a_login(site):
    c = site.client(token=None)
    for path in ("/", "/jobs/tick", "/plan", "/audit", "/jobs/tick/edit"):
        r = c.get(path)
        assert (r.status_code, r.headers["location"]) == (303, "/login"), path
    assert c.get("/api/jobs").status_code == 401
    assert c.post("/jobs/tick/run", data={"csrf": "x"}).status_code == 303  # to the login
    page = c.get("/login").text
    assert 'type="password"' in page and 'for="token"' in page  # a labelled field


def test_a_wrong_token_is_refused_and_audited(site):
    c = site.client(token=None)
    r = c.post("/login", data={"token": "not-a-token-at-all-0000"})
    assert r.status_code == 401 and "not valid" in r.text
    assert COOKIE not in r.headers.get("set-cookie", "")
    entries = site.client().get("/api/audit").json()["entries"]
    assert any(e["action"] == "login" and not e["ok"] for e in entries)
    assert "not-a-token-at-all-0000" not in json.dumps(entries)


COOKIE = "cronctl_ui="


def test_the_session_cookie_is_httponly_and_samesite(site):
    c = site.client(token=None)
    r = c.post("/login", data={"token": VIEWER})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(COOKIE)
    low = cookie.lower()
    assert "httponly" in low and "samesite=strict" in low and "path=/" in low
    assert VIEWER not in cookie  # a random session ID, not the token


def test_bearer_token_for_scripts_on_the_api_only(site):
    import httpx

    with httpx.Client(base_url=site.url, trust_env=False) as c:
        assert c.get("/api/me", headers={"Authorization": f"Bearer {VIEWER}"}).json() == {
            "user": "vic", "role": "viewer"}
        assert c.get("/", headers={"Authorization": f"Bearer {VIEWER}"}).status_code == 303


def test_a_viewer_is_refused_every_control(site):
    c = site.client(VIEWER)
    page = c.get("/jobs/tick").text
    assert "Run now" not in page and "need the operator role" in page
    csrf = csrf_of(page)
    for action in ("run", "pause", "resume", "dlq/retry", "dlq/delete"):
        r = c.post(f"/jobs/tick/{action}", data={"csrf": csrf, "id": "x"})
        assert r.status_code == 403, action
        assert "this needs the operator role" in by_id(r.text, "problem")
    assert c.get("/jobs/tick/edit").status_code == 403
    assert c.get("/audit").status_code == 403


def test_an_operator_may_not_edit_or_apply(site):
    c = site.client(OPERATOR)
    csrf = csrf_of(c.get("/jobs/tick").text)
    assert c.get("/jobs/tick/edit").status_code == 403
    assert c.post("/jobs/tick/edit", data={"csrf": csrf, "action": "apply"}).status_code == 403
    assert c.post("/plan/apply", data={"csrf": csrf, "seal": "x"}).status_code == 403


def test_a_change_without_the_csrf_token_is_refused(site):
    c = site.client(OPERATOR)
    before = site.dev.schedules()
    for data in ({}, {"csrf": "forged-token"}):
        r = c.post("/jobs/tick/pause", data=data)
        assert r.status_code == 403
        assert "CSRF token is missing" in by_id(r.text, "problem")
    assert site.dev.schedules() == before  # nothing was paused


def test_a_change_from_another_origin_is_refused(site):
    c = site.client(OPERATOR)
    csrf = csrf_of(c.get("/jobs/tick").text)
    r = c.post("/jobs/tick/pause", data={"csrf": csrf},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_security_headers_on_every_page(site):
    r = site.client().get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_an_unknown_job_is_one_sentence_not_a_traceback(site):
    r = site.client().get("/jobs/nope")
    assert r.status_code == 400
    assert "no job named 'nope'" in by_id(r.text, "problem")
    assert "Traceback" not in r.text
    assert site.client().get("/api/jobs/nope").json()["error"].startswith("no job named")


def test_logout_ends_the_session(site):
    c = site.client(VIEWER)
    csrf = csrf_of(c.get("/").text)
    assert c.post("/logout", data={"csrf": csrf}).status_code == 303
    assert c.get("/").status_code == 303


def test_no_page_or_answer_holds_a_secret(site):
    c = site.client()
    for path in ("/", "/jobs/tick", "/api/jobs", "/api/jobs/tick", "/plan", "/api/diff",
                 "/audit", "/api/probe"):
        body = c.get(path).text
        assert SECRET not in body and ADMIN not in body, path
    log = (site.folder / ".cronctl" / "ui-audit.log").read_text()
    for token in (ADMIN, OPERATOR, VIEWER, SECRET):
        assert token not in log


def _ui(folder, env, *args):
    return subprocess.run([sys.executable, "-m", "cronctl", "ui", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60)


def test_no_token_no_server(site):
    env = {k: v for k, v in site.env.items() if k != "CRONCTL_UI_TOKENS"}
    r = _ui(site.folder, env, "--port", "0")
    assert r.returncode == 2
    assert "needs at least one login token, and has no default one" in r.stderr


@pytest.mark.parametrize("tokens, says", [
    ("alice:admin:short", "use at least 16"),
    ("alice:root:0123456789abcdef0", "role 'root' is not one of viewer, operator, admin"),
    ("alice-admin-0123456789abcdef0", "is not USER:ROLE:TOKEN"),
])
def test_bad_tokens_are_refused_without_echoing_them(site, tokens, says):
    r = _ui(site.folder, {**site.env, "CRONCTL_UI_TOKENS": tokens}, "--port", "0")
    assert r.returncode == 2 and says in r.stderr
    assert "0123456789abcdef0" not in r.stderr


def test_a_public_host_needs_tls_or_insecure_public(site):
    r = _ui(site.folder, site.env, "--host", "0.0.0.0", "--port", "0")
    assert r.returncode == 2
    assert "without TLS" in r.stderr and "--insecure-public" in r.stderr
    r = _ui(site.folder, site.env, "--host", "0.0.0.0", "--tls-cert", "x.pem")
    assert r.returncode == 2 and "--tls-cert and --tls-key go together" in r.stderr
