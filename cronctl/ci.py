"""GitHub Actions: workflow annotations on schedules.yaml lines, and the job step summary."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .config.diagnostics import Diagnostic
from .environment import current


def in_github() -> bool:
    return current().get("GITHUB_ACTIONS") == "true"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(file: str) -> str:
    workspace = Path(current().get("GITHUB_WORKSPACE") or Path.cwd())
    try:
        return Path(file).resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return file


def annotation(d: Diagnostic) -> str:
    props = [f"file={_escape_prop(_relative(d.file))}"]
    if d.line is not None:
        props.append(f"line={d.line}")
    if d.col is not None:
        props.append(f"col={d.col}")
    title = "cronctl" + (f": {d.job}" if d.job else "")
    props.append(f"title={_escape_prop(title)}")
    subject = f"{d.field}: " if d.field else ""
    message = subject + d.message + (f" (hint: {d.hint})" if d.hint else "")
    return f"::{d.severity} {','.join(props)}::{_escape_data(message)}"


def annotate(diags: Iterable[Diagnostic]) -> None:
    """Print workflow commands for each diagnostic, when running in GitHub Actions.

    On stderr: the runner reads workflow commands from both streams, and stdout may be JSON
    (`validate --json`) or redirected to a file (`diff --markdown > plan.md`).
    """
    if not in_github():
        return
    from .output import echo

    for d in diags:
        echo(annotation(d), err=True)


def annotate_error(message: str) -> None:
    if in_github():
        from .output import echo

        echo(f"::error title=cronctl::{_escape_data(message)}", err=True)


def append_summary(markdown: str) -> None:
    """Append to $GITHUB_STEP_SUMMARY when set (the plan of diff and schedule)."""
    path = current().get("GITHUB_STEP_SUMMARY")
    if not path or not in_github():
        return
    from .output import echo, redact

    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(redact(markdown).rstrip("\n") + "\n\n")
    except OSError as exc:  # the summary is a courtesy; never fail the command over it
        echo(f"warning: could not write the step summary {path}: {exc.strerror or exc}",
             err=True)
