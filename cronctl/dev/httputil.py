"""Small helpers every endpoint module shares: errors, path tails, headers, JSON bodies."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse

from .options import BadRequest, RequestHeaders

if TYPE_CHECKING:
    from .scheduler import Scheduler
    from .store import Store


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def scheduler_of(request: Request) -> Scheduler:
    return request.app.state.scheduler


def store_of(request: Request) -> Store:
    return request.app.state.store


def raw_tail(request: Request, prefix: str) -> str:
    """The path after `prefix`, as sent (a destination URL keeps its own escapes)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    return path[len(prefix):] if path.startswith(prefix) else unquote(path)


def destination_query(request: Request) -> str:
    """The query string that belongs to the destination: without `qstash_token` (the auth)."""
    query = request.url.query
    if "qstash_token" not in query:
        return query
    return "&".join(p for p in query.split("&") if not p.startswith("qstash_token="))


def headers_of(request: Request) -> RequestHeaders:
    return RequestHeaders(request.headers.items())


_NO_BODY = object()


async def json_body(request: Request, default: Any = _NO_BODY) -> Any:
    """The request's JSON body; `default` when empty (if given). BadRequest otherwise."""
    raw = await request.body()
    if not raw.strip() and default is not _NO_BODY:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        raise BadRequest("the body is not valid JSON") from None
