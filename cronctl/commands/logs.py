"""`cronctl logs [JOB]`: one row per run (scheduled or manual), newest first; --follow polls
the provider politely and prints each new run, or a run whose state changed, as a line."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from .. import deadlines, engine
from ..durations import parse_since
from ..errors import CronctlError, UsageError
from ..output import echo, print_json, print_renderable
from ..tables import Col, table
from ..targets.base import RUN_STATES, Run, now_ms, poll_interval
from ..targets.capabilities import RunHistory, capable
from ..words import count, short_when, when

FOLLOW_INTERVAL = 5.0  # seconds between polls: one request per job and poll
OVERLAP_MS = 10 * 60 * 1000  # a run already shown may still change state


def parse_until(text: str | None, now: int) -> int | None:
    """--until: a duration ago (2h) or an ISO time."""
    if not text:
        return None
    try:
        return now - int(parse_since(text).total_seconds() * 1000)
    except UsageError:
        pass
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--until {text!r} is neither a duration nor an ISO time",
                         hint="e.g. --until 1h, or --until 2026-01-05T08:00:00Z") from None
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp() * 1000)


def run(state, *, job: str | None, status: str | None, since: str, until: str | None,
        limit: int, follow: bool, json_out: bool) -> int:
    if status and status not in RUN_STATES:
        raise UsageError(f"--status {status!r} is not a run state",
                         hint=f"one of {', '.join(RUN_STATES[:3])}")
    if follow and until:
        raise UsageError("--follow keeps printing new runs; --until ends the window",
                         hint="use one of them")
    config = state.load(remote=True)
    jobs = [config.job(job)] if job else list(config.jobs)
    now = now_ms(state)
    since_ms = now - int(parse_since(since).total_seconds() * 1000)
    until_ms = parse_until(until, now)
    notes: list[str] = []

    def fetch(from_ms: int, to_ms: int | None) -> list[Run]:
        return collect(config, state, jobs, since_ms=from_ms, until_ms=to_ms, status=status,
                       limit=limit, notes=notes, strict=bool(job))

    runs = fetch(since_ms, until_ms)
    if json_out and not follow:
        print_json(to_json(runs, notes))
        return 0
    for note in notes:
        echo(f"note: {note}", err=True)
    if json_out:
        for r in reversed(runs):
            echo(json.dumps(r.to_json(), ensure_ascii=False))
    else:
        if runs:
            print_renderable(_table(runs, config.project))
        if not follow:
            echo(_summary(runs))
    if not follow:
        return 0
    return _follow(fetch, runs, since_ms, json_out)


def collect(config, state, jobs: list, *, since_ms: int, until_ms: int | None,
            status: str | None, limit: int, notes: list[str], strict: bool = False
            ) -> list[Run]:
    """The newest `limit` runs of these jobs, from each one's target, newest first. A target
    that keeps no runs adds a note (`strict`: raises, as when one job was asked about)."""
    by_target: dict[str, list] = {}
    for j in jobs:
        by_target.setdefault(j.target, []).append(j)
    found: list[Run] = []
    for its_jobs in by_target.values():
        target = engine.target_for(config, state, its_jobs[0])
        try:  # a target without run history: its refusal becomes a note
            history = capable(target, RunHistory)
            found += history.runs(its_jobs, since_ms=since_ms, until_ms=until_ms,
                                  state=status, limit=limit)
        except CronctlError as exc:
            if strict:  # asked about one job: its target's answer is the answer
                raise
            note = f"{exc.message}" + (f" ({exc.hint})" if exc.hint else "")
            if note not in notes:
                notes.append(note)
    found.sort(key=lambda r: (r.sort_ms, r.run_id), reverse=True)
    return found[:limit]


def to_json(runs: list[Run], notes: list[str]) -> dict:
    """What `cronctl logs --json` prints."""
    return {"runs": [r.to_json() for r in runs], "notes": notes}


def _follow(fetch, shown_runs: list[Run], since_ms: int, json_out: bool) -> int:
    """Poll until interrupted (Ctrl-C exits 130); print runs not shown in their state yet."""
    shown = {(r.run_id, r.state) for r in shown_runs}
    newest = max([since_ms] + [r.sort_ms for r in shown_runs])
    base = poll_interval(FOLLOW_INTERVAL)
    interval = base
    echo("following; Ctrl-C to stop", err=True)
    while True:
        time.sleep(interval)
        deadlines.reset()  # each poll is one read, with the whole read deadline
        fresh = [r for r in fetch(max(since_ms, newest - OVERLAP_MS), None)
                 if (r.run_id, r.state) not in shown]
        # Quiet jobs are asked less often (up to 6x the interval); news resets it.
        interval = base if fresh else min(interval * 1.5, base * 6)
        for r in sorted(fresh, key=lambda r: (r.sort_ms, r.run_id)):
            shown.add((r.run_id, r.state))
            newest = max(newest, r.sort_ms)
            echo(json.dumps(r.to_json(), ensure_ascii=False) if json_out else line(r))


def line(r: Run) -> str:
    parts = [when(r.due), r.job, r.started_by, r.state, count(r.attempts, "attempt")]
    if r.status is not None:
        parts.append(f"HTTP {r.status}")
    if r.duration_ms is not None:
        parts.append(f"{r.duration_ms} ms")
    text = "  ".join(parts)
    return f"{text}  {r.problem}" if r.problem else text


def _summary(runs: list[Run]) -> str:
    if not runs:
        return "No runs in this window."
    by_state = {s: sum(1 for r in runs if r.state == s) for s in RUN_STATES}
    manual = sum(1 for r in runs if r.started_by in ("manual", "exec"))
    parts = [f"{n} {s}" for s, n in by_state.items() if n]
    return (f"{count(len(runs), 'run')} ({', '.join(parts)}), {manual} started by hand.")


def _table(runs: list[Run], project: str):
    from rich.markup import escape

    style = {"delivered": "green", "failed": "red", "in-flight": "yellow"}
    cols = [Col("job", key=True), Col("due (UTC)", keep=9), Col("ran", keep=3),
            Col("by", keep=8), Col("state", keep=10), Col("tries", keep=5, right=True),
            Col("HTTP", keep=7, right=True), Col("took", keep=4, right=True),
            Col("error", keep=6, wrap=True, min_width=10)]
    rows = []
    for r in runs:
        state = f"[{style[r.state]}]{r.state}[/]" if r.state in style else r.state
        rows.append([escape(r.job), short_when(r.due), when(r.started)[11:] or "-", r.started_by,
                     state, str(r.attempts), str(r.status or "-"),
                     "-" if r.duration_ms is None else f"{r.duration_ms} ms",
                     escape(r.problem or "")])
    return table(f"{project}: runs, newest first", cols, rows)
