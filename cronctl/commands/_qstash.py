"""What the QStash commands share: a client from the environment, and confirmation."""

from __future__ import annotations

import asyncio
import sys

from ..errors import UsageError
from ..output import echo


def client(state, *, concurrency: int | None = None, rate: float | None = None):
    """A client whose pacing adapts to the server (qstash/pacing.py); `concurrency` caps
    the requests in flight."""
    from ..qstash.client import QStashClient, credentials
    from ..qstash.pacing import DEFAULT_MAX
    from ..sync import DEFAULT_RATE

    url, token = credentials()

    def on_retry(path: str, why: str) -> None:
        if state.verbose >= 2:
            echo(f"retrying {path}: {why}", err=True)

    return QStashClient(url, token, concurrency=concurrency or DEFAULT_MAX,
                        rate=rate or DEFAULT_RATE,
                        on_retry=on_retry)


def confirm(question: str, *, yes: bool) -> bool:
    """--yes answers; a terminal is asked; with no terminal and no --yes, refuse (exit 2)."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "no terminal to confirm on",
            hint="pass --yes to apply without asking (as the CI step on deploy does), "
            "or --dry-run to only show the plan",
        )
    # On stderr, so stdout stays clean for --json; Ctrl-C raises KeyboardInterrupt (exit 130).
    sys.stderr.write(f"{question} [y/N]: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


# Each phase runs its own event loop, so that a confirmation prompt between them is asked
# outside of asyncio (where Ctrl-C could not interrupt a blocking read).


def fetch_plan(state, config, *, vercel_only_ok: bool = False, **kw):
    """(plan, requests made): one `GET /v2/schedules`, then the pure diff.

    With `vercel_only_ok`, a file without business jobs and no QSTASH_TOKEN skips QStash
    (an empty plan) instead of failing: a Vercel-only project needs no QStash account."""
    import os

    from ..plan import Plan
    from ..sync import build_plan

    if vercel_only_ok and not config.business_jobs and not os.environ.get("QSTASH_TOKEN"):
        echo("note: no business jobs and QSTASH_TOKEN is not set; QStash skipped", err=True)
        return Plan(config.project), 0

    async def go():
        async with client(state) as qstash:
            return await build_plan(config, qstash, **kw), qstash.requests

    return asyncio.run(go())


def apply_plan(state, plan, *, concurrency: int | None = None, on_done=None):
    """(result, requests made) of applying the plan."""
    from ..sync import apply

    async def go():
        async with client(state, concurrency=concurrency) as qstash:
            result = await apply(plan, qstash, on_done=on_done)
            return result, qstash.requests

    return asyncio.run(go())
