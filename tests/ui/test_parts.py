"""The dashboard's pure parts: run summaries, tokens, the rate limit, the audit log's
retention, the host rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cronctl.errors import UsageError
from cronctl.targets.base import Run
from cronctl.ui.audit import Audit
from cronctl.ui.auth import RateLimit, parse_tokens
from cronctl.ui.server import UIOptions, check_host, is_loopback
from cronctl.ui.summary import percentile, state_of, summarise


def _run(state: str, ms: int | None = 10, due: str = "2026-01-05T08:00:00+00:00") -> Run:
    return Run("j", f"m{id(state)}", due, due, "schedule", state, 1, 200, ms)


def test_summary_of_runs_newest_first():
    runs = [_run("failed", 30), _run("failed", 20), _run("delivered", 10),
            _run("in-flight", None), _run("delivered", 40)]
    s = summarise(runs)
    assert (s["runs"], s["delivered"], s["failed"], s["in_flight"]) == (5, 2, 2, 1)
    assert s["success_rate"] == 0.5 and s["failure_streak"] == 2
    assert (s["p50_ms"], s["p95_ms"]) == (20, 40)
    assert s["spark"] == ["delivered", "in-flight", "delivered", "failed", "failed"]
    assert s["last_state"] == "failed"
    assert summarise([])["success_rate"] is None
    assert percentile(list(range(1, 21)), 0.95) == 19  # as `cronctl stats` ranks


def test_state_of_a_row():
    assert state_of({"status": "in sync", "paused": True}, None) == "paused"
    assert state_of({"status": "in sync"}, {"failure_streak": 2}) == "failing"
    assert state_of({"status": "drifted"}, {"failure_streak": 2}) == "drifted"


def test_tokens():
    users = parse_tokens("# team\nada:admin:0123456789abcdef, vic:viewer:fedcba9876543210\n",
                         "env")
    assert {u.name: u.role for u in users.values()} == {"ada": "admin", "vic": "viewer"}
    assert users["0123456789abcdef"].may("operator")
    assert not users["fedcba9876543210"].may("operator")
    with pytest.raises(UsageError, match="given twice"):
        parse_tokens("a:admin:0123456789abcdef\nb:admin:0123456789abcdef", "env")


def test_rate_limit_per_key():
    limit = RateLimit(2, 60)
    assert [limit.take("a"), limit.take("a")] == [None, None]
    assert limit.take("a") > 0 and limit.take("b") is None
    assert limit.take("c", count=False) is None and limit.take("c", count=False) is None


def test_the_audit_log_keeps_90_days(tmp_path):
    audit = Audit(tmp_path)
    audit.record("ada", "login")
    path = tmp_path / ".cronctl" / "ui-audit.log"
    old = {"time": "2025-01-01T00:00:00+00:00", "user": "ada", "action": "run"}
    path.write_text(json.dumps(old) + "\n" + path.read_text() + "not json\n")
    assert audit.prune(now=datetime.now(UTC)) == 1
    assert [e["action"] for e in audit.entries()] == ["login"]
    assert "not json" in path.read_text()  # not an entry of ours: kept


@pytest.mark.parametrize("host, ok", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                      ("127.0.0.2", True), ("0.0.0.0", False),
                                      ("192.168.1.5", False), ("example.com", False)])
def test_loopback_hosts(host, ok):
    assert is_loopback(host) is ok
    opts = UIOptions(config_path=None, host=host)  # type: ignore[arg-type]
    if ok:
        check_host(opts)
    else:
        with pytest.raises(UsageError, match="without TLS"):
            check_host(opts)
        check_host(UIOptions(config_path=None, host=host, insecure_public=True))  # type: ignore


def test_the_templates_and_static_files_ship_in_the_package():
    """A wheel holds what pyproject.toml's package-data names: every template and static
    file of the dashboard must match it (a plain `pip install .` has no source tree)."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["cronctl.ui"]
    ui = root / "cronctl" / "ui"
    files = [p.relative_to(ui).as_posix() for folder in ("templates", "static")
             for p in (ui / folder).iterdir() if p.is_file()]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files), files
