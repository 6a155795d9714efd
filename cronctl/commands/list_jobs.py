"""`cronctl list`: every job; with --local the file alone, otherwise beside QStash."""

from __future__ import annotations

from .. import targets
from ..config import Config, Job
from ..output import print_json, print_renderable


def local_row(job: Job, config: Config) -> dict:
    dialect = targets.dialect_of(config, job)
    nxt = dialect.next_runs(job.schedule, job.timezone, 1)
    return {
        "name": job.name,
        "tier": job.tier,
        "path": job.path,
        "schedule": job.schedule,
        "timezone": job.timezone,
        "description": dialect.describe(job.schedule, job.timezone),
        "next_run": nxt[0].isoformat() if nxt else None,
        "priority": job.priority,
        "enabled": job.enabled,
        "target": job.target,
    }


def run(state, *, local: bool, json_out: bool) -> int:
    config = state.load(remote=not local)
    if not local:
        from .. import live_list

        return live_list.run(state, config, json_out=json_out)
    rows = [local_row(j, config) for j in config.jobs]
    if json_out:
        print_json({"project": config.project, "file": str(config.path), "jobs": rows})
        return 0
    print_renderable(_table(config, rows))
    return 0


def _table(config: Config, rows: list[dict]):
    from rich.markup import escape

    from ..tables import Col, table
    from ..words import count

    # The target column only where the tier does not already say it (narrow terminals).
    defaults = targets.tier_targets()
    named = any(defaults.get(r["tier"]) != r["target"] for r in rows)
    cols = [Col("job", key=True), Col("tier", keep=6),
            Col("schedule", keep=10, wrap=True, min_width=9),
            Col("when", keep=4, wrap=True, min_width=16),
            Col("next run", keep=8, wrap=True, min_width=10),
            Col("priority", keep=3), Col("enabled", keep=7),
            *((Col("target", keep=9),) if named else ())]
    out = []
    for r in rows:
        tz = "" if r["timezone"] == "UTC" else f" {r['timezone']}"
        nxt = (r["next_run"] or "never")[:16].replace("T", " ")
        out.append([
            escape(r["name"]),
            {"infrastructure": "infra", "business": "business"}.get(r["tier"], "-"),
            escape(r["schedule"] + tz),
            escape(r["description"]),
            nxt,
            r["priority"],
            "yes" if r["enabled"] else "no",
            *((r["target"],) if named else ()),
        ])
    return table(f"{config.project}: {count(len(rows), 'job')} ({config.path.name})", cols, out)
