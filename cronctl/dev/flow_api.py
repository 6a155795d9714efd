"""Flow-control endpoints (`/v2/flowControl`, `/v2/globalParallelism`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .admission import GLOBAL_PARALLELISM
from .httputil import error, scheduler_of
from .options import BadRequest, query_int


def _key(request: Request):
    key = scheduler_of(request).flow.keys.get(request.path_params["key"])
    if key is None:
        return None, error(404, f"flow control key {request.path_params['key']} not found")
    return key, None


async def get_key(request: Request) -> Response:
    key, problem = _key(request)
    if key is None:
        return problem
    return JSONResponse(key.to_api(scheduler_of(request).clock.now_ms()))


async def list_keys(request: Request) -> Response:
    sched = scheduler_of(request)
    now = sched.clock.now_ms()
    search = request.query_params.get("search") or ""
    return JSONResponse([k.to_api(now) for name, k in sorted(sched.flow.keys.items())
                         if search in name])


async def global_parallelism(request: Request) -> Response:
    return JSONResponse({"parallelismMax": GLOBAL_PARALLELISM,
                         "parallelismCount": scheduler_of(request).admission.active})


async def pause_key(request: Request) -> Response:
    key, problem = _key(request)
    if key is None:
        return problem
    key.paused = True
    return Response(status_code=200)


async def resume_key(request: Request) -> Response:
    key, problem = _key(request)
    if key is None:
        return problem
    key.paused = False
    scheduler_of(request).admission.resume_key(key.key)
    return Response(status_code=200)


async def pin_key(request: Request) -> Response:
    key, problem = _key(request)
    if key is None:
        return problem
    q = request.query_params
    try:
        values = {name: query_int(q, name) for name in ("parallelism", "rate", "period")}
        for name, value in values.items():
            if value is not None and value < 1:
                raise BadRequest(f"{name} must be at least 1")
    except BadRequest as exc:
        return error(400, str(exc))
    sched = scheduler_of(request)
    sched.flow.pin(key.key, values["parallelism"], values["rate"], values["period"])
    sched.admission.resume_key(key.key)  # a larger pinned parallelism frees slots
    return Response(status_code=200)


async def unpin_key(request: Request) -> Response:
    key, problem = _key(request)
    if key is None:
        return problem
    q = request.query_params
    flags = {}
    for name in ("parallelism", "rate"):
        value = (q.get(name) or "").lower()
        if value not in ("", "true", "false"):
            return error(400, f"{name} must be true or false")
        flags[name] = value == "true"
    scheduler_of(request).flow.unpin(key.key, flags["parallelism"], flags["rate"])
    return Response(status_code=200)


async def reset_rate(request: Request) -> Response:
    key, problem = _key(request)
    if key is None:
        return problem
    sched = scheduler_of(request)
    sched.flow.reset_rate(key.key, sched.clock.now_ms())
    return Response(status_code=200)
