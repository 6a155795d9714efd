"""A problem found in schedules.yaml: where it is, what it is, and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

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
