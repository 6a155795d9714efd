"""The operator's buttons: run now (and its outcome), pause, resume, retry or delete a dead
letter. Each goes through the same calls as the CLI command (`trigger`, `pause`, `resume`,
`dlq`): a locked job is refused with the CLI's words, and every action is audited."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..commands.pause import file_still_decides
from ..commands.trigger import describe
from ..errors import CronctlError, UsageError
from ..policy import refuse_locked
from ..words import count
from .web import Denied, need, need_post, render, ui_of, wants_json

OUTCOME_WAIT_S = 2.0  # one outcome request waits at most this long
MAX_PENDING = 500  # runs started here whose outcome a page may still ask for


def _job(ui, name: str):
    state = ui.board.state()
    config = ui.board.config(state)
    return config, config.job(name)


async def _act(request: Request, action: str, body, audit_as: str) -> Response:
    """Check role and CSRF, run `body(config, job, target)` in a thread, audit it, answer."""
    ui = ui_of(request)
    s, form = await need_post(request, "operator")
    name = request.path_params["name"]

    def go():
        config, job = _job(ui, name)
        try:
            refuse_locked(config, job, action, force=False)
            target = ui.board.target_of(job)
            out = body(config, job, target, form, s)
        except CronctlError as exc:
            ui.audit.record(s.user.name, audit_as, job=name, ok=False, detail=exc.message)
            raise
        ui.board.invalidate()
        return out

    result = await run_in_threadpool(go)
    if wants_json(request):
        return JSONResponse(result)
    where = f"/jobs/{quote(name, safe='')}"
    if result.get("run_id"):
        where += f"?run={quote(result['run_id'], safe='')}"
    elif result.get("message"):
        return render(request, "done.html", message=result["message"],
                      note=result.get("note"), back=where)
    return RedirectResponse(where, status_code=303)


async def run_now(request: Request) -> Response:
    ui = ui_of(request)
    s = need(request, "operator")
    wait = ui.auth.triggers.take(s.user.name)
    if wait is not None:
        ui.audit.record(s.user.name, "run", job=request.path_params["name"], ok=False,
                        detail="refused: too many manual runs")
        raise Denied(f"{s.user.name} started {count(ui.auth.triggers.limit, 'run')} in the last "
                     f"{ui.auth.triggers.window_s:.0f} s; try again in {wait:.0f} s")

    def body(config, job, target, form, s):
        target.can_trigger(job)
        result = target.trigger(job)
        run_id = result.run_id or f"now-{secrets.token_hex(6)}"
        ui.pending[run_id] = (job.name, result)
        while len(ui.pending) > MAX_PENDING:  # the oldest runs started here are forgotten
            ui.pending.pop(next(iter(ui.pending)))
        ui.audit.record(s.user.name, "run", job=job.name, ok=result.ok, run_id=run_id,
                        detail=result.text.split("\n")[0])
        return {**result.facts, "run_id": run_id}

    return await _act(request, "trigger", body, "run")


async def outcome(request: Request) -> Response:
    """The outcome of a run started here, as `trigger --wait` says it (JSON for the page's
    script; a page without it)."""
    need(request)
    ui = ui_of(request)
    name = request.path_params["name"]
    run_id = request.query_params.get("run") or ""
    found = ui.pending.get(run_id)
    if found is None or found[0] != name:
        raise UsageError(f"no run {run_id!r} of {name} was started from this page",
                         hint="see the job's runs")

    def go() -> dict:
        _, job = _job(ui, name)
        result = found[1]
        target = ui.board.target_of(job)
        run = target.wait(job, result, timeout=OUTCOME_WAIT_S) if result.run_id else None
        if run is None:  # the trigger itself was the run (e.g. a direct GET)
            return {"done": True, "state": "delivered" if result.ok else "failed",
                    "text": result.text.split("\n")[0], "run": None}
        done = run.state != "in-flight"
        if done:
            ui.board.invalidate()
        return {"done": done, "state": run.state, "run": run.to_json(),
                "text": describe(run, OUTCOME_WAIT_S) if done else
                f"{job.name}: in flight ({run.attempts} attempts so far)…"}

    data = await run_in_threadpool(go)
    if wants_json(request):
        return JSONResponse(data)
    return render(request, "done.html", message=data["text"], note=None,
                  back=f"/jobs/{quote(name, safe='')}")


def _pause(paused: bool):
    async def handler(request: Request) -> Response:
        def body(config, job, target, form, s):
            target.pause(job, paused=paused)
            verb = "Paused" if paused else "Resumed"
            ui_of(request).audit.record(s.user.name, "pause" if paused else "resume",
                                        job=job.name)
            note = file_still_decides(config, job, paused)[len("note: "):] \
                if job.enabled == paused else None
            return {"job": job.name, "paused": paused,
                    "message": f"{verb} {job.name} on {target.title}.", "note": note}

        verb = "pause" if paused else "resume"
        return await _act(request, verb, body, verb)

    return handler


def _dlq(verb: str):
    async def handler(request: Request) -> Response:
        def body(config, job, target, form, s):
            wanted = str(form.get("id") or "")
            letters = [d for d in target.dead_letters([job]) if d.dlq_id == wanted]
            if not letters:
                raise UsageError(f"{wanted!r} is not a dead letter of {job.name} (any more)",
                                 hint="reload the job's page")
            if verb == "retry":
                new = target.retry_dead(letters)
                message = f"Retried dead letter {wanted}: delivered again as a new run."
                facts = {"retried": [{"dlq_id": wanted, "job": job.name,
                                      "message_id": new[0] if new else None}], "count": 1}
            else:
                n = target.delete_dead(letters)
                message = f"Deleted dead letter {wanted}."
                facts = {"deleted": [wanted], "count": n}
            ui_of(request).audit.record(s.user.name, f"dlq {verb}", job=job.name,
                                        dlq_id=wanted)
            return {**facts, "message": message}

        return await _act(request, f"{verb} a dead letter of", body, f"dlq {verb}")

    return handler


def routes() -> list[Route]:
    return [
        Route("/jobs/{name}/run", run_now, methods=["POST"]),
        Route("/jobs/{name}/outcome", outcome),
        Route("/jobs/{name}/pause", _pause(True), methods=["POST"]),
        Route("/jobs/{name}/resume", _pause(False), methods=["POST"]),
        Route("/jobs/{name}/dlq/retry", _dlq("retry"), methods=["POST"]),
        Route("/jobs/{name}/dlq/delete", _dlq("delete"), methods=["POST"]),
        Route("/api/jobs/{name}/run", run_now, methods=["POST"]),
        Route("/api/jobs/{name}/pause", _pause(True), methods=["POST"]),
        Route("/api/jobs/{name}/resume", _pause(False), methods=["POST"]),
    ]
