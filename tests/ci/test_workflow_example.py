"""examples/github-actions.yml: a pull-request plan job and a push apply job, secrets by name."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / "examples" / "github-actions.yml"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
SECRET_REF = re.compile(r"^\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$")
SENSITIVE = re.compile(r"TOKEN|SECRET|SIGNING|PASSWORD|KEY", re.IGNORECASE)


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict) -> dict:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def job_for(workflow: dict, event: str) -> dict:
    found = [job for job in workflow["jobs"].values()
             if f"github.event_name == '{event}'" in str(job.get("if", ""))]
    assert len(found) == 1, f"expected one job for {event}"
    return found[0]


def commands(job: dict) -> list[list[str]]:
    """Each `cronctl ...` invocation in the job's run steps, as argv (redirections dropped)."""
    found = []
    for step in job["steps"]:
        for line in str(step.get("run", "")).splitlines():
            for part in re.split(r"&&|\|\||;|\|", line):
                argv = shlex.split(part)
                if argv and argv[0] == "cronctl":
                    found.append(argv[: _end(argv)])
    return found


def _end(argv: list[str]) -> int:
    return next((i for i, a in enumerate(argv) if a.startswith(">")), len(argv))


def step_running(job: dict, *argv: str) -> dict:
    for step in job["steps"]:
        for cmd in commands({"steps": [step]}):
            if cmd[: len(argv)] == list(argv):
                return step
    raise AssertionError(f"no step runs {' '.join(argv)}")


def test_triggers(workflow):
    on = triggers(workflow)
    assert "pull_request" in on and "push" in on
    assert "schedules.yaml" in on["pull_request"]["paths"]


def test_pull_request_job_plans(workflow):
    job = job_for(workflow, "pull_request")
    cmds = commands(job)
    assert ["cronctl", "validate"] in cmds
    assert ["cronctl", "generate", "--check"] in cmds
    assert ["cronctl", "diff", "--markdown", "--out", "plan.json"] in cmds
    assert not any(c[:2] == ["cronctl", "schedule"] for c in cmds)  # a PR never applies
    # validate and the check run before the plan.
    order = [c[1] for c in cmds]
    assert order.index("validate") < order.index("diff")
    assert order.index("generate") < order.index("diff")


def test_push_job_applies(workflow):
    job = job_for(workflow, "push")
    # The push job applies the plan reviewed on the pull request, nothing else.
    assert ["cronctl", "schedule", "--plan", "plan.json"] in commands(job)
    assert not any("--yes" in c for c in commands(job))
    plan_job = job_for(workflow, "pull_request")
    upload = next(s for s in plan_job["steps"] if "upload-artifact" in str(s.get("uses")))
    download = next(s for s in job["steps"] if "gh run download" in str(s.get("run")))
    assert upload["with"]["path"] == "plan.json"
    assert f"--name {upload['with']['name']}" in download["run"]
    assert "main" in triggers(workflow)["push"]["branches"]


@pytest.mark.parametrize(("event", "argv"), [("pull_request", ("cronctl", "diff")),
                                              ("push", ("cronctl", "schedule"))])
def test_qstash_steps_get_their_credentials_from_secrets(workflow, event, argv):
    env = step_running(job_for(workflow, event), *argv).get("env", {})
    # The example schedules.yaml needs CRON_SECRET (no default) for business jobs.
    for name in ("QSTASH_TOKEN", "CRON_SECRET"):
        assert SECRET_REF.match(str(env.get(name, ""))), (event, name)


def test_push_job_probes_the_vercel_deployment(workflow):
    job = job_for(workflow, "push")
    cmds = [c[1] for c in commands(job)]
    assert cmds.index("probe") > cmds.index("schedule")
    env = step_running(job, "cronctl", "probe").get("env", {})
    assert SECRET_REF.match(str(env.get("VERCEL_TOKEN", "")))
    assert env.get("VERCEL_PROJECT_ID")


def _walk(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))
    else:
        yield path, node


def test_no_literal_secret_values(workflow):
    for path, value in _walk(workflow):
        key = str(path[-1]) if path else ""
        if "env" in path and SENSITIVE.search(key):
            text = str(value)
            assert SECRET_REF.match(text) or text == "${{ github.token }}", (path, value)
    # Outside expressions, nothing that looks like a token or key.
    text = EXPRESSION.sub("", WORKFLOW.read_text(encoding="utf-8"))
    assert not re.search(r"\b(?:eyJ|sig_|qstash_)[A-Za-z0-9_\-]{8,}", text)
    assert not re.search(r"[A-Za-z0-9+/=_\-]{32,}", text)


def test_the_plan_and_the_apply_share_one_plan_key_from_secrets(workflow):
    """The two jobs run on different machines: the saved plan's keyed checksums need the same
    CRONCTL_PLAN_KEY on both (savedplan.py), from the repository's secrets."""
    keys = []
    for event, argv in (("pull_request", ("cronctl", "diff")), ("push", ("cronctl", "schedule"))):
        env = step_running(job_for(workflow, event), *argv).get("env", {})
        assert SECRET_REF.match(str(env.get("CRONCTL_PLAN_KEY", ""))), event
        keys.append(env["CRONCTL_PLAN_KEY"])
    assert keys[0] == keys[1]
