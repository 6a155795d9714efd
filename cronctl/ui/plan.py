"""The plan page: the current `diff` across every target, as the Markdown plan renders it,
with an apply button for admins (the engine of `cronctl schedule`, its safety rules). Apply is
refused when the plan is no longer the one shown (the file or a target changed since)."""

from __future__ import annotations

import hashlib
import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import engine, render
from ..errors import SafetyError
from ..present import applied_json
from .board import text_digest
from .web import need, need_post, ui_of
from .web import render as page


def seal(data: bytes, plans: list) -> str:
    """What a plan page showed: the file and the plan of every target."""
    shown = json.dumps(render.report(plans), sort_keys=True, default=str)
    return hashlib.sha256(text_digest(data).encode() + shown.encode()).hexdigest()[:32]


def planned_now(ui) -> dict:
    state = ui.board.state()
    config = ui.board.config(state)
    data = ui.board.file_bytes()
    planned = engine.plan_all(config, state, engine.Options(mode="diff"))
    plans = [p.plan for p in planned]
    return {"plans": plans, "seal": seal(data, plans), "markdown": render.markdown(plans),
            "has_changes": any(p.has_changes for p in plans),
            "report": {"project": config.project, "command": "diff", **render.report(plans)}}


async def plan_page(request: Request) -> Response:
    need(request)
    p = await run_in_threadpool(planned_now, ui_of(request))
    if request.url.path.startswith("/api/"):
        return JSONResponse(p["report"])  # `cronctl diff --json`
    return page(request, "plan.html", p=p)


def apply(ui, user: str, shown_seal: str) -> dict:
    """`cronctl schedule` (the engine, its safety rules), confirmed only if the plan it made
    is the one the page showed."""
    data = ui.board.file_bytes()
    seen: list[list] = []

    def same(question: str) -> bool:
        return bool(seen) and seal(data, seen[-1]) == shown_seal

    done = engine.sync(ui.board.state(), engine.Options("schedule"), engine.Hooks(
        show=seen.append, confirm=same))
    if done.refused:
        raise SafetyError("refused: " + "; ".join(done.refused),
                          hint="review the plan; 'cronctl schedule --force' overrides it")
    if done.declined or (not done.pending and seal(data, done.plans) != shown_seal):
        raise SafetyError("the plan changed since this page was loaded (the file or a target "
                          "changed); nothing was applied", hint="review the plan again")
    result = applied_json(done)
    ui.audit.record(user, "apply", ok=not result["failed"],
                    detail=f"{len(result['applied'])} change(s) applied, "
                    f"{len(result['failed'])} failed")
    ui.board.invalidate()
    return result


async def plan_apply(request: Request) -> Response:
    s, form = await need_post(request, "admin")
    result = await run_in_threadpool(apply, ui_of(request), s.user.name, form.get("seal", ""))
    if request.url.path.startswith("/api/"):
        return JSONResponse(result)
    failed = "; ".join(f"{f['job']}: {f['error']}" for f in result["failed"])
    return page(request, "done.html", back="/plan", note=None,
                message=f"Applied {len(result['applied'])} change(s)"
                + (f"; failed: {failed}" if failed else "."))


def routes() -> list[Route]:
    return [Route("/plan", plan_page), Route("/api/diff", plan_page),
            Route("/plan/apply", plan_apply, methods=["POST"]),
            Route("/api/plan/apply", plan_apply, methods=["POST"])]
