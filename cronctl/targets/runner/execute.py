"""One run of a job: its attempts (HTTP call or command), retried with exponential backoff.

HTTP: `Authorization: Bearer $CRON_SECRET` (a Secret: never logged, never stored), the run ID
and scheduled time as headers (`X-Cronctl-Run-Id`, `X-Cronctl-Scheduled-At`,
`X-Cronctl-Attempt`), a 2xx answer is success. Command: the run ID and time as environment
variables (CRONCTL_RUN_ID, CRONCTL_SCHEDULED_AT), exit code 0 is success; on timeout SIGTERM to
its process group, then SIGKILL after the grace period. The result kept in the ledger is the
answer's JSON (or the tail of its text), or the tail of the command's output, with secrets
masked.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...environment import current
from ...secrets import Secret, reveal
from .job import RunJob, iso

TAIL = 4096  # bytes of output or answer kept in the ledger
MAX_BACKOFF = 3600


@dataclass
class Attempt:
    ok: bool
    outcome: str  # succeeded | failed | timeout | cancelled
    http_status: int | None = None
    exit_code: int | None = None
    result: str | None = None
    error: str | None = None


class Cancel:
    """Set to stop a run (overlap: replace, or the runner stopping)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.proc: subprocess.Popen | None = None
        self._on_stop: Callable[[], None] | None = None  # an HTTP request in flight

    def on_stop(self, fn: Callable[[], None] | None) -> None:
        self._on_stop = fn
        if fn is not None and self.event.is_set():
            fn()

    def set(self) -> None:
        self.event.set()
        if self.proc is not None and self.proc.poll() is None:
            _signal(self.proc, signal.SIGTERM)
        stop = self._on_stop
        if stop is not None:
            stop()


def mask(text: str | None, secrets: list[str]) -> str | None:
    if text is None:
        return None
    for value in secrets:
        if value:
            text = text.replace(value, "***")
    return text


def http_attempt(job: RunJob, run_id: str, scheduled_ms: int, attempt: int, *, client,
                 cron_secret: Secret | None, cancel: Cancel | None = None) -> Attempt:
    import http.client

    from .httpcall import Stopped

    headers = {k: str(reveal(v)) for k, v in job.headers.items()}
    headers.update({"X-Cronctl-Run-Id": run_id, "X-Cronctl-Scheduled-At": iso(scheduled_ms),
                    "X-Cronctl-Attempt": str(attempt), "User-Agent": "cronctl-runner"})
    if cron_secret:
        headers["Authorization"] = f"Bearer {cron_secret.reveal()}"
    body = job.body.encode() if job.body is not None else None
    if body is None and job.method in ("POST", "PUT", "PATCH"):
        body = b""
    try:
        status, content = client.request(job.method, job.url, headers, body, job.timeout,
                                         cancel=cancel)
    except TimeoutError:
        return Attempt(False, "timeout", error=f"no complete answer within {job.timeout}s "
                       "(timeout: one deadline for connect, headers and body)")
    except Stopped:
        return Attempt(False, "cancelled", error="stopped with its request in flight (the "
                       "runner stopping, or a newer run replacing it)")
    except ConnectionRefusedError:  # the app is not running (nothing listens there)
        return Attempt(False, "failed", error="connection refused")
    except (OSError, http.client.HTTPException) as exc:
        return Attempt(False, "failed", error=f"{type(exc).__name__}: {exc}")
    text = content[-TAIL:].decode("utf-8", "replace")
    try:
        result = json.dumps(json.loads(content), separators=(",", ":")) \
            if len(content) <= TAIL else text
    except ValueError:
        result = text or None
    ok = 200 <= status < 300
    return Attempt(ok, "succeeded" if ok else "failed", http_status=status,
                   result=result, error=None if ok else f"HTTP {status}")


def command_attempt(job: RunJob, run_id: str, scheduled_ms: int, attempt: int, *,
                    cancel: Cancel, kill_grace: float, base_dir: Path | None = None,
                    echo: bool = False, command: tuple[str, ...] | None = None,
                    inherit: bool = False, environ=None) -> Attempt:
    """`inherit`: `cronctl exec` (the caller's environment, without CRONCTL_*); else only
    the job's own (masking.command_env)."""
    from .masking import command_env, exec_env

    argv = list(command or job.command)
    run = {"CRONCTL_JOB": job.name, "CRONCTL_RUN_ID": run_id,
           "CRONCTL_SCHEDULED_AT": iso(scheduled_ms), "CRONCTL_ATTEMPT": str(attempt)}
    env = (exec_env if inherit else command_env)(
        job, current().vars if environ is None else environ, run)
    cwd = job.workdir
    if cwd and base_dir is not None and not Path(cwd).is_absolute():
        cwd = str(base_dir / cwd)
    if cancel.event.is_set():
        return Attempt(False, "cancelled", error="stopped: a newer run replaced it "
                       "(overlap: replace)")
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
    except OSError as exc:
        return Attempt(False, "failed", exit_code=127, error=f"cannot start {argv[0]!r}: "
                       f"{exc.strerror or exc}")
    cancel.proc = proc
    if cancel.event.is_set():  # stopped while it was starting
        _signal(proc, signal.SIGTERM)
    tail: collections.deque[bytes] = collections.deque()
    size = [0]

    def pump() -> None:
        for chunk in iter(lambda: proc.stdout.read1(65536), b""):
            if echo:
                sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
            tail.append(chunk)
            size[0] += len(chunk)
            while size[0] - len(tail[0]) >= TAIL:
                size[0] -= len(tail.popleft())

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout=job.timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _signal(proc, signal.SIGTERM)
    if timed_out or (cancel.event.is_set() and proc.poll() is None):
        try:
            proc.wait(timeout=kill_grace)
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL)
            proc.wait()
    reader.join(timeout=5)
    cancel.proc = None
    output = b"".join(tail)[-TAIL:].decode("utf-8", "replace") or None
    code = proc.returncode
    if timed_out:
        return Attempt(False, "timeout", exit_code=code, result=output,
                       error=f"timed out after {job.timeout}s (SIGTERM"
                       + (", then SIGKILL)" if code == -signal.SIGKILL else ")"))
    if cancel.event.is_set():
        return Attempt(False, "cancelled", exit_code=code, result=output,
                       error="stopped: a newer run replaced it (overlap: replace)")
    if code == 0:
        return Attempt(True, "succeeded", exit_code=0, result=output)
    why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
    return Attempt(False, "failed", exit_code=code, result=output, error=why)


def _signal(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def run_attempts(job: RunJob, one: Callable[[int], Attempt], *, cancel: Cancel,
                 on_attempt: Callable[[int], None] | None = None,
                 sleep: Callable[[float], bool] | None = None) -> tuple[Attempt, int]:
    """Attempt up to 1 + retries times; the wait doubles after each failure."""
    wait = sleep or (lambda s: not cancel.event.wait(s))
    attempt = 0
    while True:
        attempt += 1
        if on_attempt:
            on_attempt(attempt)
        result = one(attempt)
        if result.ok or result.outcome == "cancelled" or attempt > job.retries:
            return result, attempt
        delay = min(MAX_BACKOFF, job.retry_backoff * 2 ** (attempt - 1))
        if not wait(delay):
            return Attempt(False, "cancelled", result.http_status, result.exit_code,
                           result.result, "stopped while waiting to retry"), attempt


def monotonic_ms() -> int:
    return int(time.monotonic() * 1000)
