"""`cronctl dev`: run the local QStash-compatible server in the foreground.

Heavy imports (uvicorn, starlette, httpx) happen inside `run`, so CLI start-up stays fast.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import CronctlError, ExitStatus


@dataclass
class DevOptions:
    config_path: Path | None = None  # schedules.yaml (may be absent): its Vercel jobs fire too
    host: str = "127.0.0.1"
    port: int = 8080  # 0: any free port (the banner shows which)
    db: Path | None = None  # default: .cronctl/dev.sqlite3 beside the schedules file
    memory: bool = False
    app_url: str | None = None  # where infrastructure jobs fire (default: the file's base_url)
    fire: bool = True  # --no-fire: keep schedules, deliver nothing
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_seed: int | None = None
    access_log: bool = False
    max_schedules: int | None = None
    rate_limit: str | None = None  # "100" or "100/s": management requests per second and token
    clock: str = "wall"  # "wall", "frozen" or "frozen:<ISO time>"
    apply: bool = True  # apply schedules.yaml at start and on change (--no-apply: off)


def default_db_path(config_path: Path | None) -> Path:
    folder = config_path.parent if config_path is not None else Path.cwd()
    return folder / ".cronctl" / "dev.sqlite3"


def _usage_problem(opts: DevOptions) -> str | None:
    if opts.memory and opts.db is not None:
        return "--db and --memory cannot be used together"
    if opts.latency_ms < 0:
        return "--latency-ms cannot be negative"
    if not 0 <= opts.fault_rate <= 1:
        return "--fault-rate must be between 0 and 1 (e.g. 0.2)"
    if opts.max_schedules is not None and opts.max_schedules < 0:
        return "--max-schedules cannot be negative"
    if not 0 <= opts.port <= 65535:
        return "--port must be between 0 and 65535"
    if opts.app_url is not None:  # where deliveries go: checked as every URL dev is given
        from ..dev.urlcheck import BadURL, checked

        try:
            checked(opts.app_url, "--app-url")
        except BadURL as exc:
            return str(exc)
    return None


def run(opts: DevOptions) -> int:
    """Serve until Ctrl-C (exit 0). A port in use is a one-line error (exit 1)."""
    problem = _usage_problem(opts)
    if problem:
        return _fail(problem, ExitStatus.USAGE)

    from ..dev import default_cron_secret, env_for
    from ..dev.app import DevSettings, build_app
    from ..dev.autoapply import AutoApply
    from ..dev.ratelimit import parse_rate
    from ..dev.server import bind, make_server, url_of
    from ..dev.trust import new_key

    try:
        rate = parse_rate(opts.rate_limit) if opts.rate_limit else None
    except ValueError as exc:
        return _fail(str(exc), ExitStatus.USAGE)
    db = None if opts.memory else (opts.db or default_db_path(opts.config_path))
    has_file = opts.config_path is not None and opts.config_path.is_file()
    app_env = default_cron_secret() if has_file else {}
    auto = (AutoApply(opts.config_path, opts.app_url, apply=opts.apply, apply_file=_apply_file)
            if has_file else None)
    settings = DevSettings(
        db_path=db, clock=opts.clock, fire=opts.fire, latency_ms=opts.latency_ms,
        fault_rate=opts.fault_rate, fault_seed=opts.fault_seed,
        max_schedules=opts.max_schedules, rate_limit=rate, config_path=opts.config_path,
        app_url=opts.app_url, log=True, access_log=opts.access_log, follow=auto is not None,
        route=auto.route if auto else None, extra_routes=auto.routes() if auto else [],
        host=opts.host, control_key=new_key())
    try:
        sock = bind(opts.host, opts.port)
    except OSError as exc:
        return _fail(f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}",
                     ExitStatus.FAILED)
    try:
        try:
            dev = build_app(settings)
        except ValueError as exc:
            return _fail(str(exc), ExitStatus.USAGE)
        except CronctlError as exc:  # e.g. another cronctl dev holds the database
            return _fail(exc.render(), exc.exit_status)
        url = url_of(sock)
        notes = dev.notes + (["CRON_SECRET is not set: the jobs send cronctl dev's "
                              "development value (below; export CRON_SECRET to choose one)"]
                             if app_env else [])
        _banner(url, {**env_for(url), **app_env}, db, opts, notes)
        server = make_server(dev)
        announced = (_announce(url, opts, settings.control_key)
                     if opts.config_path is not None else None)
        if auto is not None:
            auto.start(url, server=server, vercel=dev.vercel, log_line=dev.log.line)
        try:
            # uvicorn re-raises SIGTERM once it has shut down: stop like Ctrl-C, so the state
            # file goes too.
            signal.signal(signal.SIGTERM, _interrupt)
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn shut down cleanly
                server.run(sockets=[sock])
        finally:
            if auto is not None:
                auto.stop()
            if announced is not None:
                from ..dev.discovery import remove_state
                from ..dev.trust import forget_key

                remove_state(announced, os.getpid())
                forget_key(settings.control_key or "")
        if not server.started:
            return _fail("the server did not start", ExitStatus.FAILED)
        sys.stdout.write("cronctl dev stopped.\n")
        return ExitStatus.OK
    finally:
        sock.close()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _announce(url: str, opts: DevOptions, key: str | None) -> Path | None:
    """The state file other commands discover this server by (dev/discovery.py): private,
    with this start's key, and only for a server on loopback (discovery reaches no other)."""
    from ..dev.discovery import DevInfo, folder_of, write_state
    from ..dev.trust import loopback_url, register_key

    if not loopback_url(url) or not key:
        sys.stderr.write(f"cronctl dev: note: commands will not find this server by "
                         f".cronctl/dev.json: {url} is not a loopback address\n")
        return None
    folder = folder_of(opts.config_path)
    clock = "wall" if opts.clock in ("", "wall") else "frozen"
    try:
        register_key(key)
        write_state(folder, DevInfo(url, os.getpid(), clock, opts.app_url,
                                    str(opts.config_path) if opts.config_path else None,
                                    key))
    except (OSError, CronctlError) as exc:
        reason = exc.render() if isinstance(exc, CronctlError) else str(exc)
        sys.stderr.write(f"cronctl dev: note: commands will not find this server: {reason}\n")
        return None
    return folder


def _banner(url: str, env: dict[str, str], db: Path | None, opts: DevOptions,
            notes: list[str]) -> None:
    state = "in memory (--memory)" if db is None else str(db)
    clock = "wall clock" if opts.clock in ("", "wall") else opts.clock
    lines = [f"cronctl dev: a local QStash at {url}",
             f"  state: {state}; clock: {clock}" + ("; not firing (--no-fire)"
                                                   if not opts.fire else "")]
    if opts.rate_limit:
        lines.append(f"  rate limit: {opts.rate_limit.strip()} per token on the management API "
                     "(429 past it)")
    lines += [f"  {note}" for note in notes]
    if opts.config_path is not None:
        lines += [f"  commands in {opts.config_path.parent} find this server (.cronctl/dev.json)"
                  " while neither QSTASH_URL nor QSTASH_TOKEN is set"]
    if not _loopback(opts.host):
        lines += [f"  warning: listening on {opts.host}, beyond this machine. Its token is public "
                  "(the same in every cronctl dev): anyone who can reach this port can read and "
                  "change its schedules. Use --host 127.0.0.1 unless you mean it."]
    lines += ["", "# the environment an app needs:"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    lines += ["", "Ctrl-C stops the server.", ""]
    # Plain writes: the banner must show the (well-known, local-only) token, which the
    # secret-scrubbing `output.echo` would mask.
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def _fail(message: str, status: ExitStatus) -> int:
    sys.stderr.write(f"cronctl dev: {message}\n")
    return int(status)


def _apply_file(path: Path, env: dict, qstash: tuple[str, str]) -> int:
    """`cronctl schedule --yes --force` of the QStash jobs against the running server (what
    `cronctl dev` does when the file changes); errors become its log line, not a crash."""
    from .. import engine, present
    from ..app import State, run_guarded

    state = State(config=str(path), env=env, qstash=qstash)
    return run_guarded(lambda: present.sync(state, engine.Options(
        "schedule", yes=True, force=True, only_targets=("qstash",))), debug=False)
