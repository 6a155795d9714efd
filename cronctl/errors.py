"""The one fatal error type, and the exit codes it maps to."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit codes; documented in docs/commands.md ("Exit codes") and stable."""

    OK = 0
    FAILED = 1  # network, provider, partial apply
    USAGE = 2  # invalid usage or configuration
    CHANGES = 3  # changes pending (--check, --exit-code)
    REFUSED = 4  # refused by a safety limit
    INTERRUPTED = 130


class CronctlError(Exception):
    """An error a user can cause or fix. Rendered as one message, never a traceback.

    `where` names the place (file:line:col, job, field) when known; `hint` says what to do next.
    """

    exit_status: ExitStatus = ExitStatus.FAILED
    diagnostics: list = []  # config problems with file and line, for CI annotations

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        where: str | None = None,
        exit_status: ExitStatus | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where
        if exit_status is not None:
            self.exit_status = exit_status

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(CronctlError):
    exit_status = ExitStatus.USAGE


class ConfigError(CronctlError):
    exit_status = ExitStatus.USAGE


class ProviderError(CronctlError):
    """A provider (QStash, the app) refused or could not be reached."""

    exit_status = ExitStatus.FAILED

    def __init__(self, message: str, *, status: int | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.status = status


class SafetyError(CronctlError):
    exit_status = ExitStatus.REFUSED
