"""Bounded HTTP with a server we do not trust: a bounded answer in bounded time.

- `Limits`: an overall deadline per client (one per command phase) and a cap on the size of an
  answer, from `CRONCTL_DEADLINE` (seconds, default 300) and `CRONCTL_MAX_RESPONSE` (bytes,
  default 32 MiB). A server that drips one byte at a time, or sends 100 MiB, is cut off.
- `fetch`: one request whose body is read in chunks up to the cap.
- `outgoing`: header values unwrapped from `Secret` (only here) and checked to be sendable.
- `tls_failure`: a certificate that cannot be verified (never retried).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import ProviderError
from .secrets import reveal


@dataclass(frozen=True)
class Limits:
    deadline: float = 300.0
    max_response: int = 32 << 20

    @classmethod
    def from_env(cls) -> Limits:
        """The run's knobs (environment.py: CRONCTL_DEADLINE, CRONCTL_MAX_RESPONSE)."""
        from .environment import current

        tuning = current().tuning
        return cls(deadline=tuning.deadline or cls.deadline,
                   max_response=tuning.max_response or cls.max_response)


class TooLarge(Exception):
    pass


async def fetch(http: httpx.AsyncClient, method: str, path: str, *, max_bytes: int,
                **kw: Any) -> httpx.Response:
    """Send, and read the answer's body up to `max_bytes` (decoded)."""
    request = http.build_request(method, path, **kw)
    response = await http.send(request, stream=True)
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(int(declared))
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(size)
            chunks.append(chunk)
    finally:
        await response.aclose()
    skip = {"content-encoding", "content-length", "transfer-encoding"}
    return httpx.Response(response.status_code,
                          headers=[(k, v) for k, v in response.headers.multi_items()
                                   if k.lower() not in skip],
                          content=b"".join(chunks), request=request)


def outgoing(headers: Mapping[str, Any] | None, where: str) -> dict[str, str]:
    """The headers to send, secrets revealed. A name or value HTTP cannot carry unchanged
    is an error for this request alone (the value is never shown)."""
    out: dict[str, str] = {}
    for name, value in (headers or {}).items():
        text = reveal(value)
        if not isinstance(text, str) or not all(0x20 <= ord(c) < 0x7F for c in name + text):
            raise ProviderError(
                f"{where}: header {name if name.isascii() and name.isprintable() else '?'!s} "
                "holds a character HTTP cannot send (a line break, tab or non-ASCII)",
                hint="run 'cronctl validate'; check the environment variable it comes from")
        out[name] = text
    return out


def tls_failure(exc: BaseException) -> str | None:
    """The reason, when `exc` is (or wraps) a TLS certificate failure."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or "certificate verify failed"
        if isinstance(seen, ssl.SSLError):
            return seen.reason or str(seen)
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    return "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in text else None
