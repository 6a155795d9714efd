"""Serving `cronctl ui`: the options, the host rule and uvicorn.

A `--host` other than loopback is refused unless the page is served over TLS (`--tls-cert`,
`--tls-key`) or `--insecure-public` says the operator knows (e.g. a TLS proxy in front).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError


@dataclass
class UIOptions:
    config_path: Path
    host: str = "127.0.0.1"
    port: int = 8790
    tokens_file: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    insecure_public: bool = False
    refresh: float = 15.0  # seconds a read of the targets is reused
    window: str = "24h"  # the runs the jobs page summarises
    trigger_limit: int = 5  # manual runs per user per minute
    debug: bool = False


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(opts: UIOptions) -> None:
    if bool(opts.tls_cert) != bool(opts.tls_key):
        raise UsageError("--tls-cert and --tls-key go together",
                         hint="give both files, or neither")
    if is_loopback(opts.host) or opts.tls_cert or opts.insecure_public:
        return
    raise UsageError(
        f"--host {opts.host} would serve the dashboard (and its login tokens) to the network "
        "without TLS",
        hint="give --tls-cert and --tls-key, or put a TLS proxy in front and pass "
        "--insecure-public; or keep the default --host 127.0.0.1")


def make(opts: UIOptions, env: dict[str, str] | None = None):
    """The ASGI app and what it serves, from the options (no socket yet)."""
    from ..durations import parse_since
    from ..environment import current
    from .app import build
    from .audit import Audit
    from .auth import Auth, load_tokens
    from .board import Board
    from .web import UI

    check_host(opts)
    tokens = load_tokens(dict(current().vars if env is None else env), opts.tokens_file)
    from ..output import add_secrets

    add_secrets(tokens)  # never printed, whatever happens
    window = int(parse_since(opts.window).total_seconds())
    board = Board(opts.config_path, ttl=opts.refresh, window_s=window, debug=opts.debug)
    board.config()  # a broken file is one clear error now, not a page later
    audit = Audit(opts.config_path.parent)
    audit.prune()  # the seed's retention: 90 days
    ui = UI(board=board, auth=Auth(tokens, trigger_limit=opts.trigger_limit),
            audit=audit, secure=bool(opts.tls_cert),
            poll_s=max(2.0, min(opts.refresh, 30.0)), debug=opts.debug)
    return build(ui), ui


def serve(opts: UIOptions) -> int:
    import uvicorn

    from ..dev.server import bind, url_of
    from ..output import echo

    app, ui = make(opts)
    ui.board.warm()  # the targets are read while the server starts
    try:
        sock = bind(opts.host, opts.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}",
                         hint="choose another --port (0: any free port)") from None
    url = url_of(sock).replace("http://", "https://" if opts.tls_cert else "http://")
    echo(f"cronctl ui: serving {opts.config_path.name} at {url}/")
    echo("Sign in with a token of CRONCTL_UI_TOKENS. Ctrl-C stops the server.")
    server = uvicorn.Server(uvicorn.Config(
        app, lifespan="off", access_log=False, log_level="warning",
        ssl_certfile=str(opts.tls_cert) if opts.tls_cert else None,
        ssl_keyfile=str(opts.tls_key) if opts.tls_key else None,
        timeout_graceful_shutdown=2))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
