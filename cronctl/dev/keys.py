"""Signing keys (`/v2/keys`): the well-known pair until rotated; a rotation is kept in the store.

Rotating makes the next key current (deliveries are signed with it from then on) and draws a new
next key, as QStash does. The start-up banner keeps printing the well-known pair: an app that
rotates keys reads them from this endpoint.
"""

from __future__ import annotations

import secrets
import string

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY
from .httputil import scheduler_of, store_of
from .store import Store

KIND, NAME = "keys", "signing"
_ALPHABET = string.ascii_letters + string.digits


def signing_keys(store: Store) -> dict[str, str]:
    return store.get_object(KIND, NAME) or {"current": CURRENT_SIGNING_KEY,
                                             "next": NEXT_SIGNING_KEY}


async def get_keys(request: Request) -> Response:
    return JSONResponse(signing_keys(store_of(request)))


async def rotate_keys(request: Request) -> Response:
    store = store_of(request)
    keys = {"current": signing_keys(store)["next"],
            "next": "sig_" + "".join(secrets.choice(_ALPHABET) for _ in range(28))}
    store.put_object(KIND, NAME, keys)
    scheduler_of(request).deliverer.signing_key = keys["current"]
    return JSONResponse(keys)
