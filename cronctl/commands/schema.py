"""`cronctl schema [-o FILE] [--check] [--markdown]`: the JSON Schema of schedules.yaml, or
the configuration reference (docs/configuration.md) made from the same declarations."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, ExitStatus
from ..fsutil import read_regular, write_atomic
from ..output import echo


def run(state, *, output: str | None, check: bool, markdown: bool = False) -> int:
    if markdown:
        from ..config import reference as made
    else:
        from .. import schema as made
    if not output:
        echo(made.render().rstrip("\n"))
        return ExitStatus.OK
    path = Path(output)
    raw = read_regular(path)
    current = raw.decode("utf-8", errors="replace") if raw is not None else None
    if not markdown or current is None:
        text = made.render()
    else:
        try:
            text = made.inject(current)
        except made.NoMarkers as exc:
            raise ConfigError(
                f"{path} has no place for the reference",
                hint=f"put these two lines where it goes, then run this again:\n{exc}",
            ) from None
    again = f"cronctl schema{' --markdown' if markdown else ''} -o {path}"
    if check:
        if current != text:
            echo(f"{path} is out of date; run '{again}'", err=True)
            return ExitStatus.CHANGES
        echo(f"{path} is up to date")
        return ExitStatus.OK
    if current != text:
        write_atomic(path, text.encode())
        echo(f"wrote {path}")
    else:
        echo(f"{path} is up to date")
    return ExitStatus.OK
