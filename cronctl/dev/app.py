"""The QStash REST API (v2) and the `/_cronctl` control endpoints, as a Starlette app.

`build_app(settings)` wires the store, clock, scheduler and gate together. Errors are always
`{"error": "..."}` with QStash's statuses: 400, 401, 404, 412.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ..errors import CronctlError
from . import TOKEN, dlq, keys, message_routes
from .clock import parse_clock
from .delivery import Deliverer
from .faults import FaultPlan
from .gate import ApiGate, HostGuard, RequestStats, authorised
from .httputil import destination_query, error, headers_of, raw_tail, scheduler_of, store_of
from .livelog import LiveLog
from .options import BadRequest, destination, message_spec
from .options import schedule_request as parse_schedule_headers
from .scheduler import LimitReached, NotFound, Scheduler
from .store import Store
from .trust import CHALLENGE, HELLO, answer
from .vercel_api import ROUTES as VERCEL_ROUTES
from .vercel_api import load_project
from .vercel_jobs import VercelCrons, load_jobs

MAX_PAGE = 1000


@dataclass
class DevSettings:
    db_path: Path | None = None  # None: in memory
    clock: str | None = None  # "wall" (None), "frozen" or "frozen:<ISO time>"
    fire: bool = True
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_seed: int | None = None
    max_schedules: int | None = None
    rate_limit: float | None = None  # management requests per second and token (ratelimit.py)
    config_path: Path | None = None  # a schedules.yaml whose infrastructure jobs fire
    app_url: str | None = None  # where they fire (default: the file's base_url)
    log: bool = True
    access_log: bool = False
    # `cronctl dev` applying the file (dev/autoapply.py): Vercel jobs follow edits, deliveries
    # go to --app-url, and its extra control routes.
    follow: bool = False
    route: Callable[[str], str] | None = None
    extra_routes: list = field(default_factory=list)
    host: str = "127.0.0.1"  # the address it listens on: any other Host is refused (gate.py)
    control_key: str | None = None  # per start: proves the server to discovery (discovery.py)


@dataclass
class DevApp:
    asgi: ASGIApp
    notes: list[str] = field(default_factory=list)  # for the start-up banner
    vercel: VercelCrons | None = None
    log: LiveLog | None = None


_scheduler, _store, _raw_tail, _headers = scheduler_of, store_of, raw_tail, headers_of


# -- schedules ----------------------------------------------------------------------------------

async def upsert_schedule(request: Request) -> Response:
    try:
        dest = destination(_raw_tail(request, "/v2/schedules/"), destination_query(request))
        headers = _headers(request)
        expr, schedule_id = parse_schedule_headers(headers)
        spec = message_spec(dest, headers, await request.body())
        return JSONResponse({"scheduleId": _scheduler(request).upsert(expr, schedule_id, spec)})
    except BadRequest as exc:
        return error(400, str(exc))
    except LimitReached as exc:
        return error(412, str(exc))


async def list_schedules(request: Request) -> Response:
    return JSONResponse([s.to_api() for s in _store(request).schedules()])


async def get_schedule(request: Request) -> Response:
    s = _store(request).get_schedule(request.path_params["id"])
    if s is None:
        return error(404, f"schedule {request.path_params['id']} not found")
    return JSONResponse(s.to_api())


async def delete_schedule(request: Request) -> Response:
    if not _store(request).delete_schedule(request.path_params["id"]):
        return error(404, f"schedule {request.path_params['id']} not found")
    return Response(status_code=200)


async def pause_schedule(request: Request) -> Response:
    return _set_paused(request, True)


async def resume_schedule(request: Request) -> Response:
    return _set_paused(request, False)


def _set_paused(request: Request, paused: bool) -> Response:
    try:
        _scheduler(request).set_paused(request.path_params["id"], paused)
    except NotFound as exc:
        return error(404, str(exc))
    return Response(status_code=200)


# -- control endpoints (/_cronctl) -----------------------------------------------------------

def _control(handler):
    async def guarded(request: Request) -> Response:
        if not authorised(request.scope, TOKEN, query=False):
            return error(401, "unauthorized: missing or wrong bearer token")
        return await handler(request)

    return guarded


async def hello(request: Request) -> Response:
    """The proof a discovering command asks for: the HMAC of its challenge with this start's
    key (the key never leaves; an answer is worthless for any other challenge)."""
    key = request.app.state.control_key
    challenge = request.headers.get(CHALLENGE, "")
    if not key:
        return error(404, "this server was started without a key (not by cronctl dev)")
    if not 32 <= len(challenge) <= 256:
        return error(400, f"{CHALLENGE}: 32 to 256 characters")
    return JSONResponse({"proof": answer(key, challenge)})


async def advance(request: Request) -> Response:
    try:
        seconds = float(request.query_params.get("seconds", "0"))
    except ValueError:
        return error(400, "seconds must be a number")
    if seconds < 0:
        return error(400, "the clock only moves forward")
    return JSONResponse(await _scheduler(request).advance(seconds))


async def clock(request: Request) -> Response:
    c = _scheduler(request).clock
    return JSONResponse({"now": c.now_ms(), "iso": c.now().isoformat(), "frozen": c.frozen})


async def stats(request: Request) -> Response:
    return JSONResponse(request.app.state.stats.to_json())


async def reset_stats(request: Request) -> Response:
    request.app.state.stats.reset()
    return JSONResponse(request.app.state.stats.to_json())


async def vercel_runs(request: Request) -> Response:
    crons = _scheduler(request).vercel
    return JSONResponse({"runs": crons.runs if crons else [],
                         "since": crons.loaded_ms if crons else None})


ROUTES = [
    Route("/v2/schedules", list_schedules, methods=["GET"]),
    Route("/v2/schedules/{id}/pause", pause_schedule, methods=["POST", "PATCH"]),
    Route("/v2/schedules/{id}/resume", resume_schedule, methods=["POST", "PATCH"]),
    Route("/v2/schedules/{id}", get_schedule, methods=["GET"]),
    Route("/v2/schedules/{id}", delete_schedule, methods=["DELETE"]),
    Route("/v2/schedules/{destination:path}", upsert_schedule, methods=["POST"]),
    *message_routes.ROUTES,
    Route("/v2/events", dlq.events, methods=["GET"]),
    Route("/v2/logs", dlq.events, methods=["GET"]),
    Route("/v2/dlq", dlq.list_dlq, methods=["GET"]),
    Route("/v2/dlq", dlq.delete_dlq_many, methods=["DELETE"]),
    Route("/v2/dlq/retry", dlq.retry_dlq_many, methods=["POST"]),
    Route("/v2/dlq/retry/{dlq_id}", dlq.retry_dlq, methods=["POST"]),
    Route("/v2/dlq/{dlq_id}", dlq.get_dlq, methods=["GET"]),
    Route("/v2/dlq/{dlq_id}", dlq.delete_dlq, methods=["DELETE"]),
    Route("/v2/keys", keys.get_keys, methods=["GET"]),
    Route("/v2/keys/rotate", keys.rotate_keys, methods=["POST"]),
    Route(HELLO, hello, methods=["GET"]),
    Route("/_cronctl/advance", _control(advance), methods=["POST"]),
    Route("/_cronctl/clock", _control(clock), methods=["GET"]),
    Route("/_cronctl/stats", _control(stats), methods=["GET"]),
    Route("/_cronctl/stats/reset", _control(reset_stats), methods=["POST"]),
    Route("/_cronctl/runs", _control(vercel_runs), methods=["GET"]),
    # The same reads as the API, for harnesses: never counted, delayed or faulted.
    Route("/_cronctl/schedules", _control(list_schedules), methods=["GET"]),
    Route("/_cronctl/events", _control(dlq.events), methods=["GET"]),
    Route("/_cronctl/dlq", _control(dlq.list_dlq), methods=["GET"]),
    *VERCEL_ROUTES,  # the Vercel REST endpoints cronctl reads (vercel_api.py)
]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    text = {404: "not found", 405: "method not allowed"}.get(exc.status_code, exc.detail)
    return error(exc.status_code, f"{text}: {request.method} {request.url.path}")


def build_app(settings: DevSettings) -> DevApp:
    """The ASGI app for these settings. Raises ValueError or CronctlError on bad settings."""
    clock_ = parse_clock(settings.clock)
    faults = FaultPlan(settings.fault_rate, settings.fault_seed)
    log = LiveLog(clock_, settings.log, settings.access_log)
    notes: list[str] = []
    vercel = _vercel(settings, clock_, log, notes)
    store = Store(settings.db_path)
    request_stats = RequestStats()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        deliverer = Deliverer(store, clock_, log, keys.signing_keys(store)["current"])
        deliverer.route = settings.route
        scheduler = Scheduler(store, clock_, deliverer, log, fire=settings.fire,
                              max_schedules=settings.max_schedules, vercel=vercel)
        app.state.store, app.state.scheduler, app.state.stats = store, scheduler, request_stats
        app.state.dedup = {}
        scheduler.start()
        try:
            yield
        finally:
            await scheduler.stop()
            store.close()

    app = Starlette(routes=[*ROUTES, *settings.extra_routes], lifespan=lifespan,
                    exception_handlers={404: _http_error, 405: _http_error})
    app.state.control_key = settings.control_key
    app.state.vercel_project = load_project(settings.config_path, settings.app_url,
                                            clock_.now_ms(), vercel)
    inner: ASGIApp = app
    if settings.rate_limit:
        from .ratelimit import RateLimit

        inner = RateLimit(app, settings.rate_limit)
    gate = ApiGate(inner, app.router, token=TOKEN, stats=request_stats,
                   latency_ms=settings.latency_ms, faults=faults, log=log)
    return DevApp(HostGuard(gate, settings.host), notes, vercel, log)


def _vercel(settings: DevSettings, clock_, log: LiveLog, notes: list[str]) -> VercelCrons | None:
    path = settings.config_path
    if path is None or not path.is_file():
        return None
    try:
        jobs, base_url = load_jobs(path)
    except CronctlError as exc:
        notes.append(f"Vercel cron jobs not loaded: {exc.message.splitlines()[0]}")
        return None
    app_url = settings.app_url or base_url
    if not jobs and not (settings.follow and app_url):
        return None
    if not app_url:
        notes.append(f"{len(jobs)} Vercel cron job(s) in {path.name} will not fire: "
                     "pass --app-url (or set base_url)")
        return None
    notes.append(f"{len(jobs)} Vercel cron job(s) from {path.name} fire at {app_url}")
    return VercelCrons(jobs, app_url, clock_, log)
