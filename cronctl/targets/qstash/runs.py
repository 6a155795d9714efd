"""Runs of a job from QStash's logs: events grouped by message, and its dead-letter queue.

A run is one message: CREATED, then per attempt ACTIVE and DELIVERED or ERROR (+ RETRY), and
FAILED when out of retries. Every run of a managed job carries the job's label (schedule and
manual publish alike); a run with a schedule ID was started by the schedule.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from ...aio import gather_all
from ..base import DeadLetter, Run
from .spec import run_label

MAX_PAGES = 200
PAGE = 1000
BODY_START = 200
RETRY_SLACK_MS = 24 * 3600 * 1000  # a run's retries may come this long after it was due
FINAL = {"DELIVERED": "delivered", "FAILED": "failed", "CANCELED": "cancelled",
         "CANCELLED": "cancelled"}
_B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


def iso(ms: Any) -> str | None:
    if not ms:
        return None
    return datetime.fromtimestamp(int(ms) / 1000, UTC).isoformat(timespec="seconds")


def labels_of(item: dict) -> set[str]:
    labels = item.get("labels")
    if isinstance(labels, list):
        return {str(x) for x in labels}
    return {x.strip() for x in str(item.get("label") or "").split(",") if x.strip()}


def history_labels(job) -> tuple[str, ...]:
    """The labels a job's runs carry: its own, then those of the name it was renamed from."""
    return job.spec.history_ids or (run_label(job),)


class JobIndex:
    """Which managed job a log event or dead letter belongs to: by label, else schedule ID."""

    def __init__(self, jobs: Iterable) -> None:
        jobs = list(jobs)
        # A renamed job's runs were labelled, and scheduled, under its previous schedule ID.
        self.by_label = {label: j.name for j in jobs for label in history_labels(j)}
        self.by_schedule = {sid: j.name for j in jobs
                            for sid in j.spec.history_ids}

    def job_of(self, item: dict) -> str | None:
        for label in labels_of(item):
            if label in self.by_label:
                return self.by_label[label]
        return self.by_schedule.get(item.get("scheduleId"))


def body_text(item: dict) -> str | None:
    """The response body of a failed attempt: QStash may send it base64-encoded."""
    if item.get("responseBodyBase64"):
        return _b64decode(str(item["responseBodyBase64"]))
    body = item.get("responseBody")
    if not body:
        return None
    body = str(body)
    if item.get("state") != "DELIVERED" and len(body) % 4 == 0 and _B64.match(body):
        decoded = _b64decode(body)
        if decoded is not None:
            return decoded
    return body


def _b64decode(text: str) -> str | None:
    """The text behind base64, or None when it is not base64 of printable UTF-8."""
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if "".join(decoded.split()).isprintable() else None


def short(text: str | None, limit: int = BODY_START) -> str | None:
    if not text:
        return None
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_run(job: str, events: list[dict]) -> Run:
    """One message's events (any order) as a run."""
    order = {"CREATED": 0, "ACTIVE": 1, "ERROR": 2, "RETRY": 3, "DELIVERED": 4, "FAILED": 5}
    evs = sorted(events, key=lambda e: (int(e.get("time") or 0), order.get(e.get("state"), 9)))
    states = [e.get("state") for e in evs]
    actives = [e for e in evs if e.get("state") == "ACTIVE"]
    outcomes = [e for e in evs if e.get("state") in ("DELIVERED", "ERROR")]
    final = next((e for e in reversed(evs) if e.get("state") in FINAL), None)
    created = next((e for e in evs if e.get("state") == "CREATED"), evs[0])
    due = max(int(created.get("createdAt") or created.get("time") or 0),
              int(created.get("notBefore") or 0))
    last = outcomes[-1] if outcomes else None
    duration = None
    if last is not None and actives and int(last["time"]) >= int(actives[-1]["time"]):
        duration = int(last["time"]) - int(actives[-1]["time"])
    error = response = None
    state = FINAL[final["state"]] if final else "in-flight"
    if state == "failed" or (state == "in-flight" and "ERROR" in states):
        failed = [e for e in evs if e.get("state") in ("ERROR", "FAILED")]
        detail = next((e for e in reversed(failed) if e.get("error") or e.get("responseBody")
                       or e.get("responseBodyBase64")), failed[-1] if failed else None)
        if detail is not None:
            error, response = short(detail.get("error")), short(body_text(detail))
    status = next((e.get("responseStatus") for e in reversed(outcomes)
                   if e.get("responseStatus")), None)
    return Run(
        job=job, run_id=str(evs[0].get("messageId")), due=iso(due),
        started=iso(actives[0]["time"]) if actives else None,
        started_by="schedule" if any(e.get("scheduleId") for e in evs) else "manual",
        state=state, attempts=len(actives) or len(outcomes), status=status,
        duration_ms=duration, error=error, response=response,
        sort_ms=due or int(evs[-1].get("time") or 0))


def group(events: Iterable[dict], index: JobIndex) -> list[Run]:
    by_message: dict[str, tuple[str, list[dict]]] = {}
    for ev in events:
        mid = ev.get("messageId")
        job = index.job_of(ev)
        if not mid or job is None:
            continue
        by_message.setdefault(str(mid), (job, []))[1].append(ev)
    runs = [to_run(job, evs) for job, evs in by_message.values()]
    runs.sort(key=lambda r: (r.sort_ms, r.run_id), reverse=True)
    return runs


async def events(client, params: dict[str, Any], *, enough: Callable[[list[dict]], bool]
                 | None = None) -> list[dict]:
    """Every page of `GET /v2/events` for these filters (newest first), until `enough`."""
    out: list[dict] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await client.events({**params, "count": PAGE,
                                    **({"cursor": cursor} if cursor else {})})
        found = page.get("logs", page.get("events")) or []
        out.extend(found)
        cursor = page.get("cursor")
        if not cursor or not found or (enough is not None and enough(out)):
            break
    return out


async def job_runs(client, jobs: list, *, since_ms: int, until_ms: int | None,
                   state: str | None, limit: int) -> list[Run]:
    """The newest `limit` runs (in `state`, if given) due in the window, merged, newest first.

    A run's events come after it was due, so events from `since_ms` on hold every run due in
    the window; a run due before `until_ms` may still be retried after it, so events are read
    up to a day past it, and runs are chosen by their due time.
    """
    index = JobIndex(jobs)

    def in_window(ms: int) -> bool:
        return since_ms <= ms and (until_ms is None or ms <= until_ms)

    def enough(found: list[dict]) -> bool:
        # Events come newest first: once more than `limit` runs due in the window have begun,
        # the older pages cannot add a newer one.
        began = {e.get("messageId") for e in found
                 if e.get("state") == "CREATED" and in_window(int(e.get("time") or 0))}
        return state is None and len(began) > limit

    async def one(label: str) -> list[dict]:
        params: dict[str, Any] = {"label": label, "fromDate": since_ms}
        if until_ms is not None:
            params["toDate"] = until_ms + RETRY_SLACK_MS
        return await events(client, params, enough=enough)

    labels = dict.fromkeys(label for j in jobs for label in history_labels(j))
    pages = await gather_all(*(one(label) for label in labels))
    runs = [r for r in group((e for page in pages for e in page), index)
            if in_window(r.sort_ms)]
    if state:
        runs = [r for r in runs if r.state == state]
    return runs[:limit]


async def wait_for(client, job, message_id: str, *, timeout: float, interval: float) -> Run:
    """Poll the message's events until it is delivered or failed (or `timeout` passes)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    index = JobIndex([job])
    while True:
        page = await client.events({"messageId": message_id, "count": PAGE})
        evs = [{**e, "label": e.get("label") or run_label(job)}
               for e in page.get("logs", page.get("events")) or []]
        runs = group(evs, index)
        if runs and runs[0].state != "in-flight":
            return runs[0]
        if loop.time() >= deadline:
            return runs[0] if runs else Run(job.name, message_id, None, None, "manual",
                                            "in-flight")
        await asyncio.sleep(interval)


# -- the dead-letter queue ------------------------------------------------------------------

async def dead_letters(client, jobs: list) -> list[DeadLetter]:
    """The DLQ messages of these jobs (never another's), newest first."""
    index = JobIndex(jobs)
    out: list[DeadLetter] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await client.dlq({"count": 100, **({"cursor": cursor} if cursor else {})})
        for msg in page.get("messages") or []:
            job = index.job_of(msg)
            if job is None or not msg.get("dlqId"):
                continue
            out.append(DeadLetter(
                dlq_id=str(msg["dlqId"]), job=job, message_id=msg.get("messageId"),
                failed_at=iso(msg.get("createdAt")),
                started_by="schedule" if msg.get("scheduleId") else "manual",
                status=msg.get("responseStatus") or None, body=short(body_text(msg))))
        cursor = page.get("cursor")
        if not cursor or not page.get("messages"):
            break
    out.sort(key=lambda d: (d.failed_at or "", d.dlq_id), reverse=True)
    return out
