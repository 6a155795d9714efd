"""`cronctl list` (not --local): the file and QStash side by side, with a status per job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from .. import cron, vercel
from ..config import Config
from ..output import print_json, print_renderable
from ..plan import Plan, diff
from ..qstash.spec import ScheduleSpec
from ..sync import desired_specs, fetch_live
from . import _qstash

STATUS_STYLE = {"in sync": "green", "drifted": "yellow", "missing": "red", "orphaned": "red",
                "unmanaged": "dim", "disabled": "dim"}


def _ms(value) -> str | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat()


def _live_fields(spec: ScheduleSpec | None) -> dict:
    if spec is None:
        return {"next_run": None, "last_run": None, "last_states": [], "paused": None}
    states = sorted(set((spec.extra.get("lastScheduleStates") or {}).values()))
    return {
        "next_run": _ms(spec.extra.get("nextScheduleTime")),
        "last_run": _ms(spec.extra.get("lastScheduleTime")),
        "last_states": states,
        "paused": spec.paused,
    }


def rows(config: Config, plan: Plan, live_by_id: dict[str, ScheduleSpec]) -> list[dict]:
    by_id = {c.schedule_id: c for c in plan.changes}
    crons = vercel.plan(config).old_crons or []
    out = []
    for job in config.jobs:
        row = {"name": job.name, "tier": job.tier, "schedule": job.schedule,
               "timezone": job.timezone, "schedule_id": job.schedule_id}
        if job.tier == "infrastructure":
            present = {"path": job.path, "schedule": job.schedule} in crons
            if job.enabled:
                status = "in sync" if present else "missing"
            else:
                status = "drifted" if present else "disabled"
            dialect = cron.dialect_for(job.tier, vercel_plan=config.vercel_plan)
            nxt = dialect.next_runs(job.schedule, None, 1) if job.enabled else []
            row.update(next_run=nxt[0].isoformat() if nxt else None, last_run=None,
                       last_states=[], paused=None, status=status, where="vercel.json")
        else:
            change = by_id.get(job.schedule_id)
            status = {"create": "missing", "update": "drifted", "pause": "drifted",
                      "resume": "drifted"}.get(change.action, "in sync") if change else "in sync"
            row.update(_live_fields(live_by_id.get(job.schedule_id)), status=status,
                       where="qstash")
            if change and change.action == "update":
                row["drift"] = [fc.name for fc in change.fields]
        out.append(row)
    for change in plan.changes:
        if change.action == "delete":
            out.append(_live_row(change.live, change.job, "orphaned"))
    for spec in plan.unmanaged:
        out.append(_live_row(spec, spec.schedule_id, "unmanaged"))
    return out


def _live_row(spec: ScheduleSpec | None, name: str, status: str) -> dict:
    assert spec is not None
    return {"name": name, "tier": "business", "schedule": spec.cron, "timezone": spec.timezone,
            "schedule_id": spec.schedule_id, **_live_fields(spec), "status": status,
            "where": "qstash", "destination": spec.destination}


def run(state, config: Config, *, json_out: bool) -> int:
    config.require_env(("business",))

    async def go() -> list[ScheduleSpec]:
        async with _qstash.client(state) as client:
            return await fetch_live(client)

    live = asyncio.run(go())
    plan = diff(config.project, config.id_prefix, desired_specs(config), live)
    table = rows(config, plan, {s.schedule_id: s for s in live})
    if json_out:
        print_json({"project": config.project, "jobs": table})
        return 0
    print_renderable(_render(config, table))
    return 0


def _render(config: Config, table: list[dict]):
    from rich.table import Table

    t = Table(title=f"{config.project}: file and QStash", title_justify="left")
    for col in ("job", "tier", "schedule", "next run", "last run", "paused", "status"):
        t.add_column(col)
    for r in table:
        tz = "" if r["timezone"] == "UTC" else f" {r['timezone']}"
        last = (r["last_run"] or "")[:16].replace("T", " ")
        if r["last_states"]:
            last += " " + "/".join(r["last_states"])
        paused = "" if r["paused"] is None else ("yes" if r["paused"] else "no")
        style = STATUS_STYLE.get(r["status"], "")
        status = r["status"] + (f" ({', '.join(r['drift'])})" if r.get("drift") else "")
        t.add_row(r["name"], "infra" if r["tier"] == "infrastructure" else "business",
                  r["schedule"] + tz, (r["next_run"] or "")[:16].replace("T", " "),
                  last or "-", paused, f"[{style}]{status}[/]" if style else status)
    return t
