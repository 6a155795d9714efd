"""The runner's two processes: `cronctl run` (the scheduler in the foreground, with /healthz
and /metrics, until SIGTERM or Ctrl-C) and `cronctl exec JOB -- CMD` (one command under a job's
contract). The commands in cronctl/commands/ only pass their options here.

`cronctl exec`: run a command under a job's contract, wherever it runs
(a Kubernetes CronJob's container, a CI job, a crontab line): the job's lock and overlap
policy, the run recorded in the runner's ledger (start, end, exit code, duration, the tail
of the output), and the command's own exit code as cronctl's.

Exit codes: the command's; 124 when it timed out, 127 when it could not start, 128+N when a
signal N ended it, 75 (EX_TEMPFAIL) when the job is already running and its overlap policy is
forbid, 2 for a usage or configuration error.

Without a schedules.yaml (a container with only cronctl in it, as `kubernetes: {wrap: true}`
writes), `--overlap` and `--timeout` give the policy and CRONCTL_DATABASE_URL the ledger.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from ...errors import ConfigError, UsageError

BUSY = 75


# runs due within this many seconds are claimed ahead of their time (loop.Runner's lead): the
# tick's reading and the claim's durable write happen before the time, the runs start on it
LEAD = 1.0

def _teller(state):
    """The command's callback for notes (a target never prints itself)."""
    tell = getattr(state, "tell", None)
    return tell if tell is not None else (lambda text: print(text, file=sys.stderr))


def serve(state, *, listen: str | None, stuck_after: float, once: bool = False) -> int:
    """`cronctl run`."""
    tell = _teller(state)
    from . import server
    from .loop import Runner
    from .records import display_url

    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    path = state.config_path()
    runner = Runner(path, env=state.env, lead=LEAD)
    if any(j.kind == "http" for j in runner.jobs.values()) and not runner.worker.cron_secret:
        tell("note: CRON_SECRET is not set, so HTTP jobs are sent without Authorization")
    if not runner.jobs:
        tell(f"note: {path.name} has no target: runner jobs yet; the runner follows the file "
             "and starts them when they appear")
    where = listen if listen is not None else runner.settings.listen
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
        tell(f"cronctl run: {len(runner.jobs)} jobs, ledger {display_url(runner.ledger.url)}, "
             f"/healthz and /metrics on http://{bound_host}:{bound_port}")
    stop = threading.Event()
    if runner.settings.watch is not None:
        from .watch import Watch

        runner.watch = Watch(runner, state, runner.settings.watch)
        runner.watch.start(stop)
        tell(f"cronctl run: watching every job of {path.name} every "
             f"{runner.settings.watch.every}s")

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


def exec_command(state, job_name: str, command: list[str], *, overlap: str | None = None,
                 timeout: int | None = None) -> int:
    """`cronctl exec`."""
    tell = _teller(state)
    import logging
    from dataclasses import replace

    from .manual import Busy, job_for_exec, run_now, standalone_job

    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise UsageError("no command to run", hint=f"cronctl exec {job_name} -- CMD [ARGS...]")
    quiet = logging.getLogger("cronctl.runner")  # one line of its own below, not the log's
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    config = state.load() if state.optional_config_path() is not None else None
    if config is None:  # only cronctl in the container: the options say the policy
        job = standalone_job(job_name, tuple(command), overlap, timeout)
    else:
        job = job_for_exec(config, config.job(job_name), tuple(command))
        job = replace(job, overlap=overlap or job.overlap, timeout=timeout or job.timeout)
    try:
        row = run_now(config, job, triggered_by="exec", command=tuple(command), echo=True)
    except Busy as exc:
        tell(f"cronctl exec: {exc.message}")
        if exc.hint:
            tell(f"  hint: {exc.hint}")
        return BUSY
    if row.outcome == "timeout":
        code = 124
    elif row.exit_code is None:
        code = 1
    elif row.exit_code < 0:
        code = 128 - row.exit_code
    else:
        code = row.exit_code
    if row.outcome != "succeeded":
        tell(f"cronctl exec: {row.run_id} {row.outcome}: {row.error}")
    return code
