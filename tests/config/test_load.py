"""`inspect_config` / `load_config` on real files: the loaded model and the diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from cronctl.config import inspect_config, load_config
from cronctl.config.yamlsource import parse
from cronctl.errors import ConfigError, ExitStatus
from cronctl.targets.vercel.model import vercel_file

REPO_ROOT = Path(__file__).resolve().parents[2]

FULL = """\
version: 1
project: acme
base_url: https://app.example.com/
defaults:
  retries: 3
  method: post
  timezone: Europe/Lisbon
  timeout: 30s
  headers:
    Authorization: Bearer abc123
    X-Team: core
  labels: [default]
jobs:
  keep-alive:
    tier: infrastructure
    path: /api/cron/keep-alive
    schedule: " 0 6 * * * "
    priority: critical
  payouts:
    tier: business
    path: /api/cron/payouts
    schedule: "0 */2 * * *"
    retries: 5
    timeout: 5m
    method: get
    headers:
      x-team: null
      X-Extra: "1"
    body: {"kind": "payout", "dry": false}
    labels: [payments]
    callback: /api/cron/done
  reports:
    tier: business
    path: /api/cron/reports
    schedule: "0 9 * * 1"
    timezone: UTC
    enabled: false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_file_loads_with_defaults_applied(tmp_path: Path):
    config, diags = inspect_config(write(tmp_path, FULL), env={})
    assert diags == []
    assert config is not None
    assert config.project == "acme"
    assert config.base_url == "https://app.example.com"
    assert config.settings["vercel"].plan == "pro"
    assert vercel_file(config) == tmp_path / "vercel.json"
    assert [j.name for j in config.jobs] == ["keep-alive", "payouts", "reports"]
    assert [j.line for j in config.jobs] == [14, 19, 32]

    keep = config.job("keep-alive")
    assert (keep.tier, keep.schedule, keep.timezone, keep.priority) == (
        "infrastructure", "0 6 * * *", "UTC", "critical")

    payouts = config.job("payouts")
    assert payouts.spec.url == "https://app.example.com/api/cron/payouts"
    assert payouts.spec.method == "GET"
    assert payouts.spec.retries == 5
    assert payouts.spec.timeout == 300
    assert payouts.timezone == "Europe/Lisbon"
    assert payouts.spec.headers == {
        "Authorization": "Bearer abc123",
        "X-Extra": "1",
        "Content-Type": "application/json",
    }
    assert payouts.spec.body == '{"kind":"payout","dry":false}'
    assert payouts.labels == ("payments",)
    assert payouts.spec.callback == "https://app.example.com/api/cron/done"
    assert payouts.spec.schedule_id == "cronctl.acme.payouts"

    reports = config.job("reports")
    assert reports.enabled is False
    assert reports.timezone == "UTC"
    assert (reports.spec.retries, reports.spec.timeout, reports.spec.method) == (3, 30, "POST")
    assert reports.labels == ("default",)


def test_header_values_are_secrets(tmp_path: Path):
    config, _ = inspect_config(write(tmp_path, FULL), env={})
    assert config is not None
    assert "Bearer abc123" in config.secrets
    assert "application/json" not in config.secrets


def test_the_repository_example_is_valid(tmp_path: Path):
    config, diags = inspect_config(REPO_ROOT / "schedules.yaml", env={"CRON_SECRET": "x" * 8})
    assert [d for d in diags if d.severity == "error"] == []
    assert config is not None
    assert config.project == "acme-health"
    assert config.base_url == "http://localhost:3000"  # the ${APP_URL:-...} default
    assert len(config.jobs_for("vercel")) == 1
    assert len(config.jobs_for("qstash")) == 9


def test_load_config_raises_exit_2_listing_every_error(tmp_path: Path):
    path = write(tmp_path, FULL.replace("priority: critical", "priority: urgent")
                 .replace('"0 9 * * 1"', '"0 9 * *"'))
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    exc = info.value
    assert exc.exit_status == ExitStatus.USAGE
    assert len(exc.diagnostics) == 2
    text = exc.render()
    assert f"{path} has 2 errors:" in text
    assert f"{path}:18:15: error: job 'keep-alive', priority:" in text
    assert f"{path}:35:15: error: job 'reports', schedule:" in text
    assert "nothing was changed" in text


def test_missing_file_is_a_diagnostic_with_init_hint(tmp_path: Path):
    config, diags = inspect_config(tmp_path / "nope.yaml", env={})
    assert config is None
    (d,) = diags
    assert d.message == "no such file"
    assert "cronctl init" in d.hint


def test_non_utf8_file(tmp_path: Path):
    path = tmp_path / "schedules.yaml"
    path.write_bytes(b"version: 1\nproject: caf\xe9\n")
    config, diags = inspect_config(path, env={})
    assert config is None
    assert "cannot read the file" in diags[0].message
    assert "UTF-8" in diags[0].hint


def test_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "schedules.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\nproject: acme\njobs: {}\n")
    config, diags = inspect_config(path, env={})
    assert diags == [] and config is not None


def test_empty_jobs_is_valid(tmp_path: Path):
    config, diags = inspect_config(write(tmp_path, "version: 1\nproject: acme\njobs:\n"), env={})
    assert diags == [] and config is not None and config.jobs == []


def test_empty_file_points_at_line_1(tmp_path: Path):
    config, diags = inspect_config(write(tmp_path, ""), env={})
    assert config is None
    (d,) = diags
    assert (d.line, d.col) == (1, 1)
    assert d.message.startswith("the file is empty")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        # the scanner gives up at the end of the file; the quote opened on line 3
        ('a: 1\nb: 2\nc: "open\nd: 4\n', 3, "while scanning a quoted scalar"),
        ("a: 1\nb:x\nc: 2\n", 2, "while scanning a simple key"),
        ("a: 1\nb: [1, 2\n", 3, "expected ',' or ']'"),
        ("a:\n  b: 1\n c: 2\n", 3, ""),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document in the stream"),
    ],
)
def test_yaml_syntax_errors_point_at_the_right_line(tmp_path: Path, text, line, fragment):
    config, diags = inspect_config(write(tmp_path, text), env={})
    assert config is None
    (d,) = diags
    assert d.message.startswith("YAML syntax: ")
    assert fragment in d.message
    assert d.line == line, d


def test_yamlsource_marks_keys_values_and_duplicates():
    src = parse("a: 1\nb:\n  c: [x, y]\n  c: z\n")
    assert src.data == {"a": 1, "b": {"c": "z"}}
    assert (src.keys[("b", "c")].line, src.values[("a",)].col) == (4, 4)
    assert src.values[("b", "c")].line == 4
    ((path, first, second),) = src.duplicates
    assert path == ("b", "c") and (first.line, second.line) == (3, 4)
    # A deeper path falls back to the closest known parent
    assert src.mark(("b", "c", 5)).line == 4


def test_merge_keys_are_supported(tmp_path: Path):
    text = """\
version: 1
project: acme
jobs:
  a: &infra
    tier: infrastructure
    path: /a
    schedule: "0 6 * * *"
  b:
    <<: *infra
    path: /b
"""
    config, diags = inspect_config(write(tmp_path, text), env={})
    assert diags == [] and config is not None
    assert [(j.name, j.path, j.schedule) for j in config.jobs] == [
        ("a", "/a", "0 6 * * *"), ("b", "/b", "0 6 * * *")]


def test_merge_keys_still_catch_a_key_written_twice():
    src = parse(
        "base: &b\n  x: 1\nchild:\n  <<: *b\n  y: 2\n  y: 3\nagain:\n  <<: *b\n"
        "twice:\n  <<: *b\n  x: 5\nthird:\n  <<: *b\n"
    )
    assert [(p, second.line) for p, _, second in src.duplicates] == [(("child", "y"), 6)]
    assert src.data["twice"] == {"x": 5}
    assert src.data["third"] == {"x": 1}


def test_aliased_mapping_with_merge_is_not_a_duplicate():
    src = parse("a: &a\n  x: 1\nb: &b\n  <<: *a\n  x: 2\nc: *b\nd: *b\n")
    assert src.duplicates == []
    assert src.data["c"] == {"x": 2} and src.data["d"] == {"x": 2}


def test_unset_placeholder_is_not_registered_as_a_secret(tmp_path: Path):
    path = write(tmp_path, FULL.replace("Bearer abc123", "Bearer ${API_TOKEN}"))
    config, _ = inspect_config(path, env={})
    assert config is not None
    assert not any("${API_TOKEN}" in s for s in config.secrets)
    config, _ = inspect_config(path, env={"API_TOKEN": "tok-123456"})
    assert config is not None
    assert {"Bearer tok-123456", "tok-123456"} <= config.secrets


UNIONS = """\
version: 1
project: acme
base_url: https://app.example.com
jobs:
  worker:
    target: kubernetes
    schedule: "0 9 * * *"
    image: busybox
    env:
      PLAIN: 5
      FROM_SECRET: {secret: "", key: token}
  ping:
    tier: business
    path: /api/ping
    schedule: "0 9 * * *"
    body: 5
"""


def test_a_value_that_fits_no_form_of_a_field_is_one_error(tmp_path: Path):
    """A field that takes several forms (`env` values: text or a Secret key; `body`: mapping,
    list or text) reports one error naming the forms, or the one form the value came close
    to; never one error per form with the form's name inside the field path."""
    path = tmp_path / "schedules.yaml"
    path.write_text(UNIONS, encoding="utf-8")
    _config, diags = inspect_config(path, env={})
    found = [(d.job, d.field, d.message) for d in diags if d.severity == "error"]
    hints = {d.field: d.hint for d in diags}
    assert "Kubernetes Secret" in hints["env.PLAIN"] and "JSON" in hints["body"]
    assert sorted(found) == sorted([
        ("worker", "env.PLAIN", "should be a valid string or a mapping (got 5)"),
        ("worker", "env.FROM_SECRET.secret", "String should have at least 1 character "
                                             "(got '')"),
        ("ping", "body", "should be a mapping, a valid list or a valid string (got 5)"),
    ])
