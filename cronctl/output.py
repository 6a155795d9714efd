"""Terminal output, JSON, and the one place secrets are scrubbed from everything printed.

Rich is imported only when a table or colour is actually drawn. Colour follows rich's rules:
off for NO_COLOR, for a non-terminal stdout, and with --no-color.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from .environment import current
from .secrets import ENV_SECRETS, MASK, Scrubber, url_credentials

_scrubber = Scrubber()
_no_color = False

__all__ = ["MASK", "add_secrets", "echo", "print_json", "redact", "register_env_secrets"]


def add_secrets(values: Iterable[object]) -> None:
    """Register values that must never be printed (header values, interpolated secrets)."""
    _scrubber.add(values)


def register_env_secrets(environ: dict[str, str] | None = None) -> None:
    """Tokens and keys from the environment, and the credentials of QSTASH_URL and
    VERCEL_API_URL: always masked, however short."""
    env = current().vars if environ is None else environ
    _scrubber.add((env.get(name) for name in ENV_SECRETS), force=True)
    _scrubber.add(url_credentials(env.get("QSTASH_URL")), force=True)
    _scrubber.add(url_credentials(env.get("VERCEL_API_URL")), force=True)


def redact(text: str) -> str:
    return _scrubber.text(text)


# What may reach a terminal: text, newlines, tabs and colour (SGR) sequences, which are all rich
# draws. Any other control character or escape (a title change, a cursor move, a clear screen)
# is text from a file or a server, and is shown as '?'.
_UNSAFE = re.compile(r"\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f\x9b]")


def _safe(text: str) -> str:
    return _UNSAFE.sub("?", _scrubber.text(text))


def set_no_color(value: bool) -> None:
    global _no_color
    _no_color = value


def console(stderr: bool = False):
    from rich.console import Console

    plain = _no_color or bool(current().get("NO_COLOR"))
    con = Console(
        stderr=stderr,
        no_color=plain or None,
        # no_color alone still draws bold and italic; plain means no escape sequences at all.
        color_system=None if plain else "auto",
        highlight=False,
        soft_wrap=False,
    )
    if not con.is_terminal and "COLUMNS" not in current().vars:
        con.width = 200  # piped output: do not wrap tables at 80 columns
    return con


def echo(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(_safe(text) + "\n")
    stream.flush()


def print_json(data: Any) -> None:
    """Secrets are masked in values, never in keys: the JSON CI reads stays exact."""
    text = json.dumps(_scrubber.data(data), indent=2, ensure_ascii=False, default=str)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def print_renderable(renderable: Any, *, err: bool = False) -> None:
    """Render with rich to a string, scrub it, then write it."""
    con = console(stderr=err)
    with con.capture() as cap:
        con.print(renderable)
    stream = sys.stderr if err else sys.stdout
    stream.write(_safe(cap.get()))
    stream.flush()

