"""URL groups (`/v2/topics`): named lists of endpoints a publish fans out to. Kept in the store."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .httputil import error, json_body, scheduler_of, store_of
from .options import NAME, BadRequest, destination
from .store import Store

KIND = "topic"


class Topics:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, name: str) -> dict[str, Any] | None:
        return self.store.get_object(KIND, name)


def _endpoints(data: Any) -> list[dict[str, str]]:
    if not isinstance(data, dict) or not isinstance(data.get("endpoints"), list):
        raise BadRequest('expected a JSON body {"endpoints": [{"name": ..., "url": ...}]}')
    out = []
    for item in data["endpoints"]:
        if not isinstance(item, dict):
            raise BadRequest("each endpoint must be an object with a url (and a name)")
        name, url = item.get("name"), item.get("url")
        if name is not None and (not isinstance(name, str) or not NAME.match(name)):
            raise BadRequest(f"invalid endpoint name {name!r}")
        if url is not None and not isinstance(url, str):
            raise BadRequest("an endpoint's url must be a string")
        out.append({k: v for k, v in (("name", name), ("url", url)) if v})
    return out


def _name(request: Request) -> str:
    name = request.path_params["name"]
    if not NAME.match(name):
        raise BadRequest(f"invalid url group name {name!r}: "
                         "use letters, digits, '-', '_' and '.' only")
    return name


async def add_endpoints(request: Request) -> Response:
    try:
        name = _name(request)
        endpoints = _endpoints(await json_body(request))
        for e in endpoints:
            if "url" not in e:
                raise BadRequest("each endpoint needs a url")
            destination(e["url"])
    except BadRequest as exc:
        return error(400, str(exc))
    store, now = store_of(request), scheduler_of(request).clock.now_ms()
    group = store.get_object(KIND, name) or {"name": name, "createdAt": now, "endpoints": []}
    known = {e["url"] for e in group["endpoints"]}
    group["endpoints"] += [e for e in endpoints if e["url"] not in known]
    group["updatedAt"] = now
    store.put_object(KIND, name, group)
    return Response(status_code=200)


async def remove_endpoints(request: Request) -> Response:
    try:
        name = _name(request)
        gone = _endpoints(await json_body(request))
        for e in gone:
            if "url" in e:
                destination(e["url"])  # a malformed URL cannot be in a group: a 400
    except BadRequest as exc:
        return error(400, str(exc))
    store = store_of(request)
    group = store.get_object(KIND, name)
    if group is None:
        return error(404, f"url group {name} not found")
    urls = {e["url"] for e in gone if "url" in e}
    names = {e["name"] for e in gone if "name" in e}
    group["endpoints"] = [e for e in group["endpoints"]
                          if e["url"] not in urls and e.get("name") not in names]
    group["updatedAt"] = scheduler_of(request).clock.now_ms()
    if group["endpoints"]:
        store.put_object(KIND, name, group)
    else:
        store.delete_object(KIND, name)  # QStash removes a group with no endpoints left
    return Response(status_code=200)


async def get_topic(request: Request) -> Response:
    group = store_of(request).get_object(KIND, request.path_params["name"])
    if group is None:
        return error(404, f"url group {request.path_params['name']} not found")
    return JSONResponse(group)


async def list_topics(request: Request) -> Response:
    return JSONResponse(store_of(request).objects(KIND))


async def delete_topic(request: Request) -> Response:
    """Deleting a group that does not exist succeeds, as on QStash (the SDK suites rely on it)."""
    store_of(request).delete_object(KIND, request.path_params["name"])
    return Response(status_code=200)
