"""`cronctl list` (not --local): the file beside each target's live state, a status per job."""

from __future__ import annotations

from . import engine
from .config import Config
from .output import print_json, print_renderable

STATUS_STYLE = {"in sync": "green", "drifted": "yellow", "missing": "red", "orphaned": "red",
                "unmanaged": "dim", "disabled": "dim", "schedule differs": "yellow",
                "not deployed": "red", "crons disabled": "red", "not in the file": "yellow"}


def rows(config: Config, state) -> list[dict]:
    out: list[dict] = []
    for target in engine.targets(config, state):
        if target.skip_reason():
            continue
        config.require_env((target.name,))
        live = target.populate()
        plan = target.plan(target.desired(), live)
        out.extend(target.live_rows(plan, live))
    order = {job.name: i for i, job in enumerate(config.jobs)}
    return sorted(out, key=lambda r: (r["name"] not in order or r["status"] in
                                      ("orphaned", "unmanaged", "not in the file"),
                                      order.get(r["name"], 0)))


def run(state, config: Config, *, json_out: bool) -> int:
    table = rows(config, state)
    if json_out:
        print_json({"project": config.project, "jobs": table})
        return 0
    print_renderable(_render(config, table))
    return 0


def _render(config: Config, table: list[dict]):
    from rich.markup import escape

    from .tables import Col
    from .tables import table as draw

    # The Vercel side read from the deployment (VERCEL_TOKEN): where each job is.
    deployed = any(r.get("deployed") is not None for r in table)
    cols = [Col("job", key=True), Col("target", keep=4),
            Col("schedule", keep=8, wrap=True, min_width=9),
            Col("next run", keep=6, wrap=True, min_width=10),
            Col("last run", keep=5, wrap=True, min_width=10), Col("paused", keep=3),
            *((Col("file", keep=2), Col("vercel.json", keep=2), Col("deployed", keep=7))
              if deployed else ()),
            Col("status", keep=10, wrap=True, min_width=10)]
    out = []
    for r in table:
        tz = "" if r["timezone"] == "UTC" else f" {r['timezone']}"
        last = (r["last_run"] or "")[:16].replace("T", " ")
        if r["last_states"]:
            last += " " + "/".join(r["last_states"])
        paused = "" if r["paused"] is None else ("yes" if r["paused"] else "no")
        style = STATUS_STYLE.get(r["status"], "")
        status = escape(r["status"] + (f" ({', '.join(r['drift'])})" if r.get("drift") else ""))
        where = tuple(_yes(r.get(k)) for k in ("in_file", "in_vercel_json", "deployed")
                      ) if deployed else ()
        out.append([escape(r["name"]), r["target"], escape(r["schedule"] + tz),
                    (r["next_run"] or "")[:16].replace("T", " "), last or "-", paused, *where,
                    f"[{style}]{status}[/]" if style else status])
    return draw(f"{config.project}: the file and where its jobs run", cols, out)


def _yes(value) -> str:
    return "" if value is None else ("yes" if value else "no")
