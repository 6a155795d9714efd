"""The kubernetes target's rules, one bad input each, through `cronctl validate --json`:
fields a target cannot honour are errors naming the target, with line, job and field."""

from __future__ import annotations

import json

import pytest

HEAD = """\
version: 1
project: acme
base_url: https://app.example.com
kubernetes:
  image: busybox:1.36
jobs:
  worker:
    target: kubernetes
"""


def kube(schedule: str = "*/30 * * * *", extra: str = "", head: str = HEAD) -> str:
    return head + f'    schedule: "{schedule}"\n' + extra


CASES = [
    ("tz-prefix", kube("TZ=Europe/Lisbon 0 9 * * *"), 9, "worker", "schedule",
     "Kubernetes refuses a TZ= or CRON_TZ= prefix", "timeZone"),
    ("cron-4-fields", kube("0 9 * *"), 9, "worker", "schedule", "expected 5 fields", None),
    ("concurrency-2", kube(extra="    concurrency: 2\n"), 10, "worker", "concurrency",
     "the kubernetes target can only forbid overlapping runs", "Allow"),
    ("policy-conflict", kube(extra="    concurrency: 1\n    concurrency_policy: Allow\n"), 11,
     "worker", "concurrency_policy", "concurrency: 1 means Forbid", None),
    ("headers-on-kubernetes", kube(extra="    path: /api/x\n    headers: {X-A: b}\n"), 11,
     "worker", "headers", "'headers' is not supported by the kubernetes target",
     "kubernetes.cron_secret"),
    ("http-and-container", kube(extra="    path: /api/x\n    command: [run]\n"), 11, "worker",
     "command", "'command' is for container jobs", None),
    ("no-path-no-image", kube(head=HEAD.replace("  image: busybox:1.36\n", "")), 6, "worker",
     None, "needs 'path' (an HTTP job) or 'image'", "kubernetes.image"),
    ("name-too-long", HEAD.replace("  worker:", "  " + "w" * 53 + ":")
     + '    schedule: "0 9 * * *"\n', 7, "w" * 53, None,
     "cannot name a Kubernetes CronJob (target kubernetes)", "at most 52"),
    ("uppercase-name", HEAD.replace("  worker:", "  Worker:") + '    schedule: "0 9 * * *"\n', 7,
     "Worker", None, "cannot name a Kubernetes CronJob", None),
    ("bad-env-name", kube(extra="    env:\n      1BAD: x\n"), 11, "worker", "env.1BAD",
     "not a valid environment variable name", None),
    ("bad-namespace", HEAD.replace("  image: busybox:1.36\n", "  image: x\n  namespace: Prod\n")
     + '    schedule: "0 9 * * *"\n', 6, None, "kubernetes.namespace", "not a DNS-1123 label",
     None),
    ("unknown-target", HEAD.replace("target: kubernetes", "target: kubernets")
     + '    schedule: "0 9 * * *"\n', 8, "worker", "target", "unknown target 'kubernets'",
     "did you mean 'kubernetes'?"),
    ("retry-delay-on-kubernetes", kube(extra="    retry_delay: '1000'\n"), 10, "worker",
     "retry_delay", "is not supported by the kubernetes target", None),
    ("image-on-qstash", HEAD.replace("target: kubernetes", "tier: business\n    path: /x")
     + '    schedule: "0 9 * * *"\n    image: busybox\n', 11, "worker", "image",
     "'image' is not supported by the qstash target", "target: kubernetes"),
    ("image-on-vercel", HEAD.replace("target: kubernetes", "target: vercel\n    path: /x")
     + '    schedule: "0 9 * * *"\n    image: busybox\n', 11, "worker", "image",
     "the vercel target (vercel.json crons) takes path and schedule only", None),
    ("bad-safety-share", HEAD.replace("jobs:", "safety:\n  delete_threshold: 2\njobs:")
     + '    schedule: "0 9 * * *"\n', 7, None, "safety.delete_threshold",
     "less than or equal to 1", None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule(case, cli, write_config):
    _, text, line, job, field, message, hint = case
    path = write_config(text)
    code, out, err = cli("validate", "--json")
    assert code == 2, out
    assert "Traceback" not in err
    errors = [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
    matching = [p for p in errors if message in p["message"]]
    assert matching, f"no error containing {message!r} in {errors}"
    problem = matching[0]
    assert (problem["file"], problem["line"]) == (str(path), line), problem
    assert (problem["job"], problem["field"]) == (job, field), problem
    if hint is not None:
        assert hint in (problem["hint"] or ""), problem


def test_a_valid_kubernetes_file(cli, write_config):
    write_config(kube(extra="    timezone: Europe/Lisbon\n    concurrency: 1\n"))
    code, out, err = cli("validate")
    assert code == 0, err
    assert "valid (0 infrastructure jobs, 0 business jobs, 1 kubernetes job)" in out


def test_the_kubernetes_dialect_warns_like_robfig(cli, write_config):
    # Both day fields restricted: robfig (and so the CronJob controller) runs on EITHER.
    write_config(kube("0 0 */2 * 1"))
    code, out, err = cli("validate", "--json")
    assert code == 0, out
    warnings = [p for p in json.loads(out)["problems"] if p["severity"] == "warning"]
    assert warnings and all(p["job"] == "worker" for p in warnings)
    assert any(p["field"] == "schedule" for p in warnings)
