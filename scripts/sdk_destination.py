"""A loopback stand-in for the public hosts the QStash SDK suites deliver to (a developer tool).

It answers like mock.httpstatus.io / httpbin.org: the last path segment that is a status code
(`/200`, `/status/500`) is the status; `?sleep=<ms>` waits first (capped at 30 s); anything else
is 200 with the request echoed as JSON. Every answer takes LATENCY_MS (default 300 ms), as a
public host across the internet would: the suites read a message back right after publishing it,
which a destination answering in microseconds would make impossible (the message is already
delivered and gone). Usage: python scripts/sdk_destination.py PORT
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from http import HTTPStatus
from urllib.parse import parse_qs

import uvicorn

LATENCY_S = int(os.environ.get("LATENCY_MS", "300")) / 1000
_STATUS = re.compile(r"/([1-5][0-9][0-9])/?$")


async def app(scope, receive, send):  # noqa: ANN001, ANN201 - a bare ASGI app
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    query = parse_qs(scope.get("query_string", b"").decode())
    match = _STATUS.search(scope["path"])
    status = int(match.group(1)) if match else 200
    sleep_ms = int((query.get("sleep") or ["0"])[0] or 0)
    await asyncio.sleep(LATENCY_S + min(sleep_ms, 30_000) / 1000)
    if match:  # like mock.httpstatus.io: "404 Not Found"
        text, kind = f"{status} {HTTPStatus(status).phrase}".encode(), b"text/plain"
    else:
        text = json.dumps({"method": scope["method"], "path": scope["path"],
                           "body": body.decode("utf-8", "replace")}).encode()
        kind = b"application/json"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind),
                            (b"content-length", str(len(text)).encode())]})
    await send({"type": "http.response.body", "body": text})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                lifespan="off")
