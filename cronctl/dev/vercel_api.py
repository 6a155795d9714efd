"""The two Vercel REST endpoints cronctl uses, answered from the project's files:

    GET  /v9/projects/{idOrName}         the project with its production `crons`
    POST /v1/projects/{id}/crons/run     run one deployed cron now: {path, schedule}

"Deployed" starts as what `vercel deploy --prod` of this folder would deploy: the crons of the
vercel.json next to schedules.yaml (or, without that file, the ones cronctl would generate).
A run fires like Vercel Cron does (GET app URL + path, Vercel's headers) when the server knows
the app URL, and is recorded either way (`GET /_cronctl/vercel`).

`GET /_cronctl/vercel` shows the project, the runs and the API requests served by route.
Tests set the deployed state with `POST /_cronctl/vercel` (dev token), any of:
    {"disabled": true}                      crons disabled for the project
    {"definitions": [{path, schedule, host?, source?}, ...]}   what production runs
    {"deployed": false}                     no production deployment (no crons)
    {"reset": true}                         back to the files
Auth is the dev token (the same as QSTASH_TOKEN): export VERCEL_TOKEN=<it> and
VERCEL_API_URL=<server URL>; the project is `vercel.project` (or the file's project name) or
its ID, `prj_cronctldev`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import TOKEN
from .gate import authorised

PROJECT_ID = "prj_cronctldev"
DEPLOYMENT_ID = "dpl_cronctldev"


def vercel_env(url: str) -> dict[str, str]:
    """The variables cronctl needs to read this server's Vercel side."""
    return {"VERCEL_API_URL": url, "VERCEL_TOKEN": TOKEN, "VERCEL_PROJECT_ID": PROJECT_ID}


class VercelProject:
    def __init__(self, name: str, crons: list[dict], host: str, now_ms: int,
                 fire=None) -> None:
        self.name = name
        self.host = host
        self.file_crons = crons
        self.started_ms = now_ms
        self.fire = fire  # VercelCrons (when the app URL is known), or None
        self.runs: list[dict[str, Any]] = []
        self.requests: Counter[str] = Counter()  # API requests served, by route
        self.team_ids: list[str | None] = []  # the teamId= of each, as sent
        self.reset()

    def reset(self) -> None:
        self.definitions = [self._definition(c) for c in self.file_crons]
        self.disabled_at: int | None = None
        self.deployment_id: str | None = DEPLOYMENT_ID
        self.updated_at = self.started_ms

    def _definition(self, raw: dict) -> dict:
        d = {"host": raw.get("host") or self.host, "path": str(raw.get("path", "")),
             "schedule": str(raw.get("schedule", ""))}
        if raw.get("source"):
            d["source"] = raw["source"]
        return d

    def matches(self, id_or_name: str) -> bool:
        return id_or_name in (PROJECT_ID, self.name)

    def to_api(self) -> dict[str, Any]:
        return {"id": PROJECT_ID, "name": self.name, "accountId": "team_cronctldev",
                "crons": {"enabledAt": self.started_ms, "disabledAt": self.disabled_at,
                          "updatedAt": self.updated_at, "deploymentId": self.deployment_id,
                          "definitions": self.definitions}}

    def set_state(self, body: dict, now_ms: int) -> None:
        if body.get("reset"):
            self.reset()
        if "disabled" in body:
            self.disabled_at = now_ms if body["disabled"] else None
        if "definitions" in body:
            self.definitions = [self._definition(d) for d in body["definitions"]]
        if body.get("deployed") is False:
            self.definitions, self.deployment_id = [], None
        self.updated_at = now_ms


def load_project(config_path: Path | None, app_url: str | None, now_ms: int, fire=None
                 ) -> VercelProject:
    """The project as the files describe it; an unreadable file gives one with no crons."""
    from ..errors import CronctlError

    name, crons, base = "cronctl-dev", [], app_url
    if config_path is not None and config_path.is_file():
        try:
            from ..config import load_config
            from ..targets.vercel.crons import desired_crons
            from ..targets.vercel.model import settings as vercel_settings
            from ..targets.vercel.model import vercel_file

            config = load_config(config_path)
            name = vercel_settings(config).project or config.project
            base = base or config.base_url
            try:
                doc = json.loads(vercel_file(config).read_text(encoding="utf-8").lstrip("\ufeff"))
                crons = doc.get("crons") or [] if isinstance(doc, dict) else []
            except FileNotFoundError:
                crons = desired_crons(config)
        except (CronctlError, ValueError, OSError):
            pass
    host = urlsplit(base).netloc if base else f"{name}.vercel.app"
    return VercelProject(name, [c for c in crons if isinstance(c, dict)], host, now_ms, fire)


def _project(request: Request) -> VercelProject:
    return request.app.state.vercel_project


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _guard(handler, route: str):
    async def guarded(request: Request) -> Response:
        _project(request).requests[route] += 1
        _project(request).team_ids.append(request.query_params.get("teamId"))
        if not authorised(request.scope, TOKEN):
            return _error(403, "forbidden", "Not authorized: the token is missing or invalid")
        project = _project(request)
        if not project.matches(request.path_params["project"]):
            return _error(404, "not_found", "Project not found")
        return await handler(request, project)

    return guarded


async def get_project(request: Request, project: VercelProject) -> Response:
    return JSONResponse(project.to_api())


async def run_cron(request: Request, project: VercelProject) -> Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return _error(400, "bad_request", "Invalid JSON body")
    if not isinstance(body, dict) or not isinstance(body.get("path"), str):
        return _error(400, "bad_request", "path is required")
    if project.disabled_at is not None:
        return _error(400, "crons_disabled", "Cron jobs are disabled for this project")
    wanted = (body["path"], body.get("schedule"))
    found = next((d for d in project.definitions
                  if (d["path"], d["schedule"]) == wanted), None)
    if found is None:
        return _error(404, "not_found", f"No cron job with path {body['path']} is deployed")
    now = request.app.state.scheduler.clock.now_ms()
    run: dict[str, Any] = {"path": found["path"], "schedule": found["schedule"],
                           "invocationAt": now, "status": None}
    if project.fire is not None:
        import httpx

        from .vercel_jobs import VercelJob

        # recorded under the file's job (what `cronctl logs` and the job page look for)
        jobs = project.fire.jobs
        named = next((j for j in jobs if (j.path, j.schedule) == wanted), None) or \
            next((j for j in jobs if j.path == found["path"]), None)
        job = VercelJob(named.name if named else found["path"], found["path"],
                        found["schedule"])
        async with httpx.AsyncClient(trust_env=False) as http:
            await project.fire.run(http, job, now, triggered_by="manual")
        run["status"] = project.fire.runs[-1]["status"]
    project.runs.append(run)
    return JSONResponse({"invocationAt": now})


async def control(request: Request) -> Response:
    if not authorised(request.scope, TOKEN):
        return _error(401, "unauthorized", "missing or wrong bearer token")
    project = _project(request)
    if request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return _error(400, "bad_request", "Invalid JSON body")
        project.set_state(body, request.app.state.scheduler.clock.now_ms())
    return JSONResponse({**project.to_api(), "runs": project.runs,
                         "requests": dict(project.requests), "teamIds": project.team_ids})


ROUTES = [
    Route("/v9/projects/{project}", _guard(get_project, "GET /v9/projects/{project}"),
          methods=["GET"]),
    Route("/v1/projects/{project}/crons/run",
          _guard(run_cron, "POST /v1/projects/{project}/crons/run"), methods=["POST"]),
    Route("/_cronctl/vercel", control, methods=["GET", "POST"]),
]
