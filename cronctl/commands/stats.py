"""`cronctl stats`: runs, success rate, retries, latency and DLQ per business job."""

from __future__ import annotations

from datetime import timedelta

from .. import engine
from ..durations import parse_duration
from ..errors import UsageError
from ..output import echo, print_json, print_renderable
from ..stats import JobStats

# QStash keeps events for a plan-dependent time; 7 days is the longest of the common plans.
RETENTION = timedelta(days=7)


def parse_since(text: str) -> timedelta:
    try:
        return timedelta(seconds=parse_duration(text))
    except (ValueError, OverflowError):
        raise UsageError(f"--since {text!r} is not a duration",
                         hint="e.g. --since 24h, --since 90m, --since 7d") from None


def run(state, *, since: str, job: str | None, json_out: bool) -> int:
    config = state.load(remote=True)
    window = parse_since(since)
    note = None
    if window > RETENTION:
        note = (f"QStash keeps events for at most {RETENTION.days} days; "
                f"showing the last {RETENTION.days}d instead of {since}")
        window = RETENTION
    one = config.job(job) if job else None
    target = engine.target_for(config, state, one) if one else engine.history(config, state)
    jobs = target.stats_jobs(one)
    # A frozen `cronctl dev` clock, when that is what the command talks to.
    from_ms = int((state.now().timestamp() - window.total_seconds()) * 1000)
    results: list[JobStats]
    results, requests = target.stats(jobs, from_ms)
    results.sort(key=lambda s: (-(s.failed + s.consecutive_failures), -s.dlq, s.job))
    summary = _summary(results)
    if json_out:
        print_json({"window_seconds": int(window.total_seconds()), "note": note,
                    "requests": requests,
                    "summary": summary, "jobs": [r.to_json() for r in results]})
        return 0
    if note:
        echo(f"note: {note}", err=True)
    print_renderable(_table(results, since if not note else f"{RETENTION.days}d"))
    rate = summary["success_rate"]
    echo(f"{summary['jobs']} jobs, {summary['runs']} runs, "
         f"{'-' if rate is None else f'{rate:.1%}'} delivered, {summary['failed']} failed, "
         f"{summary['in_flight']} in flight, {summary['dlq']} in the DLQ.")
    return 0


def _summary(results: list[JobStats]) -> dict:
    delivered = sum(r.delivered for r in results)
    failed = sum(r.failed for r in results)
    return {
        "jobs": len(results),
        "runs": sum(r.runs for r in results),
        "delivered": delivered,
        "failed": failed,
        "in_flight": sum(r.in_flight for r in results),
        "retries": sum(r.retries for r in results),
        "dlq": sum(r.dlq for r in results),
        "success_rate": round(delivered / (delivered + failed), 4) if delivered + failed else None,
        "failing": [r.job for r in results if r.consecutive_failures],
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _table(results: list[JobStats], since: str):
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=f"Deliveries in the last {since}", title_justify="left")
    for col in ("job", "runs", "ok", "failed", "in flight", "success", "retries",
                "p50", "p95", "DLQ", "last failure"):
        t.add_column(col, justify="left" if col in ("job", "last failure") else "right")
    for r in results:
        rate = "-" if r.success_rate is None else f"{r.success_rate:.0%}"
        failure = ""
        if r.last_failure:
            lf = r.last_failure
            failure = f"{lf.time[:16].replace('T', ' ')} {lf.status or ''} {lf.error or ''}"
        name = r.job
        if r.consecutive_failures >= 2:
            name = f"[red]{r.job} ({r.consecutive_failures} failed in a row)[/]"
        elif r.failed:
            name = f"[yellow]{r.job}[/]"
        t.add_row(name, str(r.runs), str(r.delivered), str(r.failed), str(r.in_flight), rate,
                  str(r.retries), _ms(r.latency_p50_ms), _ms(r.latency_p95_ms), str(r.dlq),
                  escape(failure.strip()))
    return t
