"""The DLQ and logs endpoints: list with every documented filter, get, delete, retry.

Bulk delete and retry select by `dlqIds` (repeated query parameters, as the JS SDK sends them,
or a JSON body `{"dlqIds": [...]}`), by filters, or everything (`count` per call, with a cursor).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .httputil import error, json_body, scheduler_of, store_of
from .model import MessageSpec
from .options import BadRequest, query_int
from .store import BadCursor, Filters

MAX_PAGE = 1000
LOG_PAGE = 1000  # QStash's default and cap for logs
DLQ_PAGE = 100  # ... and for DLQ listings and bulk calls
BULK_COUNT = 100
FILTERS = ("scheduleId", "messageId", "messageIds", "state", "url", "label", "topicName",
           "queueName", "flowControlKey", "callerIp", "host", "path", "responseStatus",
           "endpointName")


def filters_of(request: Request) -> Filters:
    q = request.query_params
    filters: Filters = {name: q.getlist(name) for name in FILTERS if name in q}
    if "urlGroup" in q:
        filters["topicName"] = q.getlist("urlGroup")
    for name in ("fromDate", "toDate"):
        value = query_int(q, name)
        if value is not None:
            filters[name] = [value]
    if "responseStatus" in filters:
        filters["responseStatus"] = [query_int({"responseStatus": v}, "responseStatus")
                                     for v in filters["responseStatus"]]
    return filters


# What else a bulk call may carry; anything unknown (a typo such as `labeel`) is refused
# rather than widening the selection to everything.
_BULK_PARAMS = {*FILTERS, "fromDate", "toDate", "count", "cursor", "dlqIds", "urlGroup",
                "qstash_token", "all"}


def bulk_filters(request: Request) -> Filters:
    unknown = sorted(set(request.query_params) - _BULK_PARAMS)
    if unknown:
        raise BadRequest(f"unknown filter {unknown[0]!r}")
    return filters_of(request)


def _count(request: Request, default: int, cap: int = MAX_PAGE) -> int:
    count = query_int(request.query_params, "count")
    return default if count is None else max(1, min(cap, count))


def _page(key: str, items: list[dict[str, Any]], cursor: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {key: items}
    if cursor:
        page["cursor"] = cursor
    return page


async def events(request: Request) -> Response:
    """`GET /v2/events` answers under `events` (what both SDKs read), `/v2/logs` under `logs`."""
    key = "logs" if request.url.path.endswith("/logs") else "events"
    try:
        found, cursor = store_of(request).events(filters_of(request),
                                                 request.query_params.get("cursor"),
                                                 _count(request, LOG_PAGE, LOG_PAGE))
    except (BadRequest, BadCursor) as exc:
        return error(400, str(exc))
    return JSONResponse(_page(key, found, cursor))


async def list_dlq(request: Request) -> Response:
    try:
        found, cursor = store_of(request).dlq(filters_of(request),
                                              request.query_params.get("cursor"),
                                              _count(request, DLQ_PAGE, DLQ_PAGE))
    except (BadRequest, BadCursor) as exc:
        return error(400, str(exc))
    return JSONResponse(_page("messages", found, cursor))


async def get_dlq(request: Request) -> Response:
    entry = store_of(request).get_dlq(request.path_params["dlq_id"])
    if entry is None:
        return error(404, f"DLQ message {request.path_params['dlq_id']} not found")
    return JSONResponse(entry)


async def delete_dlq(request: Request) -> Response:
    if not store_of(request).delete_dlq([request.path_params["dlq_id"]]):
        return error(404, f"DLQ message {request.path_params['dlq_id']} not found")
    return Response(status_code=200)


async def _selection(request: Request) -> tuple[list[dict[str, Any]], str | None]:
    """The DLQ entries a bulk call names, and the cursor for the rest."""
    data = await json_body(request, default={})
    if not isinstance(data, dict):
        raise BadRequest('expected a JSON body {"dlqIds": [...]}')
    ids = data.get("dlqIds", request.query_params.getlist("dlqIds"))
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequest("dlqIds must be a list of strings")
    store = store_of(request)
    bulk_filters(request)  # refuse a typo before anything is touched
    if ids:
        return [e for e in map(store.get_dlq, ids) if e is not None], None
    return store.dlq(bulk_filters(request), request.query_params.get("cursor"),
                     _count(request, BULK_COUNT))


async def delete_dlq_many(request: Request) -> Response:
    try:
        chosen, cursor = await _selection(request)
    except (BadRequest, BadCursor) as exc:
        return error(400, str(exc))
    deleted = store_of(request).delete_dlq(e["dlqId"] for e in chosen)
    return JSONResponse({"deleted": deleted, **({"cursor": cursor} if cursor else {})})


async def retry_dlq_many(request: Request) -> Response:
    try:
        chosen, cursor = await _selection(request)
    except (BadRequest, BadCursor) as exc:
        return error(400, str(exc))
    responses = [{"messageId": _retry(request, e)} for e in chosen]
    return JSONResponse({"responses": responses, **({"cursor": cursor} if cursor else {})})


async def retry_dlq(request: Request) -> Response:
    entry = store_of(request).get_dlq(request.path_params["dlq_id"])
    if entry is None:
        return error(404, f"DLQ message {request.path_params['dlq_id']} not found")
    return JSONResponse({"messageId": _retry(request, entry)})


def _retry(request: Request, entry: dict[str, Any]) -> str:
    """Publish the dead message again (a new message ID) and take it out of the DLQ."""
    spec = store_of(request).dlq_spec(entry["dlqId"]) or _spec_of(entry)
    message = scheduler_of(request).publish(spec, topic=entry.get("topicName"),
                                            endpoint=entry.get("endpointName"))
    store_of(request).delete_dlq([entry["dlqId"]])
    return message.message_id


def _spec_of(entry: dict[str, Any]) -> MessageSpec:
    """A dead letter's settings from its listing (an entry written before specs were kept)."""
    return MessageSpec(destination=entry["url"], method=entry.get("method", "POST"),
                       header=entry.get("header") or {}, body=entry.get("body", ""),
                       retries=entry.get("maxRetries", 3))
