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
from ..words import count
from .board import text_digest
from .web import need, need_post, ui_of
from .web import render as page


def seal(data: bytes, plans: list) -> str:
    """What a plan page showed: the file and the plan of every target."""
    shown = json.dumps(render.report(plans), sort_keys=True, default=str)
    return hashlib.sha256(text_digest(data).encode() + shown.encode()).hexdigest()[:32]


def diff_lines(diff: str) -> list[dict]:
    """A unified diff's lines, each with its kind (add, del, hunk, same) for its colour."""
    return [{"text": line, "kind": {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")}
            for line in diff.rstrip("\n").splitlines()]


def view(plans: list) -> dict:
    """The plans as the pages show them: per target, its file's diff (each line marked) or a
    table of changes (action, job, what changes), and the totals; the Markdown stays
    available for a pull request."""
    from ..plan import SYMBOLS  # the marks of `cronctl diff`: + ~ - and the rest

    blocks = []
    for plan in plans:
        n = len(plan.unmanaged)
        block: dict = {"title": plan.title, "skipped": plan.skipped, "diff": None,
                       "file": None, "changes": [], "unmanaged": n and
                       f"{n} unmanaged {plan.noun if n != 1 else plan.noun.removesuffix('s')}"}
        art = plan.artifact
        if art is not None:
            block["file"] = art.path.name
            if art.changed:
                block["diff"] = diff_lines(art.unified_diff())
        else:
            block["changes"] = [{"action": c.action, "symbol": SYMBOLS[c.action],
                                 "job": c.job, "lines": render.describe(c)}
                                for c in plan.changes]
        blocks.append(block)
    return {"blocks": blocks, "totals": render.totals(plans), "markdown": render.markdown(plans)}


def planned_now(ui) -> dict:
    state = ui.board.state()
    config = ui.board.config(state)
    data = ui.board.file_bytes()
    planned = engine.plan_all(config, state, engine.Options(mode="diff"))
    plans = [p.plan for p in planned]
    return {"plans": plans, "seal": seal(data, plans), "view": view(plans),
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
                    detail=f"{count(len(result['applied']), 'change')} applied, "
                    f"{len(result['failed'])} failed")
    ui.board.invalidate()
    return result


async def plan_apply(request: Request) -> Response:
    s, form = await need_post(request, "admin")
    result = await run_in_threadpool(apply, ui_of(request), s.user.name, form.get("seal", ""))
    if request.url.path.startswith("/api/"):
        return JSONResponse(result)
    failed = "; ".join(f"{f['job']}: {f['error']}" for f in result["failed"])
    return page(request, "done.html", back="/plan", back_label="Back to the plan", note=None,
                message=f"Applied {count(len(result['applied']), 'change')}"
                + (f"; failed: {failed}" if failed else "."))


def routes() -> list[Route]:
    return [Route("/plan", plan_page), Route("/api/diff", plan_page),
            Route("/plan/apply", plan_apply, methods=["POST"]),
            Route("/api/plan/apply", plan_apply, methods=["POST"])]
