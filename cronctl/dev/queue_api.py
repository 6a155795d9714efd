"""Queue endpoints (`/v2/queues`): upsert, get, list, delete, pause, resume."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .httputil import error, json_body, scheduler_of
from .options import BadRequest, queue_name


def _shown(request: Request, queue: dict[str, Any]) -> dict[str, Any]:
    pending = scheduler_of(request).pending.values()
    lag = sum(1 for m in pending if m.spec.queue == queue["name"])
    return {**queue, "lag": lag}


async def upsert_queue(request: Request) -> Response:
    try:
        data = await json_body(request)
        if not isinstance(data, dict):
            raise BadRequest('expected a JSON body {"queueName": ..., "parallelism": ...}')
        name = queue_name(data.get("queueName") if isinstance(data.get("queueName"), str)
                          else None)
        if name is None:
            raise BadRequest("queueName is required")
        parallelism = data.get("parallelism")
        if parallelism is not None and (not isinstance(parallelism, int)
                                        or isinstance(parallelism, bool) or parallelism < 1):
            raise BadRequest("parallelism must be a whole number of at least 1")
        paused = data.get("paused")
        if paused is not None and not isinstance(paused, bool):
            raise BadRequest("paused must be true or false")
    except BadRequest as exc:
        return error(400, str(exc))
    sched = scheduler_of(request)
    sched.queues.upsert(name, sched.clock.now_ms(), parallelism, paused)
    if paused is False:
        sched.admission.resume_queue(name)
    return Response(status_code=200)


async def get_queue(request: Request) -> Response:
    queue = scheduler_of(request).queues.get(request.path_params["name"])
    if queue is None:
        return error(404, f"queue {request.path_params['name']} not found")
    return JSONResponse(_shown(request, queue))


async def list_queues(request: Request) -> Response:
    return JSONResponse([_shown(request, q) for q in scheduler_of(request).queues.all()])


async def delete_queue(request: Request) -> Response:
    sched, name = scheduler_of(request), request.path_params["name"]
    if not sched.queues.delete(name):
        return error(404, f"queue {name} not found")
    sched.admission.resume_queue(name)  # what waited on it is delivered without a queue
    return Response(status_code=200)


async def pause_queue(request: Request) -> Response:
    return _set_paused(request, True)


async def resume_queue(request: Request) -> Response:
    return _set_paused(request, False)


def _set_paused(request: Request, paused: bool) -> Response:
    sched, name = scheduler_of(request), request.path_params["name"]
    if sched.queues.get(name) is None:
        return error(404, f"queue {name} not found")
    sched.queues.upsert(name, sched.clock.now_ms(), paused=paused)
    if not paused:
        sched.admission.resume_queue(name)
    return Response(status_code=200)
