"""A run started by hand, in this process: `cronctl trigger` (a runner job, triggered_by
manual) and `cronctl exec JOB -- CMD` (any job's command, triggered_by exec). Both take the
job's lock the same way the scheduler does: a claimed row with a lease renewed while it runs,
and the job's overlap policy against the runs already in the ledger."""

from __future__ import annotations

import getpass
import os
import threading
import time
from dataclasses import replace

from ...environment import current
from ...errors import CronctlError
from .execute import Cancel
from .job import RunJob, resolve
from .ledger import Ledger
from .masking import LedgerMask
from .model import RunnerSettings, settings_of
from .records import Execution, database_url
from .worker import Worker


class Busy(CronctlError):
    """The job is running elsewhere and its overlap policy is forbid."""


def mask_for(config) -> LedgerMask:
    """What the ledger masks: the file's secrets and the environment's."""
    return LedgerMask(config, current().vars)


def ledger_for(config) -> Ledger:
    return Ledger(database_url(settings_of(config), config.path), mask_for(config))


def user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def job_for_exec(config, job, command: tuple[str, ...]) -> RunJob:
    """Any job of the file, running this command: a runner job keeps its own settings
    (overlap, timeout, notify); another target's job runs with `forbid` and no timeout unless
    `--overlap`/`--timeout` say otherwise."""
    if job.target == "runner":
        return replace(resolve(config, job), kind="command", command=command, retries=0)
    return standalone_job(job.name, command, None, None)


def standalone_job(name: str, command: tuple[str, ...], overlap: str | None,
                   timeout: int | None) -> RunJob:
    """`cronctl exec` with no schedules.yaml (a container that has only cronctl)."""
    return RunJob(name=name, schedule="", timezone="UTC", enabled=True, kind="command",
                  command=command, timeout=timeout or 10 * 365 * 86400,
                  overlap=overlap or "forbid")


def run_now(config, job: RunJob, *, triggered_by: str, command: tuple[str, ...] | None = None,
            echo: bool = False, ledger: Ledger | None = None,
            on_claimed=None) -> Execution:
    """Claim a row for now and run it to its end (the lease renewed meanwhile). `config` may
    be None (`cronctl exec` without a file: CRONCTL_DATABASE_URL or the default SQLite)."""
    own = ledger is None
    ledger = ledger or (ledger_for(config) if config is not None
                        else Ledger(database_url(None, None), LedgerMask(None, current().vars)))
    settings = settings_of(config) if config is not None else RunnerSettings()
    worker = Worker(ledger, replica=f"{triggered_by}-{os.getpid()}", echo=echo,
                    cron_secret=current().get("CRON_SECRET"), lease_s=settings.lease,
                    kill_grace=settings.kill_grace,
                    base_dir=config.path.parent if config is not None else None)
    try:
        now = worker.now_ms()
        ledger.expire(now)
        running = ledger.running(job.name, now)
        if running and job.overlap == "forbid":
            r = running[0]
            raise Busy(f"{job.name} is already running ({r.run_id}, {r.triggered_by}"
                       f"{', on ' + r.replica if r.replica else ''}); its overlap policy is "
                       "forbid", hint=f"wait for it ('cronctl logs {job.name}'), or set "
                       "overlap: allow or replace")
        if running and job.overlap == "replace":
            ledger.request_cancel([r.run_id for r in running])
        row = worker.row(job, now, triggered_by=triggered_by, user=user())
        while not ledger.claim([row]):  # the same millisecond twice: take the next one
            now += 1
            row = worker.row(job, now, triggered_by=triggered_by, user=user())
        if on_claimed:
            on_claimed(row)
        cancel = Cancel()
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(max(1.0, worker.lease_s / 3)):
                worker.heartbeat()

        beat = threading.Thread(target=renew, daemon=True)
        beat.start()
        try:
            return worker.execute(job, row, cancel, command=command)
        finally:
            stop.set()
            beat.join(timeout=5)
    finally:
        worker.close()
        if own:
            ledger.close()


def wait_for(ledger: Ledger, run_id: str, timeout: float) -> Execution | None:
    deadline = time.monotonic() + timeout
    while True:
        row = ledger.get(run_id)
        if row is None or row.outcome != "running" or time.monotonic() > deadline:
            return row
        time.sleep(0.2)
