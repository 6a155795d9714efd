"""`cronctl ui`: the web dashboard (cronctl/ui/). Jinja2, Starlette and uvicorn are imported
only here, when the command runs."""

from __future__ import annotations

from pathlib import Path


def run(state, *, host: str, port: int, tokens_file: str | None, tls_cert: str | None,
        tls_key: str | None, insecure_public: bool, refresh: float, window: str,
        trigger_limit: int) -> int:
    from ..ui.server import UIOptions, serve

    opts = UIOptions(
        config_path=state.config_path().resolve(), host=host, port=port,
        tokens_file=Path(tokens_file) if tokens_file else None,
        tls_cert=Path(tls_cert) if tls_cert else None,
        tls_key=Path(tls_key) if tls_key else None, insecure_public=insecure_public,
        refresh=refresh, window=window, trigger_limit=trigger_limit, debug=state.debug)
    return serve(opts)
