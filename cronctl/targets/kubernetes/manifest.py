"""One job as a batch/v1 CronJob: the field mapping from schedules.yaml.

    schedule → spec.schedule          timezone → spec.timeZone      enabled: false → suspend
    concurrency: 1 / concurrency_policy → spec.concurrencyPolicy
    starting_deadline → spec.startingDeadlineSeconds
    successful_history / failed_history → spec.{successful,failed}JobsHistoryLimit
    retries → backoffLimit            timeout → activeDeadlineSeconds
    restart_policy → restartPolicy (default OnFailure)

An HTTP job runs `curl` against base_url + path with `Authorization: Bearer $(CRON_SECRET)`:
the value comes from a Secret through secretKeyRef and is never written into the manifest.
A container job runs its own image, command, args, env and resources.
"""

from __future__ import annotations

from typing import Any

from ...config import Config, Job
from ...cron.gotime import go_fields  # the spaces robfig splits on
from .model import KubernetesSettings, SecretRef

MANAGED_BY = "app.kubernetes.io/managed-by"
PROJECT = "cronctl.dev/project"
JOB = "cronctl.dev/job"
SECRET_ENV = "CRON_SECRET"


def settings_of(config: Config) -> KubernetesSettings:
    return config.settings.get("kubernetes") or KubernetesSettings()


def ownership(config: Config, job: str | None = None) -> dict[str, str]:
    labels = {MANAGED_BY: "cronctl", PROJECT: config.project}
    if job:
        labels[JOB] = job
    return labels


def _env(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, SecretRef):
        return {"name": name, "valueFrom": {"secretKeyRef": {"name": value.secret,
                                                             "key": value.key}}}
    return {"name": name, "value": str(value)}


def _http_container(config: Config, job: Job, s: KubernetesSettings) -> dict[str, Any]:
    base = (s.base_url or config.base_url or "").rstrip("/")
    args = ["--fail-with-body", "--silent", "--show-error"]
    if job.spec.model.timeout:
        args += ["--max-time", str(job.spec.model.timeout)]
    args += ["--request", job.spec.method.upper(),
             "--header", f"Authorization: Bearer $({SECRET_ENV})"]
    if job.spec.body is not None:
        spec_body = job.spec.model.body
        if isinstance(spec_body, dict | list):
            args += ["--header", "Content-Type: application/json"]
        args += ["--data", job.spec.body]
    args.append(base + (job.path or ""))
    return {
        "name": job.name,
        "image": s.http_image,
        "args": args,
        "env": [_env(SECRET_ENV, s.cron_secret)],
    }


def _container(job: Job, s: KubernetesSettings) -> dict[str, Any]:
    k = job.spec.model
    out: dict[str, Any] = {"name": job.name, "image": k.image or s.image}
    env = [_env(name, value) for name, value in k.env.items()]
    if k.command and s.wrap:  # the job's contract: its lock, overlap and the run ledger
        policy = (k.concurrency_policy or ("Forbid" if k.concurrency == 1 else "Allow"))
        out["command"] = ["cronctl", "exec", "--overlap", policy.lower(), job.name, "--",
                          *k.command]
        env.append(_env("CRONCTL_DATABASE_URL", s.runner_database))
    elif k.command:
        out["command"] = list(k.command)
    if k.args:
        out["args"] = list(k.args)
    if env:
        out["env"] = env
    if k.resources and (k.resources.requests or k.resources.limits):
        out["resources"] = {part: dict(values) for part, values in
                            (("requests", k.resources.requests),
                             ("limits", k.resources.limits)) if values}
    return out


def cronjob(config: Config, job: Job) -> dict[str, Any]:
    """The CronJob document for a job of the kubernetes target (key order is the output's)."""
    s = settings_of(config)
    k = job.spec.model
    labels = {**dict(sorted(s.labels.items())), **ownership(config, job.name)}
    metadata: dict[str, Any] = {"name": job.name}
    if s.namespace:
        metadata["namespace"] = s.namespace
    metadata["labels"] = labels
    if job.description:
        metadata["annotations"] = {"cronctl.dev/description": job.description}
    spec: dict[str, Any] = {"schedule": " ".join(go_fields(job.schedule)),
                            "timeZone": job.timezone or "UTC",
                            "suspend": not job.enabled}
    policy = k.concurrency_policy or ("Forbid" if k.concurrency == 1 else None)
    if policy:
        spec["concurrencyPolicy"] = policy
    if k.starting_deadline is not None:
        spec["startingDeadlineSeconds"] = k.starting_deadline
    if k.successful_history is not None:
        spec["successfulJobsHistoryLimit"] = k.successful_history
    if k.failed_history is not None:
        spec["failedJobsHistoryLimit"] = k.failed_history
    container = _http_container(config, job, s) if job.path else _container(job, s)
    pod: dict[str, Any] = {}
    if s.service_account:
        pod["serviceAccountName"] = s.service_account
    pod["restartPolicy"] = k.restart_policy or "OnFailure"
    pod["containers"] = [container]
    job_spec: dict[str, Any] = {}
    if k.retries is not None:
        job_spec["backoffLimit"] = k.retries
    if k.timeout:
        job_spec["activeDeadlineSeconds"] = k.timeout
    job_spec["template"] = {"metadata": {"labels": labels}, "spec": pod}
    spec["jobTemplate"] = {"metadata": {"labels": labels}, "spec": job_spec}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": metadata, "spec": spec}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves by dotted path; list items with a name by that name, so a plan says
    `...containers[worker].env[DB_HOST].value`, not an index that shifts."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        names = [v.get("name") if isinstance(v, dict) else None for v in value]
        by_name = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        for i, item in enumerate(value):
            if by_name:  # the name is in the path already
                rest = {k: v for k, v in item.items() if k != "name"}
                out.update(flatten(rest or item, f"{prefix}[{names[i]}]"))
            else:
                out.update(flatten(item, f"{prefix}[{i}]"))
        if not value:
            out[prefix] = []
    else:
        out[prefix] = value
    return out
