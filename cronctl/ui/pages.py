"""The read views: login, the jobs page, a job's page, the audit log; each also as JSON under
/api/ in the shapes the CLI's --json prints (list, logs, dlq, probe)."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import live_list
from ..commands import dlq as dlq_cmd
from ..commands import list_jobs
from ..commands import logs as logs_cmd
from ..commands import probe as probe_cmd
from ..config.yamlsource import parse
from ..errors import CronctlError, UsageError
from ..output import redact
from ..targets.base import RUN_STATES, now_ms
from .auth import ROLES
from .board import text_digest
from .summary import summarise
from .web import COOKIE, client_of, form_of, need, need_post, render, session_of, sign_in, ui_of

PAGE = 25
MASKED = ("headers", "env")


# -- login ------------------------------------------------------------------------------------
async def login_page(request: Request) -> Response:
    if session_of(request) is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html", problem=None)


async def login(request: Request) -> Response:
    ui = ui_of(request)
    form = await form_of(request)
    user = sign_in(ui, str(form.get("token") or "").strip(), client_of(request), "form")
    sid = ui.auth.open(user)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", secure=ui.secure,
                        path="/")
    return response


async def logout(request: Request) -> Response:
    s, _ = await need_post(request, "viewer")
    ui_of(request).auth.close(request.cookies.get(COOKIE))
    ui_of(request).audit.record(s.user.name, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# -- the jobs page ----------------------------------------------------------------------------
def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {k: (q.get(k) or "").strip() for k in ("target", "state", "label", "q")}


def pick(rows: list[dict], f: dict[str, str]) -> list[dict]:
    words = f["q"].lower().split()

    def hit(r: dict) -> bool:
        text = " ".join(str(x) for x in (r["name"], r.get("schedule"), r.get("target"),
                                          (r.get("local") or {}).get("description"),
                                          (r.get("local") or {}).get("path"), *r["labels"])
                        ).lower()
        return all(w in text for w in words)

    return [r for r in rows
            if (not f["target"] or r["target"] == f["target"])
            and (not f["state"] or r["state"] == f["state"])
            and (not f["label"] or f["label"] in r["labels"]) and hit(r)]


async def jobs_page(request: Request) -> Response:
    need(request)
    snap = await run_in_threadpool(ui_of(request).board.snapshot)
    f = _filters(request)
    fragment = request.url.path.startswith("/fragments/")
    return render(request, "jobs_rows.html" if fragment else "jobs.html", snap=snap, f=f,
                  rows=pick(snap.rows, f))


async def api_jobs(request: Request) -> Response:
    """`cronctl list --json`, each row with what the page adds (state, recent runs)."""
    need(request)
    snap = await run_in_threadpool(ui_of(request).board.snapshot)
    rows = pick(snap.rows, _filters(request))
    return JSONResponse({**live_list.to_json(snap.config, rows), "notes": snap.notes,
                         "window_seconds": snap.window_s, "read_at": snap.now,
                         "read_seconds": snap.read_s})


# -- one job ------------------------------------------------------------------------------------
def _time_arg(text: str, *, now: int, end: bool) -> int | None:
    """A date (2026-01-05: its start, or with `end` its end), an ISO time, or a duration ago."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and end:
        text += "T23:59:59Z"
    return logs_cmd.parse_until(text, now)


def job_view(ui, name: str, params: dict[str, str]) -> dict[str, Any]:
    board = ui.board
    state = board.state()
    config = board.config(state)
    job = config.job(name)
    target = board.target_of(job)
    status = params.get("status") or None
    if status and status not in RUN_STATES:
        raise UsageError(f"status {status!r} is not a run state",
                         hint=f"one of {', '.join(RUN_STATES)}")
    now = now_ms(state)
    since_ms = _time_arg(params.get("since", ""), now=now, end=False)
    if since_ms is None:
        since_ms = now - board.window_s * 1000
    until_ms = _time_arg(params.get("until", ""), now=now, end=True)
    page = int(params["page"]) if str(params.get("page", "")).isdigit() else 1
    page = max(1, page)
    runs, notes = board.job_runs(job, status=None, since_ms=since_ms, until_ms=until_ms,
                                 limit=1000)
    stats = summarise(runs)
    shown = [r for r in runs if not status or r.state == status]
    letters, dlq_note = _dead_letters(target, job)
    text = board.file_bytes().decode("utf-8-sig")
    return {
        "job": job, "target": target, "attributes": attributes(text, name),
        "local": list_jobs.local_row(job, config),
        "runs": shown[(page - 1) * PAGE: page * PAGE], "total": len(shown), "page": page,
        "pages": max(1, -(-len(shown) // PAGE)), "stats": stats, "notes": notes,
        "letters": letters, "dlq_note": dlq_note,
        "status": status or "", "since": params.get("since", ""),
        "until": params.get("until", ""), "digest": text_digest(board.file_bytes()),
        "states": RUN_STATES, "window_s": board.window_s, "all_runs": runs,
        "now": state.now().isoformat(timespec="seconds"), "paused": _paused(board, name),
    }


def _paused(board, name: str) -> bool | None:
    """Whether the target has the job paused, as the jobs page read it (None: unknown)."""
    row = board.snapshot().row(name)
    return row.get("paused") if row else None


def _dead_letters(target, job) -> tuple[list, str | None]:
    try:
        return target.dead_letters([job]), None
    except CronctlError as exc:
        return [], exc.message


def _checks(ui, target, job) -> list:
    """What `probe` says about this job: its target's checks, and those naming the job."""
    found = ui.board.probe(target)
    names = {j.name for j in target.jobs}
    return [c for c in found if job.name in f"{c.name} {c.detail}"
            or not any(n in f"{c.name} {c.detail}" for n in names)]


def attributes(text: str, name: str) -> list[dict[str, Any]]:
    """The job's keys as the file has them, with line numbers. What may hold a secret is
    masked: header and env values, notification URLs (apprise URLs carry tokens in their
    paths too: only the scheme is shown), and the credentials of any URL."""
    import json

    src = parse(text)
    raw = (src.data or {}).get("jobs", {}).get(name) or {}
    out = []
    for key, value in raw.items():
        mark = src.keys.get(("jobs", name, key))
        if key in MASKED and isinstance(value, dict):
            shown = ", ".join(f"{k}: ***" if str(k).lower() != "content-type" else f"{k}: {v}"
                              for k, v in value.items())
        elif key in URLS:
            urls = value if isinstance(value, list) else [value]
            shown = json.dumps([_scheme_only(u) for u in urls])
        elif isinstance(value, dict | list):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = "null" if value is None else str(value).lower() \
                if isinstance(value, bool) else str(value)
        out.append({"key": key, "value": redact(_USERINFO.sub(r"\1***@", shown)),
                    "line": mark.line if mark else None})
    return out


URLS = ("notify",)  # lists of apprise URLs
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/\s\"'@]*@")


def _scheme_only(url: object) -> str:
    scheme, sep, _ = str(url).partition("://")
    return f"{scheme}://***" if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) \
        else "***"


async def job_page(request: Request) -> Response:
    need(request)
    ui = ui_of(request)
    name = request.path_params["name"]
    view = await run_in_threadpool(job_view, ui, name, dict(request.query_params))
    pending = request.query_params.get("run")
    outcome = ui.pending.get(pending) if pending else None
    fragment = request.url.path.startswith("/fragments/")
    return render(request, "job_runs.html" if fragment else "job.html", v=view,
                  pending=pending if outcome else None, q=dict(request.query_params))


async def api_job(request: Request) -> Response:
    need(request)
    ui = ui_of(request)
    view = await run_in_threadpool(job_view, ui, request.path_params["name"],
                                   dict(request.query_params))
    return JSONResponse({
        "job": view["local"], "file": [{"key": a["key"], "line": a["line"]}
                                       for a in view["attributes"]],
        "locked": view["job"].locked, "line": view["job"].line,
        "stats": view["stats"],
        "logs": logs_cmd.to_json(view["runs"], view["notes"]),
        "dlq": dlq_cmd.to_json(view["letters"]),
        "probe": probe_cmd.to_json(await run_in_threadpool(
            _checks, ui, view["target"], view["job"]))})


async def probe_page(request: Request) -> Response:
    """What `probe` says about one job: its own page (a job's page loads it after the rest:
    at 1,000 jobs the delivery checks read as much as `stats`; cached for minutes)."""
    need(request)
    ui = ui_of(request)

    def go():
        state = ui.board.state()
        job = ui.board.config(state).job(request.path_params["name"])
        return job, _checks(ui, ui.board.target_of(job), job)

    job, checks = await run_in_threadpool(go)
    fragment = request.url.path.startswith("/fragments/")
    return render(request, "probe_list.html" if fragment else "probe.html", job=job,
                  checks=checks)


async def api_logs(request: Request) -> Response:
    """`cronctl logs [JOB] --json`: ?job=&status=&since=24h&until=&limit=50."""
    need(request)
    ui = ui_of(request)
    q = request.query_params

    def go() -> dict:
        state = ui.board.state()
        config = ui.board.config(state)
        jobs = [config.job(q["job"])] if q.get("job") else list(config.jobs)
        status = q.get("status") or None
        if status and status not in RUN_STATES:
            raise UsageError(f"status {status!r} is not a run state")
        now = now_ms(state)
        since = now - int(logs_cmd.parse_since(q.get("since") or "24h").total_seconds() * 1000)
        notes: list[str] = []
        limit = min(1000, max(1, int(q.get("limit") or 50))) if (q.get("limit") or "50"
                                                                 ).isdigit() else 50
        runs = logs_cmd.collect(config, state, jobs, since_ms=since,
                                until_ms=logs_cmd.parse_until(q.get("until"), now),
                                status=status, limit=limit, notes=notes, strict=bool(jobs)
                                and len(jobs) == 1 and bool(q.get("job")))
        return logs_cmd.to_json(runs, notes)

    return JSONResponse(await run_in_threadpool(go))


async def api_dlq(request: Request) -> Response:
    """`cronctl dlq [JOB] --json`: ?job= one job's, else every job's."""
    need(request)
    ui = ui_of(request)

    def go() -> dict:
        state = ui.board.state()
        return dlq_cmd.to_json(dlq_cmd.collect(ui.board.config(state), state,
                                               request.query_params.get("job") or None)[1])

    return JSONResponse(await run_in_threadpool(go))


async def api_probe(request: Request) -> Response:
    """`cronctl probe --json`."""
    need(request)
    ui = ui_of(request)
    checks = await run_in_threadpool(lambda: probe_cmd.collect(ui.board.state()))
    return JSONResponse(probe_cmd.to_json(checks))


# -- the audit log (admins) ---------------------------------------------------------------------
async def audit_page(request: Request) -> Response:
    need(request, "admin")
    entries = await run_in_threadpool(ui_of(request).audit.entries)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"entries": entries})
    return render(request, "audit.html", entries=entries, roles=ROLES)


async def api_me(request: Request) -> Response:
    s = need(request)
    return JSONResponse({"user": s.user.name, "role": s.user.role})


def routes() -> list[Route]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", jobs_page), Route("/fragments/jobs", jobs_page),
        Route("/jobs/{name}", job_page), Route("/fragments/jobs/{name}", job_page),
        Route("/jobs/{name}/probe", probe_page),
        Route("/fragments/jobs/{name}/probe", probe_page),
        Route("/audit", audit_page),
        Route("/api/jobs", api_jobs), Route("/api/jobs/{name}", api_job),
        Route("/api/logs", api_logs), Route("/api/dlq", api_dlq),
        Route("/api/probe", api_probe), Route("/api/audit", audit_page),
        Route("/api/me", api_me),
    ]

