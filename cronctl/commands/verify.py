"""`cronctl verify [JOB...] [--since 24h] [--json | --markdown]`: did every run happen?

Per job and target, the slots expected in the window and how many are in each state, the
problem slots listed (time, state, run ID) and any drift named. Exit 0 when no slot is missed,
failed, duplicate or stuck; 1 otherwise; 2 on usage errors. The work is the service's
(cronctl/verification.py); this only parses, calls it and presents."""

from __future__ import annotations

from datetime import UTC, datetime

from ..durations import parse_since
from ..errors import ExitStatus
from ..output import echo, print_json, print_renderable
from ..words import count

PROBLEM_LIMIT = 10  # problem slots listed per job in text (JSON has them all)
COLUMNS = ("ok", "late", "missed", "failed", "duplicate", "stuck", "pending")


def run(state, *, jobs: list[str], since: str, json_out: bool, markdown: bool = False) -> int:
    from ..targets.base import now_ms
    from ..verification import verify

    window = parse_since(since)
    config = state.load(remote=True)
    chosen = [config.job(name) for name in dict.fromkeys(jobs)] if jobs else None
    now = now_ms(state)
    report, requests = verify(config, state, jobs=chosen, now_ms=now,
                              since_ms=now - int(window.total_seconds() * 1000))
    code = ExitStatus.OK if report.ok else ExitStatus.FAILED
    if json_out:
        print_json({"window_seconds": int(window.total_seconds()), "requests": requests,
                    **report.to_json()})
        return code
    text = render_markdown(report, since) if markdown else None
    from ..ci import append_summary

    append_summary(text or render_markdown(report, since))
    if text:
        echo(text.rstrip("\n"))
        return code
    _text(report, since)
    return code


def _text(report, since: str) -> None:
    from ..tables import Col, table

    cols = [Col("JOB", key=True), Col("TARGET", keep=3), Col("EXPECTED", keep=4, right=True)]
    cols += [Col(s.upper(), keep=8 if s in ("missed", "failed") else 6, right=True)
             for s in COLUMNS]
    rows = []
    for j in report.jobs:
        c = j.counts
        cells = [_cell(c[s], s) for s in COLUMNS]
        expected = "paused" if not j.enabled else ("unobserved" if j.unobservable
                                                   else str(len(j.slots)))
        rows.append([j.job, j.target, expected, *cells])
    if rows:
        print_renderable(table(None, cols, rows))
    for j in report.jobs:
        lines = _job_lines(j)
        if lines:
            echo(f"{j.job} ({j.target}):")
            for line in lines:
                echo(f"  {line}")
    for o in report.unexpected:
        echo(f"unexpected: a run of {o.job!r}, not a job of the file ({o.source}, "
             f"{_when(o.started_ms or o.slot_ms)}, run {o.run_id or '-'})")
    echo(_summary(report, since))


def _job_lines(j) -> list[str]:
    lines = []
    if j.drift:
        lines.append(f"drift: {j.drift}")
    if j.unobservable and j.enabled:
        lines.append(f"not judged: {j.unobservable}")
    if j.note and j.enabled and not j.unobservable:
        lines.append(f"note: {j.note}")
    problems = [s for s in j.slots if s.state not in ("ok", "pending", "unobserved")]
    for s in problems[:PROBLEM_LIMIT]:
        ids = ", ".join(r.run_id or "-" for r in s.runs) or "-"
        note = "the drift above" if s.note and s.note == j.drift else s.note
        lines.append(f"{_when(s.slot.scheduled_ms)}  {s.state:<9}  {ids}"
                     + (f"  ({note})" if note else ""))
    if len(problems) > PROBLEM_LIMIT:
        lines.append(f"... and {len(problems) - PROBLEM_LIMIT} more (--json lists them all)")
    for o in j.unexpected:
        lines.append(f"{_when(o.started_ms or o.slot_ms)}  unexpected {o.run_id or '-'}  "
                     f"(at no slot{'; the file pauses this job' if not j.enabled else ''})")
    return lines


def _summary(report, since: str) -> str:
    counts = report.counts
    total = sum(counts.values())
    parts = [f"{counts[s]} {s}" for s in ("ok", *COLUMNS[1:], "unobserved") if counts[s]]
    unexpected = sum(len(j.unexpected) for j in report.jobs) + len(report.unexpected)
    if unexpected:
        parts.append(f"{unexpected} unexpected")
    verdict = "all ran" if report.ok else "problems found"
    return (f"{count(len(report.jobs), 'job')}, {count(total, 'slot')} in the last {since}"
            + (f": {', '.join(parts)}" if parts else "") + f". {verdict.capitalize()}.")


def render_markdown(report, since: str) -> str:
    head = "| Job | Target | Expected | " + " | ".join(s.capitalize() for s in COLUMNS) + " |"
    out = [f"### cronctl verify (last {since})", "", head,
           "|" + "---|" * (3 + len(COLUMNS))]
    for j in report.jobs:
        c = j.counts
        expected = "paused" if not j.enabled else ("unobserved" if j.unobservable
                                                   else str(len(j.slots)))
        out.append(f"| `{j.job}` | {j.target} | {expected} | "
                   + " | ".join(str(c[s]) for s in COLUMNS) + " |")
    problems = [(j, line) for j in report.jobs for line in _job_lines(j)]
    if problems:
        out += ["", *(f"- `{j.job}`: {line}" for j, line in problems)]
    out += ["", _summary(report, since)]
    return "\n".join(out) + "\n"


def _cell(n: int, state: str) -> str:
    if not n:
        return "0"
    colour = {"ok": "green", "late": "yellow", "pending": "cyan"}.get(state, "red")
    return f"[{colour}]{n}[/{colour}]"


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
