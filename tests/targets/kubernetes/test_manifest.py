"""The kubernetes target's manifest: the field mapping, and every document valid against the
official Kubernetes schemas in strict mode (1.27, the first with spec.timeZone stable, and the
newest release `kubernetes-validate` bundles)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "kubernetes"


def _validate_all(documents: list[dict]) -> None:
    import kubernetes_validate
    from kubernetes_validate import utils

    versions = ["1.27.0", utils.latest_version()]
    assert versions[1] != versions[0]
    for doc in documents:
        for version in versions:
            kubernetes_validate.validate(doc, version, strict=True)  # raises when invalid


def test_the_example_is_the_seed_system_and_validates(cli, project_dir):
    shutil.copy(EXAMPLE / "schedules.yaml", project_dir / "schedules.yaml")
    code, out, err = cli("generate")
    assert code == 0, err
    docs = [d for d in yaml.safe_load_all((project_dir / "k8s" / "cronjobs.yaml").read_text())
            if d]
    by_name = {d["metadata"]["name"]: d for d in docs}
    reminders = by_name["send-signature-reminders"]["spec"]
    timeouts = by_name["check-signature-timeouts"]["spec"]
    assert reminders["schedule"] == "*/30 * * * *" and timeouts["schedule"] == "0 */2 * * *"
    assert reminders["concurrencyPolicy"] == timeouts["concurrencyPolicy"] == "Forbid"
    env = reminders["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "DB_USER", "valueFrom": {"secretKeyRef": {"name": "db-creds",
                                                              "key": "username"}}} in env
    _validate_all(docs)
    # The committed copy beside the example is what cronctl generates from it.
    committed = (EXAMPLE / "k8s" / "cronjobs.yaml").read_text(encoding="utf-8")
    assert (project_dir / "k8s" / "cronjobs.yaml").read_text(encoding="utf-8") == committed


def test_field_mapping(kube, kjob_yaml):
    kube.write(kjob_yaml("full", "0 3 * * 1-5", """
timezone: Europe/Lisbon
enabled: false
concurrency: 1
retries: 4
timeout: 10m
starting_deadline: 2m
successful_history: 2
failed_history: 5
restart_policy: Never
description: Nightly export
command: [python, -m, export]
args: [--all]
env:
  MODE: full
  TOKEN: {secret: export-creds, key: token}
resources:
  requests: {cpu: 250m, memory: 64Mi}
  limits: {cpu: 1, memory: 128Mi}
""") + kjob_yaml("replace", extra="concurrency_policy: Replace\nimage: busybox:1.36"))
    code, _, err = kube.run("generate")
    assert code == 0, err
    full = kube.cronjob("full")
    spec = full["spec"]
    assert full["metadata"]["namespace"] == "jobs"
    assert full["metadata"]["labels"] == {"team": "platform",
                                          "app.kubernetes.io/managed-by": "cronctl",
                                          "cronctl.dev/project": "acme",
                                          "cronctl.dev/job": "full"}
    assert full["metadata"]["annotations"] == {"cronctl.dev/description": "Nightly export"}
    assert (spec["schedule"], spec["timeZone"], spec["suspend"]) == ("0 3 * * 1-5",
                                                                     "Europe/Lisbon", True)
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["startingDeadlineSeconds"] == 120
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (2, 5)
    job = spec["jobTemplate"]["spec"]
    assert (job["backoffLimit"], job["activeDeadlineSeconds"]) == (4, 600)
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never" and pod["serviceAccountName"] == "runner"
    container = pod["containers"][0]
    assert container["image"] == "registry.example.com/workers:1.0"
    assert (container["command"], container["args"]) == (["python", "-m", "export"], ["--all"])
    assert container["env"] == [
        {"name": "MODE", "value": "full"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "export-creds",
                                                         "key": "token"}}}]
    assert container["resources"] == {"requests": {"cpu": "250m", "memory": "64Mi"},
                                      "limits": {"cpu": 1, "memory": "128Mi"}}
    replace = kube.cronjob("replace")
    assert replace["spec"]["concurrencyPolicy"] == "Replace"
    assert replace["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0][
        "image"] == "busybox:1.36"
    _validate_all(kube.documents())


def test_http_job_reads_the_secret_by_reference_and_never_holds_it(kube, kjob_yaml):
    secret = "super-secret-cron-value-1234"
    kube.write(kjob_yaml("ping", extra="path: /api/cron/ping\nmethod: POST\n"
                                       "body: {kind: ping}\ntimeout: 30s"))
    code, _, err = kube.run("generate", env={"CRON_SECRET": secret})
    assert code == 0, err
    text = kube.manifest.read_text(encoding="utf-8")
    assert secret not in text
    container = kube.cronjob("ping")["spec"]["jobTemplate"]["spec"]["template"]["spec"][
        "containers"][0]
    assert container["image"].startswith("curlimages/curl:")
    assert container["args"][-1] == "https://app.example.com/api/cron/ping"
    assert "Authorization: Bearer $(CRON_SECRET)" in container["args"]
    assert container["args"][container["args"].index("--data") + 1] == '{"kind":"ping"}'
    assert container["env"] == [{"name": "CRON_SECRET", "valueFrom": {"secretKeyRef": {
        "name": "cron-secret", "key": "CRON_SECRET"}}}]
    _validate_all(kube.documents())


def test_a_secret_value_given_as_a_literal_env_value_is_refused(kube, kjob_yaml):
    kube.write(kjob_yaml("leak", extra="env:\n  API_TOKEN: ${API_TOKEN}"))
    code, _, err = kube.run("generate", env={"API_TOKEN": "tok-abcdef-123456"})
    assert code == 2
    assert "schedules.yaml:12: job 'leak' would write a secret value" in err
    assert "secret: SECRET_NAME" in err
    assert "tok-abcdef-123456" not in err
    assert not kube.manifest.exists()


def test_tier_mapping_sends_a_tier_to_kubernetes(kube):
    kube.write("  beat:\n    tier: infrastructure\n    path: /api/beat\n"
               '    schedule: "0 6 * * *"\n',
               extra_head="tiers:\n  infrastructure: kubernetes\n")
    code, out, err = kube.run("generate")
    assert code == 0, err
    assert [d["metadata"]["name"] for d in kube.documents()] == ["beat"]
    assert not (kube.folder / "vercel.json").exists()
    code, out, _ = kube.run("list", "--local", "--json")
    import json

    assert json.loads(out)["jobs"][0]["target"] == "kubernetes"
