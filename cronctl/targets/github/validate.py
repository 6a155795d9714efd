"""The github target's rules: what a scheduled workflow can honour, said in the file's terms
(file:line through the one Reporter). The cron rules are the dialect's (dialect.py)."""

from __future__ import annotations

import re
from typing import Any

from ... import cron
from ...config.diagnostics import Reporter
from ...config.validate import zone
from .dialect import GitHubDialect
from .model import GitHubJob, GitHubSettings

# A workflow's file name: <prefix><job>.yml; GitHub takes any file name, git any but these.
FILE_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


def settings(rep: Reporter, ctx: Any) -> None:
    s: GitHubSettings | None = ctx.model.github
    if s is None:
        return
    folder = s.folder.replace("\\", "/")
    if folder.startswith("/") or ".." in folder.split("/"):
        rep.add(("github", "folder"), f"folder {s.folder!r} must stay inside the project",
                hint="a path relative to schedules.yaml, e.g. .github/workflows")
    if s.secret.upper().startswith("GITHUB_"):
        rep.add(("github", "secret"), f"GitHub refuses secret names starting with GITHUB_ "
                f"({s.secret!r})", hint="e.g. CRON_SECRET")
    if s.repository and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", s.repository):
        rep.add(("github", "repository"), f"repository {s.repository!r} is not owner/name",
                hint="e.g. acme/web")


def job(rep: Reporter, base: tuple, name: str, j: GitHubJob, ctx: Any) -> None:
    model = ctx.model
    s = model.github or GitHubSettings()
    zone(rep, (*base, "timezone"), j.timezone)
    if not FILE_SAFE.match(name):
        rep.add(base, f"job name {name!r} cannot name a workflow file (target github)",
                hint="letters, digits, '-', '_' and '.'", key=True)
    same = sorted(n for n in ctx.jobs_of("github") if n != name and n.lower() == name.lower())
    if same:
        rep.add(base, f"job name {name!r} differs from {same[0]!r} only in case: one workflow "
                "file on macOS and Windows, and one concurrency group on GitHub (target github)",
                hint="rename one of them", key=True)
    if (j.path is None) == (j.command is None):
        rep.add(base, "a github job either calls a path (an HTTP job) or runs a command",
                hint="give it path: /api/cron/... or command: ..., not both", key=True)
    if j.path is not None and not (s.base_url or model.base_url):
        rep.add((*base, "path"), "an HTTP job of the github target needs 'base_url'",
                hint="set base_url (or github.base_url)")
    if j.command is not None and j.method is not None:
        rep.add((*base, "method"), "'method' applies to HTTP jobs (with 'path') only", key=True)
    tz = j.timezone if j.timezone and cron.is_valid_zone(j.timezone) else None
    for problem in GitHubDialect().validate(j.schedule, tz):
        rep.add((*base, problem.field), problem.message, hint=problem.hint,
                severity=problem.severity)
