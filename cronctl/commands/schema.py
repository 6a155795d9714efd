"""`cronctl schema [-o FILE] [--check]`: the JSON Schema of schedules.yaml."""

from __future__ import annotations

from pathlib import Path

from ..errors import ExitStatus
from ..fsutil import read_regular, write_atomic
from ..output import echo
from ..schema import render


def run(state, *, output: str | None, check: bool) -> int:
    text = render()
    if not output:
        echo(text.rstrip("\n"))
        return ExitStatus.OK
    path = Path(output)
    raw = read_regular(path)
    current = raw.decode("utf-8", errors="replace") if raw is not None else None
    if check:
        if current != text:
            echo(f"{path} is out of date; run 'cronctl schema -o {path}'", err=True)
            return ExitStatus.CHANGES
        echo(f"{path} is up to date")
        return ExitStatus.OK
    if current != text:
        write_atomic(path, text.encode())
        echo(f"wrote {path}")
    else:
        echo(f"{path} is up to date")
    return ExitStatus.OK
