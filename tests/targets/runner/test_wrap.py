"""`kubernetes: {wrap: true}`: each container CronJob runs its command under `cronctl exec`;
the manifest validates against the official schemas, and the command it writes, run as the
container would (no schedules.yaml, the ledger from CRONCTL_DATABASE_URL), records the run in
a real PostgreSQL and exits with the command's code."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from cronctl.targets.runner.ledger import Ledger

FILE = """\
version: 1
project: demo
kubernetes:
  image: registry.example/app:1
  wrap: true
jobs:
  nightly:
    target: kubernetes
    schedule: "0 3 * * *"
    concurrency_policy: Forbid
    command: [python, -c]
    args: ["import sys; print('report'); sys.exit(5)"]
"""


def test_wrapped_cronjob_validates_and_its_command_runs_under_exec(cli, write_config,
                                                                  project_dir, pg_url, tmp_path):
    import kubernetes_validate

    write_config(FILE)
    code, out, err = cli("generate")
    assert code == 0, err
    (doc,) = [d for d in yaml.safe_load_all((project_dir / "k8s/cronjobs.yaml").read_text())
              if d]
    kubernetes_validate.validate(doc, "1.27.0", strict=True)
    container = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["cronctl", "exec", "--overlap", "forbid", "nightly", "--",
                                    "python", "-c"]
    assert {"name": "CRONCTL_DATABASE_URL", "valueFrom": {"secretKeyRef": {
        "name": "cronctl-runner", "key": "database-url"}}} in container["env"]
    # as the container runs it: command + args, in a folder with no schedules.yaml
    argv = [sys.executable, "-m", "cronctl", *container["command"][1:], *container["args"]]
    argv[argv.index("python")] = sys.executable
    pod = tmp_path / "pod"
    pod.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRONCTL_")}
    done = subprocess.run(argv, cwd=pod, env={**env, "CRONCTL_DATABASE_URL": pg_url},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 5, done.stderr
    assert done.stdout.strip() == "report"
    (row,) = Ledger(pg_url).runs(["nightly"])
    assert (row.outcome, row.exit_code, row.triggered_by) == ("failed", 5, "exec")
    assert row.result.strip() == "report"


def test_wrap_needs_a_command(cli, write_config):
    write_config(FILE.replace("    command: [python, -c]\n", ""))
    code, out, err = cli("validate")
    assert code == 2
    assert "schedules.yaml:7:3: error: job 'nightly': kubernetes.wrap runs" in out + err
