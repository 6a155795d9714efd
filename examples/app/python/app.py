"""The app's side of cronctl, in Python: one route receives every job of schedules.yaml and
checks who sent it before doing any work.

    pip install qstash starlette uvicorn        # FastAPI is Starlette: the route is the same
    uvicorn app:app --port 3000

- QStash (business jobs) signs each delivery with `Upstash-Signature`; the official `qstash`
  SDK's Receiver checks it against QSTASH_CURRENT_SIGNING_KEY / QSTASH_NEXT_SIGNING_KEY (the
  Upstash console's, or the two `cronctl dev` prints).
- Vercel Cron (infrastructure jobs) and cronctl's runner send `Authorization: Bearer
  $CRON_SECRET`; compared in constant time.

Anything else is answered 401 and does nothing. Tested against a real `cronctl dev`
(tests/dev/test_app_side.py); docs/app-side.md explains the variables.
"""

from __future__ import annotations

import hmac
import os

from qstash import Receiver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


def sender(request: Request, body: bytes) -> str | None:
    """Who sent this request ("qstash" or "bearer"), or None when it proves nothing."""
    signature = request.headers.get("upstash-signature")
    if signature:
        receiver = Receiver(current_signing_key=os.environ["QSTASH_CURRENT_SIGNING_KEY"],
                            next_signing_key=os.environ["QSTASH_NEXT_SIGNING_KEY"])
        try:
            receiver.verify(signature=signature, body=body.decode())
        except Exception:  # a bad or expired signature, or a body that was changed
            return None
        return "qstash"
    secret = os.environ.get("CRON_SECRET", "")
    given = request.headers.get("authorization", "")
    if secret and hmac.compare_digest(given.encode(), f"Bearer {secret}".encode()):
        return "bearer"
    return None


async def cron(request: Request) -> PlainTextResponse | JSONResponse:
    body = await request.body()
    by = sender(request, body)
    if by is None:
        return PlainTextResponse("unauthorized", status_code=401)
    job = request.path_params["job"]
    # ... the job's work goes here (answer 2xx only once it is done: QStash retries otherwise)
    return JSONResponse({"job": job, "ok": True, "by": by})


app = Starlette(routes=[Route("/api/cron/{job}", cron, methods=["GET", "POST"])])
