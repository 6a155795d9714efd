"""The schedule editor (admins): a job's `schedule`, `timezone` and `enabled`, changed in
schedules.yaml by span editing (spanedit.py says why), previewed (the next runs in the target's
dialect, the plan), then applied by the engine as `cronctl schedule --job NAME` applies it,
with its safety rules. A locked job is refused; so is a file changed since the page was read.
"""

from __future__ import annotations

import difflib
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import cron, engine, targets
from ..config import load_config
from ..errors import ConfigError, SafetyError
from ..fsutil import write_atomic
from ..output import add_secrets
from ..present import applied_json
from ..words import count
from .board import text_digest
from .plan import diff_lines
from .plan import view as plan_view
from .spanedit import check, edit
from .web import need, need_post, ui_of
from .web import render as page

BOM = b"\xef\xbb\xbf"
PREVIEW_RUNS = 5


def _refuse_locked(config, job) -> None:
    if job.locked:
        raise SafetyError(
            f"{job.name} is locked ({config.path.name}:{job.line} says locked: true), so the "
            "dashboard does not edit it", hint="only the file changes a locked job: edit it "
            "and run 'cronctl schedule'")


def _stale(digest: str, data: bytes, path) -> None:
    if digest != text_digest(data):
        raise SafetyError(f"{path.name} changed on disk since this page was loaded; nothing "
                          "was changed", hint="reload the editor and make the change again")


async def edit_page(request: Request) -> Response:
    need(request, "admin")
    ui = ui_of(request)
    name = request.path_params["name"]

    def go() -> dict:
        state = ui.board.state()
        config = ui.board.config(state)
        job = config.job(name)
        _refuse_locked(config, job)
        data = ui.board.file_bytes()
        check(data.decode("utf-8-sig"), name)
        return {"job": job, "digest": text_digest(data),
                "schedule": job.schedule, "timezone": job.timezone, "enabled": job.enabled,
                "preview": None, "file": config.path.name}

    return page(request, "edit.html", **await run_in_threadpool(go))


def preview(ui, name: str, form: dict[str, str]) -> dict:
    """The edited file (not written), its config, next runs and plan."""
    board = ui.board
    state = board.state()
    config = board.config(state)
    job = config.job(name)
    _refuse_locked(config, job)
    data = board.file_bytes()
    _stale(form.get("digest", ""), data, config.path)
    text = data.decode("utf-8-sig")
    changes = {"schedule": cron.trim(form.get("schedule", "")) or None,
               "timezone": form.get("timezone", "").strip() or None,
               "enabled": form.get("enabled") == "on"}
    if changes["timezone"] == job.timezone:
        changes["timezone"] = None  # unchanged: a zone from `defaults` is not copied in
    if changes["schedule"] == job.schedule:
        changes["schedule"] = None
    if changes["enabled"] == job.enabled:
        changes["enabled"] = None
    new_text = edit(text, name, changes)
    new_config = load_config(config.path, state.env, text=new_text)
    add_secrets(new_config.secrets)
    new_job = new_config.job(name)
    dialect = targets.dialect_of(new_config, new_job)  # the target's cron dialect
    runs = dialect.next_runs(new_job.schedule, new_job.timezone, PREVIEW_RUNS, state.now())
    planned = engine.plan_all(new_config, state, engine.Options(mode="schedule", jobs=(name,)))
    plans = [p.plan for p in planned]
    diff = "".join(difflib.unified_diff(text.splitlines(True), new_text.splitlines(True),
                                        config.path.name, config.path.name + " (edited)"))
    return {"job": new_job, "old": job, "config": new_config, "state": state,
            "planned": planned, "plans": plans, "view": plan_view(plans),
            "words": dialect.describe(new_job.schedule, new_job.timezone),
            "next_runs": [r.isoformat() for r in runs], "diff": diff_lines(diff),
            "new_bytes": (BOM if data.startswith(BOM) else b"") + new_text.encode("utf-8"),
            "old_bytes": data, "changed": new_text != text,
            "has_changes": any(p.has_changes for p in plans)}


def apply(ui, user: str, name: str, form: dict[str, str]) -> dict:
    """Save the edit, then run the engine of `cronctl schedule --job NAME` on the saved file
    (its safety rules too; they are checked on the preview's plan before anything is saved)."""
    p = preview(ui, name, form)
    if not p["changed"]:
        raise ConfigError(f"nothing to change: {name} already has these values",
                          hint="change the schedule, the zone or enabled first")
    refused = engine.refusals(p["config"], p["plans"])
    if refused:
        raise SafetyError("refused: " + "; ".join(refused),
                          hint="review the plan; 'cronctl schedule --force' overrides it")
    path = p["config"].path
    write_atomic(path, p["new_bytes"], expected=p["old_bytes"])
    ui.board.invalidate()
    done = engine.sync(ui.board.state(), engine.Options("schedule", yes=True, jobs=(name,)),
                       engine.Hooks(confirm=lambda question: True))
    if done.refused:
        ui.audit.record(user, "edit", job=name, ok=False, detail="; ".join(done.refused))
        raise SafetyError(f"{path.name} is saved, but applying it was refused: "
                          + "; ".join(done.refused),
                          hint="review 'cronctl diff'; 'cronctl schedule --force' applies it")
    result = applied_json(done)
    ok = not result["failed"]
    ui.audit.record(user, "edit", job=name, ok=ok,
                    detail=f"schedule {p['old'].schedule!r} -> {p['job'].schedule!r}, "
                    f"timezone {p['old'].timezone} -> {p['job'].timezone}, enabled "
                    f"{p['old'].enabled} -> {p['job'].enabled}; "
                    f"{count(len(result['applied']), 'change')} applied, "
                    f"{len(result['failed'])} failed")
    ui.board.invalidate()
    return {"preview": p, "result": result}


async def edit_post(request: Request) -> Response:
    s, form = await need_post(request, "admin")
    ui = ui_of(request)
    name = request.path_params["name"]
    if form.get("action") == "apply":
        out = await run_in_threadpool(apply, ui, s.user.name, name, form)
        r = out["result"]
        message = (f"Saved {out['preview']['config'].path.name} and applied "
                   f"{count(len(r['applied']), 'change')}"
                   + (f"; {len(r['failed'])} failed: " + "; ".join(
                       f"{f['job']}: {f['error']}" for f in r["failed"]) if r["failed"] else
                      "."))
        return page(request, "done.html", message=message, note=None,
                    back=f"/jobs/{quote(name, safe='')}")
    p = await run_in_threadpool(preview, ui, name, form)
    return page(request, "edit.html", job=p["old"], digest=form.get("digest", ""),
                schedule=p["job"].schedule, timezone=p["job"].timezone,
                enabled=p["job"].enabled, preview=p, file=p["config"].path.name)


def routes() -> list[Route]:
    return [Route("/jobs/{name}/edit", edit_page, methods=["GET"]),
            Route("/jobs/{name}/edit", edit_post, methods=["POST"])]
