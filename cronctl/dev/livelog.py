"""The readable live log: deliveries, Vercel cron runs and (optionally) API requests.

It shows methods, URLs, IDs, statuses and timings, and never header values or the token (they
carry secrets). Colour follows rich: off for NO_COLOR and when stdout is not a terminal.
"""

from __future__ import annotations

import os

from rich.console import Console
from rich.markup import escape

from .clock import Clock


class LiveLog:
    def __init__(self, clock: Clock, enabled: bool = True, access: bool = False) -> None:
        self.clock = clock  # lines carry the server's time (virtual when frozen)
        self.enabled = enabled
        self.access_enabled = enabled and access
        self._console = Console(no_color=bool(os.environ.get("NO_COLOR")) or None,
                                highlight=False, soft_wrap=True)

    def line(self, text: str, style: str = "") -> None:
        """One line of plain text (no markup), stamped with the server's clock (UTC)."""
        if self.enabled:
            stamp = self.clock.now().strftime("%H:%M:%S")
            self._console.print(f"[dim]{stamp}[/dim] [{style or 'default'}]{escape(text)}[/]")

    def delivery(self, *, method: str, url: str, message_id: str, schedule_id: str | None,
                 retried: int, status: int | None, error: str | None, ms: int) -> None:
        who = f"schedule {schedule_id}" if schedule_id else "message"
        attempt = f" retry {retried}" if retried else ""
        ok = status is not None and 200 <= status < 300
        outcome = f"{status}" if status is not None else f"error: {error}"
        self.line(f"{method} {url}  {who} {message_id}{attempt} -> {outcome} ({ms} ms)",
                  "green" if ok else "red")

    def access(self, method: str, path: str, status: int, ms: float) -> None:
        if self.access_enabled:
            self.line(f"API {method} {path} {status} {ms:.0f} ms", "dim")
