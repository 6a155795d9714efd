"""`cronctl run`: the runner, in the foreground until SIGTERM or Ctrl-C.

It schedules the file's `target: runner` jobs, follows edits of the file, and serves /healthz
and /metrics. The work is the runner target's (cronctl/targets/runner/loop.py)."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from ..errors import ConfigError
from ..output import echo


def run(state, *, listen: str | None, stuck_after: float, once: bool = False) -> int:
    from ..targets.runner import server
    from ..targets.runner.loop import Runner
    from ..targets.runner.records import display_url

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    path = state.config_path()
    runner = Runner(path, env=state.env)
    if any(j.kind == "http" for j in runner.jobs.values()) and not runner.worker.cron_secret:
        echo("note: CRON_SECRET is not set, so HTTP jobs are sent without Authorization",
             err=True)
    if not runner.jobs:
        echo(f"note: {path.name} has no target: runner jobs yet; the runner follows the file "
             "and starts them when they appear", err=True)
    where = listen if listen is not None else (runner.settings.listen if runner.settings
                                               else "127.0.0.1:9464")
    http = None
    if where:
        try:
            host, port = server.parse_listen(where)
            http = server.serve(runner, host, port, stuck_after=stuck_after)
        except (OSError, ValueError) as exc:
            runner.shutdown(grace=0)
            raise ConfigError(f"cannot serve /healthz on {where!r}: {exc}",
                              hint="choose another runner.listen (or --listen)") from None
        bound_host, bound_port = http.server_address[:2]
        echo(f"cronctl run: {len(runner.jobs)} jobs, ledger {display_url(runner.ledger.url)}, "
             f"/healthz and /metrics on http://{bound_host}:{bound_port}", err=True)
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        logging.getLogger("cronctl.runner").info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if once:
            runner.tick()
            runner.wait_idle(timeout=86400)
        else:
            runner.serve(stop)
    finally:
        runner.shutdown()
        if http is not None:
            http.shutdown()
    return 0
