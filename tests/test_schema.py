"""The JSON Schema of schedules.yaml: committed copy up to date, and agreeing with cronctl."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from cronctl.schema import render

REPO_ROOT = Path(__file__).resolve().parents[1]
COMMITTED = REPO_ROOT / "schedules.schema.json"
EXAMPLE = REPO_ROOT / "schedules.yaml"
CORPUS = Path(__file__).parent / "corpus" / "malformed"

# Corpus files whose mistake is structural (unknown key, wrong type, unknown enum value,
# missing required key, bad job name or project name): the schema alone must reject them.
# The rest are YAML syntax errors (not loadable) or rules the schema cannot express (cron
# dialects, timezones, URLs, header syntax, a business job without base_url, ...).
STRUCTURAL = [
    # unknown key
    "misspelt-enabled.yaml",
    "misspelt-jobs-key.yaml",
    "misspelt-retries-in-defaults.yaml",
    "retries-on-infrastructure.yaml",
    # wrong type
    "document-is-a-string.yaml",
    "empty-file.yaml",
    "enabled-quoted-yes.yaml",
    "headers-as-list.yaml",
    "job-fields-not-indented.yaml",
    "jobs-is-a-list.yaml",
    "jobs-is-a-string.yaml",
    "labels-as-string.yaml",
    "retries-as-word.yaml",
    "timeout-in-words.yaml",
    # out of range
    "concurrency-zero.yaml",
    "negative-retries.yaml",
    # unknown enum value / constant
    "unknown-method.yaml",
    "unknown-priority.yaml",
    "unknown-tier.yaml",
    "unknown-vercel-plan.yaml",
    "version-2.yaml",
    # missing required key
    "missing-schedule.yaml",
    "missing-tier.yaml",
    "missing-version.yaml",
    # bad names
    "job-name-with-space.yaml",
    "uppercase-project.yaml",
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(validator, data) -> list[str]:
    return [e.message for e in validator.iter_errors(data)]


def test_committed_schema_is_the_generated_one():
    assert COMMITTED.read_text(encoding="utf-8") == render()


def test_schema_check_from_the_repo_root_exits_0(run_cronctl):
    code, out, err = run_cronctl("schema", "-o", "schedules.schema.json", "--check",
                                 cwd=REPO_ROOT)
    assert code == 0, err
    assert "up to date" in out


def test_schema_without_output_prints_it(cli):
    code, out, _ = cli("schema")
    assert code == 0
    assert out == render()


def test_stale_copy_exits_3_and_is_not_rewritten(cli, project_dir: Path):
    stale = project_dir / "schedules.schema.json"
    data = json.loads(render())
    data["title"] = "an older schema"
    text = json.dumps(data, indent=2) + "\n"
    stale.write_text(text, encoding="utf-8")
    code, out, err = cli("schema", "-o", str(stale), "--check")
    assert code == 3
    assert "out of date" in err
    assert stale.read_text(encoding="utf-8") == text


def test_missing_copy_with_check_exits_3_and_writes_nothing(cli, project_dir: Path, snapshot):
    before = snapshot(project_dir)
    code, _, _ = cli("schema", "-o", "schedules.schema.json", "--check")
    assert code == 3
    assert snapshot(project_dir) == before


def test_output_writes_then_check_passes(cli, project_dir: Path):
    code, _, _ = cli("schema", "-o", "schedules.schema.json")
    assert code == 0
    assert (project_dir / "schedules.schema.json").read_text(encoding="utf-8") == render()
    code, out, _ = cli("schema", "-o", "schedules.schema.json", "--check")
    assert code == 0
    assert "up to date" in out


def test_example_points_editors_at_the_schema():
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schedules.schema.json"
    assert (EXAMPLE.parent / "schedules.schema.json").is_file()


def test_example_validates(validator):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert problems(validator, data) == []


def test_schema_accepts_cronctl_init_output(cli, project_dir: Path, validator):
    code, _, err = cli("init", "--project", "acme")
    assert code == 0, err
    text = (project_dir / "schedules.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./schedules.schema.json"
    assert problems(validator, yaml.safe_load(text)) == []
    # init also writes the schema next to the file: the same one.
    assert (project_dir / "schedules.schema.json").read_text(encoding="utf-8") == render()


def test_every_listed_structural_file_exists():
    missing = [name for name in STRUCTURAL if not (CORPUS / name).is_file()]
    assert missing == []
    assert len(set(STRUCTURAL)) == len(STRUCTURAL)


# Loadable corpus files the schema cannot catch (provider and semantic rules).
NOT_STRUCTURAL = [
    "retry-delay-not-an-expression.yaml",
    "base-url-not-http.yaml",
    "business-without-base-url.yaml",
    "callback-not-a-url.yaml",
    "cron-tz-prefix.yaml",
    "daily-macro-on-vercel.yaml",
    "day-of-month-and-weekday-on-vercel.yaml",
    "duplicate-job-name.yaml",  # a YAML-level problem PyYAML does not report
    "duplicate-schedule-in-job.yaml",
    "duplicate-top-level-key.yaml",
    "february-31st.yaml",
    "four-field-cron.yaml",
    "header-value-newline.yaml",
    "hobby-every-15-minutes.yaml",
    "invalid-header-name.yaml",
    "invalid-timezone.yaml",
    "label-with-space.yaml",
    "last-day-of-month-on-vercel.yaml",
    "minute-out-of-range.yaml",
    "path-with-space.yaml",
    "path-without-slash.yaml",
    "six-field-cron.yaml",
    "sunday-as-7-on-vercel.yaml",
    "timezone-on-infrastructure.yaml",  # accepted by the model so validate can explain it
    "weekday-name-on-vercel.yaml",
]


def _load(path: Path):
    """The document, or None when the file is not loadable YAML (a syntax-level mistake)."""
    try:
        return True, yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return False, None


def test_structural_corpus_files_are_rejected_by_the_schema(validator):
    files = sorted(CORPUS.glob("*.yaml"))
    checked, accepted = [], []
    for case in files:
        if case.name not in STRUCTURAL:
            continue
        loadable, data = _load(case)
        assert loadable, f"{case.name} is listed as structural but is not loadable YAML"
        checked.append(case.name)
        if not problems(validator, data):
            accepted.append(case.name)
    assert sorted(checked) == sorted(STRUCTURAL)
    assert accepted == [], "the schema accepted structurally broken files"


def test_every_loadable_corpus_file_is_classified():
    """A new corpus file must be added to STRUCTURAL or NOT_STRUCTURAL above."""
    assert not set(STRUCTURAL) & set(NOT_STRUCTURAL)
    unclassified = [
        case.name for case in sorted(CORPUS.glob("*.yaml"))
        if _load(case)[0] and case.name not in STRUCTURAL + NOT_STRUCTURAL
    ]
    assert unclassified == []
    assert all((CORPUS / name).is_file() for name in NOT_STRUCTURAL)


def test_structural_files_are_loadable_yaml():
    for name in STRUCTURAL:
        yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))


# Files cronctl accepts: the schema must not flag them in an editor.
ACCEPTED = {
    "lowercase-method": """\
        version: 1
        project: acme
        base_url: https://app.example.com
        defaults:
          method: post
        jobs:
          reminders:
            tier: business
            path: /api/cron/reminders
            schedule: "0 9 * * *"
            method: Get
    """,
    "durations": """\
        version: 1
        project: acme
        base_url: https://app.example.com
        defaults:
          timeout: 30
          delay: 1h
        jobs:
          reminders:
            tier: business
            path: /api/cron/reminders
            schedule: "0 9 * * *"
            timeout: 5m
            delay: "90s"
    """,
    "everything-optional": """\
        version: 1
        project: acme-health
        base_url: ${APP_URL:-http://localhost:3000}
        vercel: {plan: hobby, file: web/vercel.json}
        diagnostics: {path: /api/diag, components: [db]}
        defaults:
          retries: 0
          timezone: Europe/Lisbon
          headers: {X-Env: prod, X-Unset: null}
          labels: [a]
        jobs:
          keep-alive:
            tier: infrastructure
            path: /api/cron/keep-alive
            schedule: "0 6 * * *"
            priority: critical
            enabled: false
            description: x
          payouts:
            tier: business
            path: /api/cron/payouts
            schedule: "0 6 * * *"
            body: {kind: daily}
            concurrency: 1
            callback: https://hooks.example.com/done
            failure_callback: https://hooks.example.com/failed
            retry_delay: "1000 * pow(2, retried)"
            labels: [payments]
    """,
    "no-jobs": "version: 1\nproject: acme\njobs: {}\n",
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_schema_accepts_what_cronctl_accepts(name, validator, cli, write_config):
    path = write_config(ACCEPTED[name])
    code, out, err = cli("validate", env={"APP_URL": "https://app.example.com"})
    assert code == 0, out + err  # cronctl accepts it ...
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert problems(validator, data) == []  # ... and so does the schema


def test_schema_rejects_a_misspelt_method(validator):
    data = {"version": 1, "project": "acme",
            "jobs": {"r": {"tier": "business", "path": "/r", "schedule": "0 9 * * *",
                           "method": "POSTT"}}}
    assert problems(validator, data)


def test_schema_command_runs_from_the_console_script(project_dir: Path):
    proc = subprocess.run([sys.executable, "-m", "cronctl", "schema"], cwd=project_dir,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(render())


def test_schema_is_self_contained():
    """Every $ref points inside the file, so a copy works offline in any editor."""
    text = COMMITTED.read_text(encoding="utf-8")
    refs = {part.split('"')[0] for part in text.split('"$ref": "')[1:]}
    assert refs and all(ref.startswith("#/$defs/") for ref in refs)
    defs = json.loads(text)["$defs"]
    assert {ref.removeprefix("#/$defs/") for ref in refs} <= set(defs)


def test_kubernetes_example_and_tier_mapping_validate(validator):
    data = yaml.safe_load((REPO_ROOT / "examples" / "kubernetes" / "schedules.yaml")
                          .read_text(encoding="utf-8"))
    assert problems(validator, data) == []
    # A kubernetes job says so with `target`; with a `tiers:` mapping, a tier may be enough.
    job = {"tier": "infrastructure", "schedule": "0 6 * * *", "image": "busybox"}
    base = {"version": 1, "project": "acme", "jobs": {"beat": job}}
    assert problems(validator, base)
    assert problems(validator, {**base, "tiers": {"infrastructure": "kubernetes"}}) == []
    assert problems(validator, {**base, "jobs": {"beat": {**job, "target": "kubernetes"}}}) == []
    assert problems(validator, {**base, "jobs": {"beat": {"target": "kubernetes",
                                                           "schedule": "0 6 * * *",
                                                           "headers": {"a": "b"}}}})
