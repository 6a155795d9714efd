"""`cronctl stats`: runs, success rate, retries, latency and DLQ per business job."""

from __future__ import annotations

from .. import engine
from ..durations import parse_since
from ..environment import current
from ..errors import CronctlError
from ..output import echo, print_json, print_renderable
from ..tables import Col, table
from ..targets.base import now_ms
from ..targets.capabilities import Stats, capable
from ..words import count


def run(state, *, since: str, job: str | None, json_out: bool, fail_on: int | None = None,
        pause_failing: int | None = None) -> int:
    config = state.load(remote=True)
    window = parse_since(since)
    one = config.job(job) if job else None
    found = engine.target_for(config, state, one) if one else engine.history(config, state)
    target = capable(found, Stats, one)
    note = None
    retention = target.retention
    if retention is not None and window > retention:
        note = (f"{target.title} keeps events for at most {retention.days} days; "
                f"showing the last {retention.days}d instead of {since}")
        window = retention
    jobs = target.stats_jobs(one)
    from_ms = now_ms(state) - int(window.total_seconds() * 1000)
    results: list
    with _Progress(len(jobs), quiet=json_out) as on_job:
        results, requests = target.stats(jobs, from_ms, on_job)
    results.sort(key=lambda s: (-(s.failed + s.consecutive_failures), -s.dlq, s.job))
    summary = _summary(results)
    policy = _policies(config, target, results, fail_on, pause_failing)
    code = 1 if policy.get("fail_on", {}).get("jobs") else 0
    if json_out:
        print_json({"window_seconds": int(window.total_seconds()), "note": note,
                    "requests": requests,
                    "summary": summary, "jobs": [r.to_json() for r in results], **policy})
        return code
    if note:
        echo(f"note: {note}", err=True)
    print_renderable(_table(results, since if not (note and retention) else f"{retention.days}d"))
    echo(_summary_line(summary))
    _say_policies(policy)
    return code


def _summary_line(summary: dict) -> str:
    rate = summary["success_rate"]
    parts = [count(summary["jobs"], "job"), count(summary["runs"], "run")]
    if rate is not None:
        parts.append(f"{rate:.1%} delivered")
    parts += [f"{summary['failed']} failed", f"{summary['in_flight']} in flight",
              f"{summary['dlq']} in the DLQ", f"{summary['manual']} started by hand"]
    return ", ".join(parts) + "."


def _policies(config, target, results: list, fail_on: int | None,
              pause_failing: int | None) -> dict:
    """--fail-on N: the jobs failed N or more times in a row; --pause-failing N: pause them."""
    out: dict = {}
    if fail_on is not None:
        out["fail_on"] = {"threshold": fail_on, "jobs": [
            r.job for r in results if r.consecutive_failures >= fail_on]}
    if pause_failing is not None:
        paused, kept, already = [], [], []
        failing = [r for r in results if r.consecutive_failures >= pause_failing]
        # One listing tells which are paused already (a monitoring step runs this often).
        live = {target.job_name(target.key(s)): target.paused(s)
                for s in target.populate()} if failing else {}
        for r in failing:
            job = config.job(r.job)
            if live.get(r.job):
                already.append(r.job)
                continue
            if job.locked:
                kept.append({"job": r.job, "reason": "locked: true; only the file changes it"})
                continue
            try:
                target.pause(job, paused=True)
            except CronctlError as exc:
                kept.append({"job": r.job, "reason": exc.message})
                continue
            paused.append(r.job)
        out["pause_failing"] = {"threshold": pause_failing, "paused": paused,
                                "already_paused": already, "not_paused": kept}
    return out


def _say_policies(policy: dict) -> None:
    if "pause_failing" in policy:
        p = policy["pause_failing"]
        n = p["threshold"]
        for name in p["paused"]:
            echo(f"Paused {name}: it failed {n} or more times in a row.")
        if p["already_paused"]:
            echo(f"Already paused: {', '.join(p['already_paused'])}.")
        for kept in p["not_paused"]:
            echo(f"Not paused {kept['job']}: {kept['reason']}.", err=True)
        if p["paused"]:
            echo("note: schedules.yaml still says enabled: true, so the next 'cronctl schedule' "
                 "resumes them; 'cronctl resume JOB' does it now.", err=True)
    if "fail_on" in policy and policy["fail_on"]["jobs"]:
        f = policy["fail_on"]
        echo(f"failing: {', '.join(f['jobs'])} failed {f['threshold']} or more times in a row "
             "(--fail-on)", err=True)


class _Progress:
    """A progress bar on stderr while jobs are read, on a terminal only (like `schedule`)."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.bar = None

    def __enter__(self):

        if self.quiet or self.total < 2 or not current().stderr_tty:
            return None
        from rich.progress import Progress

        from ..output import console

        self.bar = Progress(console=console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("reading QStash logs", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _summary(results: list) -> dict:
    delivered = sum(r.delivered for r in results)
    failed = sum(r.failed for r in results)
    return {
        "jobs": len(results),
        "runs": sum(r.runs for r in results),
        "delivered": delivered,
        "failed": failed,
        "in_flight": sum(r.in_flight for r in results),
        "retries": sum(r.retries for r in results),
        "manual": sum(r.manual for r in results),
        "dlq": sum(r.dlq for r in results),
        "success_rate": round(delivered / (delivered + failed), 4) if delivered + failed else None,
        "failing": [r.job for r in results if r.consecutive_failures],
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _table(results: list, since: str):
    from rich.markup import escape

    cols = [Col("job", key=True), Col("runs", keep=10, right=True),
            Col("ok", keep=8, right=True), Col("failed", keep=10, right=True),
            Col("in a row", keep=9, right=True), Col("manual", keep=3, right=True),
            Col("in flight", keep=2, right=True), Col("success", keep=7, right=True),
            Col("retries", keep=4, right=True), Col("p50", keep=5, right=True),
            Col("p95", keep=4, right=True), Col("DLQ", keep=9, right=True),
            Col("last failure", keep=6, wrap=True, min_width=20)]
    rows = []
    for r in results:
        rate = "-" if r.success_rate is None else f"{r.success_rate:.0%}"
        failure = ""
        if r.last_failure:
            lf = r.last_failure
            failure = f"{lf.time[:16].replace('T', ' ')} {lf.status or ''} {lf.error or ''}"
        name = escape(r.job)
        if r.consecutive_failures >= 2:
            name = f"[red]{name}[/]"
        elif r.failed:
            name = f"[yellow]{name}[/]"
        rows.append([name, str(r.runs), str(r.delivered), str(r.failed),
                     str(r.consecutive_failures), str(r.manual), str(r.in_flight), rate,
                     str(r.retries), _ms(r.latency_p50_ms), _ms(r.latency_p95_ms), str(r.dlq),
                     escape(failure.strip())])
    return table(f"Deliveries in the last {since}", cols, rows)
