"""Bounded HTTP with a server we do not trust: a bounded answer in bounded time.

- `Limits`: the overall deadline of a command phase (deadlines.py: 60 s for everything a command
  reads, 300 s for changes; `CRONCTL_DEADLINE`) and a cap on the size of an answer
  (`CRONCTL_MAX_RESPONSE`, bytes, default 32 MiB). A server that drips one byte at a time, or
  sends 100 MiB, is cut off.
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

from . import deadlines
from .errors import ProviderError
from .secrets import reveal


@dataclass(frozen=True)
class Limits:
    deadline: float = deadlines.READ_S  # the overall deadline, as messages name it
    max_response: int = 32 << 20
    phase: str = "read"  # "read", "write" or "wait" (deadlines.py)
    budget: float | None = None  # what this phase may still take (default: `deadline`)

    @classmethod
    def from_env(cls, phase: str = "read", *, extra: float = 0.0) -> Limits:
        """The limits of one phase of a command; `extra` seconds on top (trigger --wait)."""
        from .environment import current

        size = current().tuning.max_response  # CRONCTL_MAX_RESPONSE (environment.py)
        return cls(deadline=deadlines.named(phase) + extra,
                   max_response=size or cls.max_response, phase=phase,
                   budget=deadlines.budget(phase) + extra)

    @property
    def left(self) -> float:
        return self.deadline if self.budget is None else self.budget

    def spent(self, seconds: float) -> None:
        deadlines.spend(self.phase, seconds)

    def exceeded(self, who: str, cut: str, check: str) -> ProviderError:
        """The error of a phase past its deadline: which, and how to allow longer."""
        return ProviderError(f"{who} did not finish within {self.deadline:g} s "
                             f"({deadlines.what(self.phase)}; {cut} was cut off)",
                             hint=f"{check}; {deadlines.HINT}")


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


def fetch_sync(method: str, url: str, *, limits: Limits, timeout: float = 30.0,
               trust_env: bool = True, **kw: Any) -> httpx.Response:
    """One request from synchronous code (the Vercel API, an app's URL): `fetch` under one
    clock for the whole exchange (connect, headers, body), so a server that drips its headers
    or its body is cut off at the phase's deadline. Raises TooLarge, TimeoutError (the deadline)
    or httpx.HTTPError; redirects are not followed."""
    import asyncio
    import time

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(timeout=min(timeout, max(limits.left, 0.001)),
                                     trust_env=trust_env) as http:
            async with asyncio.timeout(limits.left):
                return await fetch(http, method, url, max_bytes=limits.max_response, **kw)

    started = time.monotonic()
    try:
        if limits.left <= 0:
            raise TimeoutError
        return asyncio.run(go())
    finally:
        limits.spent(time.monotonic() - started)


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
