"""Running the app on uvicorn over a socket we bind ourselves (so port 0 reports its port)."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn

from .app import DevApp


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; raises OSError (e.g. the address is in use)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(dev: DevApp, **config: Any) -> uvicorn.Server:
    """A uvicorn server for the app: no uvicorn access log (the gate has its own)."""
    return uvicorn.Server(uvicorn.Config(
        dev.asgi, lifespan="on", access_log=False, log_level="warning",
        timeout_graceful_shutdown=3, **config))
