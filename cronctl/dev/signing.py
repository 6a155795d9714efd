"""`Upstash-Signature`: a JWT (HS256) as QStash signs every delivery.

The time claims use the real wall clock even when the server's clock is frozen, so a receiver
(e.g. `qstash.Receiver`) checking `nbf` and `exp` against its own clock accepts them.
"""

from __future__ import annotations

import base64
import hashlib
import time

import jwt

from .model import new_id

VALID_FOR_S = 300


def body_hash(body: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode().rstrip("=")


def sign(key: str, url: str, body: bytes, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": "Upstash",
        "sub": url,
        "body": body_hash(body),
        "iat": issued,
        "nbf": issued,
        "exp": issued + VALID_FOR_S,
        "jti": new_id("jwt"),
    }
    return jwt.encode(claims, key, algorithm="HS256")
