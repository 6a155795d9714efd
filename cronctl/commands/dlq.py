"""`cronctl dlq [JOB]`: the dead-letter queue of the project's jobs, with retry and delete.

Only messages of this file's jobs are ever listed, retried or deleted (by the job's label or
schedule ID); an ID that is not one of them is refused.
"""

from __future__ import annotations

from .. import engine
from ..app import confirm
from ..errors import UsageError
from ..output import echo, print_json, print_renderable
from ..tables import Col, table
from ..targets.base import DeadLetter
from ..targets.capabilities import DeadLetters, capable
from ..words import count, short_when


def run(state, *, job: str | None, retry: list[str] | None, delete: list[str] | None,
        everything: bool, yes: bool, json_out: bool) -> int:
    # `--retry --all`: the option takes "--all" as its value; it means the flag.
    everything = everything or "--all" in (retry or ()) or "--all" in (delete or ())
    retry = [i for i in retry if i != "--all"] if retry else None
    delete = [i for i in delete if i != "--all"] if delete else None
    action = _action(retry, delete, everything)
    config = state.load()
    target, letters = collect(config, state, job)
    if action is None:
        if json_out:
            print_json(to_json(letters))
        else:
            if letters:
                print_renderable(_table(letters, job or config.project))
            echo(f"{count(len(letters), 'message')} in the DLQ.")
        return 0
    verb, ids = action
    chosen = letters if ids is None else _pick(letters, ids)
    if not chosen:
        echo("Nothing to do: the DLQ holds no messages of "
             f"{job or 'this project'}.", err=json_out)
        if json_out:
            print_json({verb: [], "count": 0})
        return 0
    what = f"{verb.capitalize()} {count(len(chosen), 'DLQ message')} of " \
           f"{job or config.project}?"
    if not confirm(what, yes=yes):
        echo("Nothing was changed.", err=True)
        return 1
    if verb == "retry":
        new_ids = target.retry_dead(chosen)
        if json_out:
            print_json({"retried": [{"dlq_id": d.dlq_id, "job": d.job, "message_id": m}
                                    for d, m in zip(chosen, new_ids, strict=True)],
                        "count": len(chosen)})
        else:
            echo(f"Retried {count(len(chosen), 'message')}: delivered again as new runs "
                 f"(see 'cronctl logs{' ' + job if job else ''}').")
        return 0
    deleted = target.delete_dead(chosen)
    if json_out:
        print_json({"deleted": [d.dlq_id for d in chosen], "count": deleted})
    else:
        echo(f"Deleted {count(deleted, 'DLQ message')}.")
    return 0


def collect(config, state, job: str | None) -> tuple[DeadLetters, list[DeadLetter]]:
    """The target that keeps dead letters (JOB's, else the project's) and its letters of JOB,
    or of every job of the file on it."""
    one = config.job(job) if job else None
    found = engine.target_for(config, state, one) if one else engine.history(config, state)
    target = capable(found, DeadLetters, one)
    jobs = [one] if one else target.jobs
    return target, target.dead_letters(jobs) if jobs else []


def to_json(letters: list[DeadLetter]) -> dict:
    """What `cronctl dlq --json` prints."""
    return {"messages": [d.to_json() for d in letters]}


def _action(retry, delete, everything: bool) -> tuple[str, list[str] | None] | None:
    if retry is not None and delete is not None:
        raise UsageError("--retry and --delete cannot be used together",
                         hint="retry first, then delete what is left")
    chosen = ("retry", retry) if retry is not None else \
        ("delete", delete) if delete is not None else None
    if chosen is None:
        if everything:
            raise UsageError("--all needs --retry or --delete",
                             hint="e.g. cronctl dlq JOB --retry --all")
        return None
    ids = [i for i in chosen[1] if i]
    if everything and ids:
        raise UsageError(f"--{chosen[0]} takes DLQ IDs or --all, not both")
    if not everything and not ids:
        raise UsageError(f"--{chosen[0]} needs a DLQ ID or --all",
                         hint="'cronctl dlq' lists the IDs")
    return chosen[0], None if everything else ids


def _pick(letters: list[DeadLetter], ids: list[str]) -> list[DeadLetter]:
    by_id = {d.dlq_id: d for d in letters}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise UsageError(f"not a DLQ message of this project's jobs: {', '.join(unknown)}",
                         hint="'cronctl dlq' lists them; cronctl never touches other messages")
    return [by_id[i] for i in ids]


def _table(letters: list[DeadLetter], scope: str):
    from rich.markup import escape

    cols = [Col("job", key=True), Col("DLQ ID", key=True), Col("failed at (UTC)", keep=8),
            Col("by", keep=4), Col("HTTP", keep=7, right=True),
            Col("response", keep=6, wrap=True, min_width=10)]
    rows = [[escape(d.job), d.dlq_id, short_when(d.failed_at),
             d.started_by, str(d.status or "-"), escape(d.body or "")] for d in letters]
    return table(f"{scope}: dead letters, newest first", cols, rows)
