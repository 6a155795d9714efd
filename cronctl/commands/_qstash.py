"""What the QStash commands share: a client from the environment, and confirmation."""

from __future__ import annotations

import sys

from ..errors import UsageError
from ..output import echo


def client(state, *, concurrency: int = 8, rate: float | None = None):
    from ..qstash.client import QStashClient, credentials
    from ..sync import DEFAULT_RATE

    url, token = credentials()

    def on_retry(path: str, why: str) -> None:
        if state.verbose >= 2:
            echo(f"retrying {path}: {why}", err=True)

    return QStashClient(url, token, concurrency=concurrency, rate=rate or DEFAULT_RATE,
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
    import typer

    return typer.confirm(question, default=False, err=True)
