"""Delivery statistics of one job, computed from QStash events grouped by message. Pure."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

FINAL_OK = "DELIVERED"
FINAL_FAILED = "FAILED"
FAILURE_STATES = {"ERROR", "FAILED"}


@dataclass
class Outcome:
    time: str
    status: int | None = None
    error: str | None = None


@dataclass
class JobStats:
    job: str
    schedule_id: str
    runs: int = 0
    delivered: int = 0
    failed: int = 0
    in_flight: int = 0
    retries: int = 0
    manual: int = 0  # runs started by hand (`cronctl trigger`), not by the schedule
    success_rate: float | None = None
    consecutive_failures: int = 0
    last_success: Outcome | None = None
    last_failure: Outcome | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    dlq: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("latencies")
        return data


def _iso(ms: int | float) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    # Nearest-rank on the sorted sample: p95 of 20 values is the 19th.
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5 - 1e-9)))
    return ordered[rank - 1]


def compute(job: str, schedule_id: str, events: list[dict[str, Any]], dlq: int = 0) -> JobStats:
    st = JobStats(job=job, schedule_id=schedule_id, dlq=dlq)
    by_message: dict[str, list[dict[str, Any]]] = {}
    for ev in events:
        mid = ev.get("messageId")
        if mid:
            by_message.setdefault(str(mid), []).append(ev)
    finals: list[tuple[float, bool]] = []  # (time, delivered?) per finished message
    last_ok: tuple[float, dict] | None = None
    last_bad: tuple[float, dict, dict] | None = None  # (time, event, event with the detail)
    for evs in by_message.values():
        evs.sort(key=lambda e: (e.get("time", 0), _ORDER.get(e.get("state", ""), 9)))
        st.runs += 1
        if not any(e.get("scheduleId") for e in evs):
            st.manual += 1
        st.retries += sum(1 for e in evs if e.get("state") == "RETRY")
        states = [e.get("state") for e in evs]
        last_active = None
        done = None
        for e in evs:
            state = e.get("state")
            if state == "ACTIVE":
                last_active = e
            elif state == FINAL_OK:
                done = e
                if last_active is not None:
                    st.latencies.append(float(e["time"]) - float(last_active["time"]))
        if done is not None:
            st.delivered += 1
            finals.append((float(done["time"]), True))
            if last_ok is None or done["time"] > last_ok[0]:
                last_ok = (done["time"], done)
        elif FINAL_FAILED in states:
            st.failed += 1
            failed = next(e for e in reversed(evs) if e.get("state") == FINAL_FAILED)
            finals.append((float(failed["time"]), False))
        else:
            st.in_flight += 1
        failures = [e for e in evs if e.get("state") in FAILURE_STATES]
        if failures:
            worst = failures[-1]
            # The status and error come from the last attempt that had them.
            detail = next(
                (e for e in reversed(failures) if e.get("responseStatus") or e.get("error")),
                worst,
            )
            if last_bad is None or worst["time"] > last_bad[0]:
                last_bad = (worst["time"], worst, detail)
    if last_ok is not None:
        st.last_success = Outcome(_iso(last_ok[0]), last_ok[1].get("responseStatus"))
    if last_bad is not None:
        detail = last_bad[2]
        st.last_failure = Outcome(
            _iso(last_bad[0]),
            detail.get("responseStatus"),
            detail.get("error") or _short(detail.get("responseBody")),
        )
    finished = st.delivered + st.failed
    st.success_rate = round(st.delivered / finished, 4) if finished else None
    for _, ok in sorted(finals, reverse=True):
        if ok:
            break
        st.consecutive_failures += 1
    st.latency_p50_ms = statistics.median(st.latencies) if st.latencies else None
    st.latency_p95_ms = _percentile(st.latencies, 0.95)
    return st


_ORDER = {"CREATED": 0, "ACTIVE": 1, "ERROR": 2, "RETRY": 3, "DELIVERED": 4, "FAILED": 4}


def _short(text: Any) -> str | None:
    if not text:
        return None
    text = str(text).strip().replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."
