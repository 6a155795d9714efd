"""Terminal output, JSON, and the one place secrets are scrubbed from everything printed.

Rich is imported only when a table or colour is actually drawn. Colour follows rich's rules:
off for NO_COLOR, for a non-terminal stdout, and with --no-color.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any

MASK = "***"
_secrets: set[str] = set()
_no_color = False


def add_secrets(values: Iterable[str | None]) -> None:
    """Register values that must never be printed (tokens, CRON_SECRET, header values)."""
    for value in values:
        if value and len(value) >= 4:
            _secrets.add(value)


def register_env_secrets(environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    add_secrets(
        env.get(name)
        for name in (
            "QSTASH_TOKEN",
            "CRON_SECRET",
            "QSTASH_CURRENT_SIGNING_KEY",
            "QSTASH_NEXT_SIGNING_KEY",
            "VERCEL_TOKEN",
        )
    )


def redact(text: str) -> str:
    # Longest first, so a secret that contains another is masked whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def set_no_color(value: bool) -> None:
    global _no_color
    _no_color = value


def console(stderr: bool = False):
    from rich.console import Console

    plain = _no_color or bool(os.environ.get("NO_COLOR"))
    con = Console(
        stderr=stderr,
        no_color=plain or None,
        # no_color alone still draws bold and italic; plain means no escape sequences at all.
        color_system=None if plain else "auto",
        highlight=False,
        soft_wrap=False,
    )
    if not con.is_terminal and "COLUMNS" not in os.environ:
        con.width = 200  # piped output: do not wrap tables at 80 columns
    return con


def echo(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(redact(text) + "\n")
    stream.flush()


def print_json(data: Any) -> None:
    echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_renderable(renderable: Any, *, err: bool = False) -> None:
    """Render with rich to a string, scrub it, then write it."""
    con = console(stderr=err)
    with con.capture() as cap:
        con.print(renderable)
    stream = sys.stderr if err else sys.stdout
    stream.write(redact(cap.get()))
    stream.flush()

