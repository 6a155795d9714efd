"""A problem found in schedules.yaml: where it is, what it is, and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    message: str
    file: str
    line: int | None = None
    col: int | None = None
    job: str | None = None
    field: str | None = None
    hint: str | None = None

    @property
    def location(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return where

    def render(self) -> str:
        subject = ""
        if self.job and self.field:
            subject = f"job {self.job!r}, {self.field}: "
        elif self.job:
            subject = f"job {self.job!r}: "
        elif self.field:
            subject = f"{self.field}: "
        text = f"{self.location}: {self.severity}: {subject}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict:
        return asdict(self)


def errors(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity == "error"]


class Reporter:
    """Where every check reports: a problem at a path of the file (`("jobs", name, field)`)
    becomes a Diagnostic with its file, line and column. The one way the core's checks and
    every target's validation (`targets/<name>/validate.py`) say what is wrong."""

    def __init__(self, file: str, source: Any = None) -> None:
        self.file = file
        self.source = source  # yamlsource.Source: where each path is
        self.items: list[Diagnostic] = []
        self.unset_paths: set[tuple] = set()  # values still holding an unset ${VAR}
        self.values: dict[str, str] = {}  # ${VAR} name -> the value read (never shown)

    def add(
        self,
        path: tuple,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = "error",
        key: bool = False,
    ) -> None:
        """`key`: point at the key itself rather than its value."""
        mark = self.source.mark(path, key=key) if self.source else None
        job = str(path[1]) if len(path) >= 2 and path[0] == "jobs" else None
        field_path = path[2:] if job else path
        field = ".".join(str(p) for p in field_path) or None
        message, hint = self.as_written(message), hint and self.as_written(hint)
        self.items.append(Diagnostic(severity, message, self.file,
                                     mark.line if mark else None, mark.col if mark else None,
                                     job, field, hint))

    def as_written(self, text: str) -> str:
        """`text` with every value read from a `${VAR}` put back as the file writes it: a check
        that repeats the value it refuses never shows a variable's value (a key in a path)."""
        for name, value in sorted(self.values.items(), key=lambda nv: -len(nv[1])):
            if len(value) >= 4 and value in text:
                text = text.replace(value, f"${{{name}}}")
        return text

    def unresolved(self, path: tuple, value: str) -> bool:
        """Still holds an unset ${VAR}: checked once the variable is set. (A `$${` escape is
        a literal `${` and is checked like any other text.)"""
        from .interpolate import has_placeholder

        return has_placeholder(value) and tuple(path) in self.unset_paths
