"""Turn the schedules QStash has today into schedules.yaml entries. Pure."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from ...config.project import owner_of
from ...config.validate import JOB_NAME
from ...importing import name_from_path, unique
from ...secrets import reveal
from ...urls import base_url_problem, display, path_problem
from .spec import DEFAULT_METHOD, DEFAULT_RETRIES, ScheduleSpec

_MANAGED = re.compile(r"^cronctl\.[a-z0-9-]+\.(.+)$")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def base_url_of(specs: list[ScheduleSpec]) -> str | None:
    origins = Counter(_origin(s.destination) for s in specs
                      if urlsplit(s.destination).scheme in ("http", "https")
                      and base_url_problem(_origin(s.destination)) is None)
    return origins.most_common(1)[0][0] if origins else None


def job_name(spec_id: str, path: str) -> str:
    managed = _MANAGED.match(spec_id)
    if managed:
        return managed.group(1)
    if JOB_NAME.fullmatch(spec_id) and not spec_id.startswith("scd_"):
        return spec_id
    return name_from_path(path)


def _env_name(header: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", header.upper()).strip("_")


_MEDIA_TYPE = re.compile(r"[a-z]+/[a-z0-9.+-]+(; ?charset=[a-z0-9-]+)?\Z", re.I)


def placeholder(header: str, value: Any) -> str:
    """Every forwarded header value becomes a ${VAR} placeholder, unless it is provably
    harmless (a plain media type in Content-Type): an importer cannot tell a tenant ID from
    a credential, and the file it writes is meant to be committed."""
    text = reveal(value)
    if header.lower() == "content-type" and _MEDIA_TYPE.match(text):
        return text
    if header.lower() == "authorization" and text.lower().startswith("bearer "):
        return "Bearer ${CRON_SECRET}"
    return "${" + _env_name(header) + "}"


def _title(header: str) -> str:
    return "-".join(p.capitalize() for p in header.split("-"))


def from_qstash(specs: list[ScheduleSpec], base_url: str, taken: set[str],
                project: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """Jobs for the schedules under `base_url`; a schedule another cronctl project manages
    is skipped (and said so), so `schedule --adopt` can never take it over."""
    jobs: dict[str, Any] = {}
    skipped: list[str] = []
    for s in sorted(specs, key=lambda s: s.schedule_id):
        owner = owner_of(s.schedule_id)
        if owner is not None and owner != project:
            skipped.append(f"{s.schedule_id}: managed by cronctl project {owner!r}")
            continue
        if _origin(s.destination) != base_url:
            skipped.append(f"{s.schedule_id}: destination {display(_origin(s.destination))} "
                           f"is not under {base_url}")
            continue
        path = _path(s.destination)
        problem = path_problem(path)
        if problem:
            skipped.append(f"{s.schedule_id}: its path {problem}")
            continue
        job: dict[str, Any] = {"tier": "business", "path": path, "schedule": s.cron}
        if s.timezone != "UTC":
            job["timezone"] = s.timezone
        if s.paused:
            job["enabled"] = False
        if s.method != DEFAULT_METHOD:
            job["method"] = s.method
        if s.retries != DEFAULT_RETRIES:
            job["retries"] = s.retries
        for field, value in (("timeout", s.timeout), ("delay", s.delay)):
            if value:
                job[field] = f"{value}s"
        if s.retry_delay:
            job["retry_delay"] = s.retry_delay
        headers = dict(s.headers)
        body: Any = s.body or None
        if body and headers.get("content-type") == "application/json":
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict | list):
                body = parsed
                headers.pop("content-type")
        if headers:
            job["headers"] = {_title(k): placeholder(k, v) for k, v in headers.items()}
        if body:
            job["body"] = body
        if s.labels:
            job["labels"] = list(s.labels)
        for field, url in (("callback", s.callback), ("failure_callback", s.failure_callback)):
            if url:
                job[field] = _path(url) if _origin(url) == base_url else url
        if s.parallelism:
            job["concurrency"] = s.parallelism
        jobs[unique(job_name(s.schedule_id, path), taken)] = job
    return jobs, skipped
