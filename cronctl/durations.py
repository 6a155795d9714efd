"""Durations as schedules.yaml writes them (`30`, `30s`, `5m`, `1h`, `2d`), in whole seconds.

Neutral ground: the config layer, the targets, the commands and `cronctl dev` all read them.
"""

from __future__ import annotations

import re
from typing import Any

DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any) -> int:
    """`30`, `"30s"`, `"5m"`, `"1h"`, `"2d"` -> whole seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 30s, 5m or 1h")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    if isinstance(value, str):
        m = DURATION.match(value)
        if m:
            seconds = int(m.group(1)) * _UNITS[m.group(2)]
            if seconds != int(seconds):
                raise ValueError("durations are whole seconds")
            return int(seconds)
    raise ValueError("expected a duration like 30s, 5m or 1h")


def parse_since(text: str):
    """`--since 24h`: a window back from now, as a timedelta (exit 2 when it is not one)."""
    from datetime import timedelta

    from .errors import UsageError

    try:
        return timedelta(seconds=parse_duration(text))
    except (ValueError, OverflowError):
        raise UsageError(f"--since {text!r} is not a duration",
                         hint="e.g. --since 24h, --since 90m, --since 7d") from None
