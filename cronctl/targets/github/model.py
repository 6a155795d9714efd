"""The github target's part of schedules.yaml: its jobs (an HTTP call or a command), its
`github:` settings, and how a job becomes the `Job` the target plans with. Light: `cronctl
validate` imports it.
No `from __future__ import annotations`: `config/shape.py` reads these annotations as objects.
"""

from typing import Annotated, Any

from ...config.model import Duration, JobFields, MethodField
from ...config.shape import MinLen, Pattern, spec

# GitHub's rule for secret names: letters, digits and '_', not starting with a digit.
SECRET_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


@spec
class GitHubSettings:
    """The workflows cronctl writes for the github target's jobs (one file per job), and how
    cronctl reaches GitHub's API for runs, pause and trigger."""

    folder: str = ".github/workflows"
    """The workflow folder, relative to schedules.yaml (GitHub reads `.github/workflows` at the
    repository's root)."""
    prefix: Annotated[str, Pattern(r"^[A-Za-z0-9_.-]*$")] = "cron-"
    """The start of each workflow's file name: `<prefix><job>.yml`."""
    secret: Annotated[str, Pattern(SECRET_NAME)] = "CRON_SECRET"
    """The repository secret HTTP jobs send as `Authorization: Bearer`."""
    runs_on: Annotated[str, MinLen(1)] = "ubuntu-latest"
    """The runner label every workflow runs on."""
    timeout: Duration = 600
    """A run's time limit unless the job says (it becomes `timeout-minutes`)."""
    base_url: str | None = None
    """Where HTTP jobs call (default: the top-level `base_url`)."""
    repository: str | None = None
    """`owner/name` for GitHub's API (default: `GITHUB_REPOSITORY`)."""


@spec
class GitHubJob(JobFields):
    """A job of the github target: an HTTP call (`path`) or a shell command (`command`), written
    as a GitHub Actions workflow with `on: schedule`."""

    path: str | None = None  # type: ignore[assignment]
    """An HTTP job's path: the workflow calls `github.base_url` (or `base_url`) + path."""
    command: str | None = None
    """A command job's shell command, run after checking out the repository."""
    timezone: str | None = None
    """An IANA zone for the schedule (GitHub's `timezone:`); default UTC."""
    method: MethodField | None = None
    """An HTTP job's method (default GET)."""
    timeout: Duration | None = None
    """This job's time limit (default `github.timeout`)."""


HINTS = {
    "command": "a shell command the workflow runs after checking out the repository",
    "folder": "a folder relative to schedules.yaml, e.g. .github/workflows",
    "secret": "a GitHub secret name: letters, digits and '_', e.g. CRON_SECRET",
    "runs_on": "a runner label, e.g. ubuntu-latest",
    "repository": "owner/name, e.g. acme/web",
}
LIMITS = ("is not supported by the github target", "a workflow calls the app with "
          "Authorization: Bearer from the github.secret secret; use tier: business (QStash) for "
          "the other delivery options")


def build(job: GitHubJob, ctx: Any) -> dict[str, Any]:
    return {"timezone": job.timezone or "UTC", "spec": job}


def dialect(settings: Any):
    from .dialect import GitHubDialect

    return GitHubDialect()


def reads(jobs: list) -> set[str]:
    """Its settings when it has jobs; base_url only for HTTP jobs (commands call none)."""
    keys = {"github"} if jobs else set()
    return keys | ({"base_url"} if any(j.path for j in jobs) else set())


def settings(config: Any) -> GitHubSettings:
    return config.settings.get("github") or GitHubSettings()
