"""The kubernetes target's rules: what a batch/v1 CronJob can honour, said in the file's terms."""

from __future__ import annotations

import re
from typing import Any

from ... import cron
from ...config.diagnostics import Reporter
from ...config.interpolate import has_placeholder
from ...config.validate import zone
from .model import KubernetesJob, KubernetesSettings

# A CronJob's name is a DNS-1123 label of at most 52 characters: the controller appends an
# 11-character suffix to name its Jobs, and those must stay within 63.
MAX_NAME = 52
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}"
                       r"[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
CONTAINER_KEYS = ("image", "command", "args", "env", "resources")
HTTP_KEYS = ("method", "body")


def schedule_problems(expr: str, timezone: str | None = None) -> list[cron.CronProblem]:
    """The one place a Kubernetes schedule is checked: the `kubernetes` cron dialect (robfig/cron
    v3 ParseStandard, as the CronJob controller parses it). Errors and warnings."""
    return cron.get_dialect("kubernetes").validate(expr, timezone)


def settings(rep: Reporter, ctx: Any) -> None:
    s = ctx.model.kubernetes
    if s is None:
        return
    base = ("kubernetes",)
    if s.namespace and not has_placeholder(s.namespace) and not DNS_LABEL.match(s.namespace):
        rep.add((*base, "namespace"), f"namespace {s.namespace!r} is not a DNS-1123 label",
                hint="lowercase letters, digits and '-', e.g. enrollment")
    if s.service_account and not DNS_SUBDOMAIN.match(s.service_account):
        rep.add((*base, "service_account"),
                f"service account {s.service_account!r} is not a valid Kubernetes name",
                hint="lowercase letters, digits, '-' and '.'")
    labels(rep, (*base, "labels"), s.labels)


def labels(rep: Reporter, path: tuple, values: dict[str, str]) -> None:
    for key, value in values.items():
        if not LABEL_KEY.match(key) or len(key.rsplit("/", 1)[-1]) > 63:
            rep.add((*path, key), f"{key!r} is not a valid Kubernetes label key", key=True,
                    hint="[prefix/]name: letters, digits, '-', '_', '.', at most 63")
        elif not LABEL_VALUE.match(value) or len(value) > 63:
            rep.add((*path, key), f"{value!r} is not a valid Kubernetes label value",
                    hint="at most 63 letters, digits, '-', '_' or '.'")


def job(rep: Reporter, base: tuple, name: str, j: KubernetesJob, ctx: Any) -> None:
    model = ctx.model
    zone(rep, (*base, "timezone"), j.timezone)
    if len(name) > MAX_NAME or not DNS_LABEL.match(name):
        rep.add(base, f"job name {name!r} cannot name a Kubernetes CronJob (target kubernetes)",
                hint=f"use lowercase letters, digits and '-', at most {MAX_NAME} characters",
                key=True)
    prefix_tz, expr = cron.split_tz(j.schedule)
    if prefix_tz:
        rep.add((*base, "schedule"), "Kubernetes refuses a TZ= or CRON_TZ= prefix in the "
                "schedule (target kubernetes)", hint="write the zone in 'timezone' "
                "(it becomes spec.timeZone)")
    if model.kubernetes is not None and model.kubernetes.wrap and j.path is None \
            and not j.command:
        rep.add(base, "kubernetes.wrap runs each container job's command under 'cronctl "
                "exec', and this job has no command", key=True,
                hint="give it command: [...] (the image's entrypoint cannot be wrapped)")
    tz = j.timezone if j.timezone and cron.is_valid_zone(j.timezone) else None
    if not prefix_tz:  # the prefix is reported above, once
        for problem in schedule_problems(expr, tz):
            rep.add((*base, problem.field), problem.message, hint=problem.hint,
                    severity=problem.severity)
    container = [k for k in CONTAINER_KEYS if getattr(j, k)]
    settings_ = model.kubernetes or KubernetesSettings()
    if j.path is not None:
        for key in container:
            rep.add((*base, key), f"{key!r} is for container jobs; this job calls 'path'",
                    hint="a kubernetes job either calls a path (HTTP job) or runs an image "
                    "(container job): remove one", key=True)
        if not (settings_.base_url or model.base_url):
            rep.add((*base, "path"), "an HTTP job of the kubernetes target needs 'base_url'",
                    hint="set base_url (or kubernetes.base_url, e.g. an in-cluster service URL)")
    else:
        for key in HTTP_KEYS:
            if getattr(j, key) is not None:
                rep.add((*base, key), f"{key!r} applies to HTTP jobs (with 'path') only",
                        key=True)
        if not (j.image or settings_.image):
            rep.add(base, "a kubernetes job needs 'path' (an HTTP job) or 'image' (a container "
                    "job)", hint="add image: (or kubernetes.image as the default), or path:",
                    key=True)
    if j.concurrency is not None and j.concurrency > 1:
        rep.add((*base, "concurrency"), "the kubernetes target can only forbid overlapping "
                "runs (concurrency: 1)", hint="use concurrency_policy: Allow for unlimited")
    if j.concurrency == 1 and j.concurrency_policy not in (None, "Forbid"):
        rep.add((*base, "concurrency_policy"), "concurrency: 1 means Forbid; the two disagree",
                hint="keep one of them")
    for key in j.env:
        if not ENV_NAME.match(key):
            rep.add((*base, "env", key), f"{key!r} is not a valid environment variable name",
                    key=True)
