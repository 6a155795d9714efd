"""Messages: publish (to a URL or a URL group), enqueue, batch, get and cancel.

A publish answers `{"messageId"}` (a URL group: one `{"messageId", "url"}` per endpoint), with
`"deduplicated": true` when `Upstash-Deduplication-Id` or content-based deduplication matched a
message accepted in the last ten minutes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .dlq import bulk_filters
from .httputil import destination_query, error, headers_of, json_body, raw_tail, scheduler_of
from .model import CALLER_IP, Message, MessageSpec
from .options import (
    BadRequest,
    RequestHeaders,
    destination,
    group_name,
    is_url,
    message_spec,
    not_before_ms,
    query_int,
    queue_name,
)
from .store import Filters
from .topics import Topics

DEDUP_WINDOW_MS = 10 * 60 * 1000
DEDUP_PRUNE_AT = 10_000  # entries kept before expired ones are dropped


class NotFound(Exception):
    pass


def _dedup_key(headers: RequestHeaders, target: str, body: bytes) -> str | None:
    explicit = (headers.get("Upstash-Deduplication-Id") or "").strip()
    if explicit:
        return f"id:{target}:{explicit}"
    if (headers.get("Upstash-Content-Based-Deduplication") or "").strip().lower() == "true":
        digest = hashlib.sha256()
        for part in (target, headers.get("Upstash-Method") or "POST", body,
                     json.dumps(sorted(headers.forwarded().items()))):
            digest.update(part if isinstance(part, bytes) else part.encode())
        return "content:" + digest.hexdigest()
    return None


def publish_one(request: Request, target: str, headers: RequestHeaders, body: bytes,
                queue: str | None = None) -> Any:
    """Accept one message for a URL or a URL group; the JSON answer for it."""
    sched = scheduler_of(request)
    now = sched.clock.now_ms()
    dedup = _dedup_key(headers, target, body)
    seen: dict[str, tuple[Any, int]] = request.app.state.dedup
    if dedup is not None and dedup in seen and seen[dedup][1] > now:
        answer = seen[dedup][0]
        return ([{**a, "deduplicated": True} for a in answer] if isinstance(answer, list)
                else {**answer, "deduplicated": True})
    not_before = not_before_ms(headers)
    if is_url(target):
        spec = message_spec(destination(target), headers, body)
        spec = _with_queue(spec, queue)
        message = sched.publish(spec, not_before_ms=not_before)
        answer: Any = {"messageId": message.message_id}
    else:
        group = Topics(sched.store).get(group_name(target))
        if group is None or not group["endpoints"]:
            raise NotFound(f"url group {target} not found")
        answer = []
        for endpoint in group["endpoints"]:
            spec = _with_queue(message_spec(endpoint["url"], headers, body), queue)
            message = sched.publish(spec, not_before_ms=not_before, topic=target,
                                    endpoint=endpoint.get("name") or None)
            answer.append({"messageId": message.message_id, "url": endpoint["url"]})
    if dedup is not None:
        if len(seen) >= DEDUP_PRUNE_AT:
            for key in [k for k, (_, until) in seen.items() if until <= now]:
                del seen[key]
        seen[dedup] = (answer, now + DEDUP_WINDOW_MS)
    return answer


def _with_queue(spec: MessageSpec, queue: str | None) -> MessageSpec:
    if queue is None:
        return spec
    from dataclasses import replace
    return replace(spec, queue=queue)


async def publish(request: Request) -> Response:
    return await _accept(request, raw_tail(request, "/v2/publish/"), None)


async def enqueue(request: Request) -> Response:
    queue, _, target = raw_tail(request, "/v2/enqueue/").partition("/")
    try:
        name = queue_name(queue)
    except BadRequest as exc:
        return error(400, str(exc))
    if name is None or not target:
        return error(400, "expected /v2/enqueue/<queue>/<destination>")
    return await _accept(request, target, name)


async def _accept(request: Request, target: str, queue: str | None) -> Response:
    query = destination_query(request)
    if query and is_url(target):
        target += f"?{query}"
    try:
        answer = publish_one(request, target, headers_of(request), await request.body(), queue)
    except BadRequest as exc:
        return error(400, str(exc))
    except NotFound as exc:
        return error(404, str(exc))
    return JSONResponse(answer)


async def batch(request: Request) -> Response:
    try:
        items = await json_body(request)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise BadRequest("expected a JSON array of messages")
        prepared = [_batch_item(i, n) for n, i in enumerate(items)]
        answers = [publish_one(request, target, headers, body, queue)
                   for target, headers, body, queue in prepared]
    except BadRequest as exc:
        return error(400, str(exc))
    except NotFound as exc:
        return error(404, str(exc))
    return JSONResponse(answers)


def _batch_item(item: dict[str, Any], n: int
                ) -> tuple[str, RequestHeaders, bytes, str | None]:
    target = item.get("destination")
    if not isinstance(target, str) or not target:
        raise BadRequest(f"message {n}: destination is required")
    headers = item.get("headers") or {}
    if not isinstance(headers, dict):
        raise BadRequest(f"message {n}: headers must be an object")
    pairs = [(str(k), str(x)) for k, v in headers.items()
             for x in (v if isinstance(v, list) else [v])]
    body = item.get("body")
    if body is not None and not isinstance(body, str):
        raise BadRequest(f"message {n}: body must be a string")
    queue = item.get("queue")
    if queue is not None and not isinstance(queue, str):
        raise BadRequest(f"message {n}: queue must be a string")
    return target, RequestHeaders(pairs), (body or "").encode(), queue_name(queue)


async def get_message(request: Request) -> Response:
    message = scheduler_of(request).pending.get(request.path_params["id"])
    if message is None:
        return error(404, f"message {request.path_params['id']} not found")
    return JSONResponse(message.to_api())


async def cancel_message(request: Request) -> Response:
    if not scheduler_of(request).cancel(request.path_params["id"]):
        return error(404, f"message {request.path_params['id']} not found")
    return JSONResponse({"cancelled": 1})  # the JS SDK reads the count


async def cancel_many(request: Request) -> Response:
    """Cancel by `messageIds` (JSON body or repeated query parameters), by filters (`label`,
    `url`, `host`, `path`, `flowControlKey`, ...; repeated values OR-ed), or all; at most
    `count` (oldest first) when given."""
    sched = scheduler_of(request)
    try:
        data = await json_body(request, default={})
        if not isinstance(data, dict):
            raise BadRequest('expected a JSON body {"messageIds": [...]}')
        ids = data.get("messageIds") or request.query_params.getlist("messageIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise BadRequest("messageIds must be a list of strings")
        filters = bulk_filters(request)
        count = query_int(request.query_params, "count")
    except BadRequest as exc:
        return error(400, str(exc))
    chosen = ids or [m.message_id for m in sorted(sched.pending.values(),
                                                  key=lambda m: m.created_ms)
                     if _matches(m, filters)]
    if count is not None and count > 0:
        chosen = chosen[:count]
    return JSONResponse({"cancelled": sum(sched.cancel(i) for i in chosen)})


def _matches(message: Message, filters: Filters) -> bool:
    spec = message.spec
    parts = urlsplit(spec.destination)
    fields: dict[str, Any] = {
        "url": [spec.destination], "host": [parts.hostname], "path": [parts.path or "/"],
        "flowControlKey": [spec.flow_key], "label": list(spec.labels),
        "queueName": [spec.queue], "topicName": [message.topic],
        "endpointName": [message.endpoint], "scheduleId": [message.schedule_id],
        "messageId": [message.message_id], "callerIp": [CALLER_IP],
    }
    for name, wanted in filters.items():
        if name == "fromDate" and message.created_ms < wanted[0]:
            return False
        if name == "toDate" and message.created_ms > wanted[0]:
            return False
        if name in fields and not set(map(str, wanted)) & set(map(str, fields[name])):
            return False
    return True
