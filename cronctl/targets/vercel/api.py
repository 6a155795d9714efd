"""The Vercel REST API, as far as the vercel target needs it: what is deployed, and running a
cron there now. The same two requests `vercel crons ls` / `vercel crons run` make (vercel/vercel,
packages/cli/src/commands/crons/{ls,run}.ts):

    GET  /v9/projects/{idOrName}[?teamId=]     -> {id, name, crons: {enabledAt, disabledAt,
                                                   updatedAt, deploymentId, definitions:
                                                   [{host, path, schedule, source?}]}}
    POST /v1/projects/{id}/crons/run[?teamId=]  {path, schedule} -> {invocationAt}

Which project: `vercel.project` / `vercel.team` in schedules.yaml, else VERCEL_PROJECT_ID /
VERCEL_ORG_ID, else the `.vercel/project.json` that `vercel link` writes (beside vercel.json,
or schedules.yaml). The token is VERCEL_TOKEN (a secret: registered at start-up, never printed).
VERCEL_API_URL overrides https://api.vercel.com (tests point it at `cronctl dev`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...environment import current
from ...errors import ConfigError, ProviderError
from ...secrets import Secret, reveal
from .model import settings as vercel_settings
from .model import vercel_file

DEFAULT_API = "https://api.vercel.com"
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ProjectRef:
    project: str  # an ID (prj_...) or a name
    team: str | None  # teamId, or None for a personal account
    source: str  # where it came from, for messages


@dataclass(frozen=True)
class Definition:
    """One cron of the production deployment."""

    path: str
    schedule: str
    host: str = ""
    source: str | None = None  # "api" when not from vercel.json (e.g. added by a builder)


@dataclass(frozen=True)
class Deployed:
    project_id: str
    project_name: str
    enabled_at: int | None
    disabled_at: int | None  # set: crons are disabled for the project (dashboard toggle)
    updated_at: int | None
    deployment_id: str | None  # None: no production deployment with crons
    definitions: tuple[Definition, ...]

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def name(self) -> str:
        return self.project_name or self.project_id


def token() -> Secret | None:
    """VERCEL_TOKEN as a Secret (never printed); a value HTTP cannot carry is one message."""
    value = current().get("VERCEL_TOKEN", "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isprintable() or " " in value:
        raise ProviderError(  # never the token itself
            "VERCEL_TOKEN holds a character a token cannot have (a space, line break, tab or "
            "non-ASCII)", hint="copy the token again (Vercel: Account Settings -> Tokens)",
            exit_status=2)
    return Secret(value)


def api_url(tell: Callable[[str], None] | None = None) -> str:
    from ...urls import is_https, is_local, service_url

    value = current().get("VERCEL_API_URL", "").strip()
    url = service_url(value, "VERCEL_API_URL") if value else DEFAULT_API
    if not is_https(url) and not is_local(url) and tell is not None:
        tell(f"warning: VERCEL_API_URL is plain http to {url}: VERCEL_TOKEN would travel "
             "unencrypted (use https://)")
    return url


def resolve(config) -> ProjectRef | None:
    """The project to ask about, or None when nothing names one."""
    s = vercel_settings(config)
    if s.project:
        team = s.team or current().get("VERCEL_ORG_ID") or None
        return ProjectRef(s.project, team, f"vercel.project in {config.path.name}")
    env_project = current().get("VERCEL_PROJECT_ID")
    if env_project:
        return ProjectRef(env_project, s.team or current().get("VERCEL_ORG_ID")
                          or None, "VERCEL_PROJECT_ID")
    # `vercel link` writes it at the project root: beside vercel.json (or schedules.yaml).
    found = [p / ".vercel" / "project.json"
             for p in (Path(vercel_file(config)).parent, Path(config.path).parent)]
    link = next((p for p in found if p.is_file()), None)
    if link is not None:
        try:
            data = json.loads(link.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{link}: cannot read: {exc}",
                              hint="run 'vercel link' again, or set vercel.project") from None
        project = data.get("projectId") if isinstance(data, dict) else None
        if not isinstance(project, str) or not project:
            raise ConfigError(f"{link}: no projectId",
                              hint="run 'vercel link' again, or set vercel.project")
        org = data.get("orgId")
        # A personal account's orgId is a user ID; Vercel takes teamId only for teams.
        team = org if isinstance(org, str) and org.startswith("team_") else None
        return ProjectRef(project, s.team or team, str(link))
    return None


def _definition(raw: Any) -> Definition | None:
    if not isinstance(raw, dict):
        return None
    return Definition(str(raw.get("path", "")), str(raw.get("schedule", "")),
                      str(raw.get("host") or ""), raw.get("source"))


def parse_project(data: Any) -> Deployed:
    if not isinstance(data, dict):
        raise ProviderError("Vercel answered the project request with something other than "
                            "a JSON object")
    crons = data.get("crons") if isinstance(data.get("crons"), dict) else {}
    defs = tuple(d for d in map(_definition, crons.get("definitions") or []) if d)
    return Deployed(str(data.get("id", "")), str(data.get("name", "")), crons.get("enabledAt"),
                    crons.get("disabledAt"), crons.get("updatedAt"), crons.get("deploymentId"),
                    defs)


class VercelApi:
    """A small synchronous client; `requests` counts what it sent."""

    def __init__(self, ref: ProjectRef, api_token: Secret | str,
                 base_url: str | None = None, tell: Callable[[str], None] | None = None
                 ) -> None:
        self.ref = ref
        self.token = api_token if isinstance(api_token, Secret) else Secret(api_token)
        self.base_url = (base_url or api_url(tell)).rstrip("/")
        self.requests = 0

    def _query(self) -> dict[str, str]:
        return {"teamId": self.ref.team} if self.ref.team else {}

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        """One request; the answer read up to CRONCTL_MAX_RESPONSE, within the overall deadline
        (reading: shared with the rest of the command; deadlines.py)."""
        import httpx

        from ... import httpguard as guard

        limits = guard.Limits.from_env("read" if method == "GET" else "write")
        url = self.base_url + path
        self.requests += 1
        headers = {"Authorization": f"Bearer {reveal(self.token)}", "User-Agent": "cronctl"}
        try:
            answer = guard.fetch_sync(method, url, limits=limits, timeout=TIMEOUT_S,
                                      params=self._query(), json=body, headers=headers)
        except guard.TooLarge:
            raise ProviderError(
                f"{method} {url}: the answer is larger than {limits.max_response} bytes; "
                "stopped reading",
                hint="is VERCEL_API_URL right? (CRONCTL_MAX_RESPONSE raises it)") from None
        except TimeoutError:
            raise limits.exceeded("Vercel", f"{method} {url}",
                                  "is VERCEL_API_URL right? (unset: api.vercel.com)") from None
        except httpx.HTTPError as exc:
            raise ProviderError(f"{method} {url}: {type(exc).__name__}: {exc}",
                                hint="is VERCEL_API_URL right? (unset: api.vercel.com)"
                                ) from None
        if answer.status_code >= 400:
            raise self._error(method, path, answer)
        try:
            return answer.json()
        except ValueError:
            raise ProviderError(f"{method} {url}: HTTP {answer.status_code} but not JSON",
                                status=answer.status_code) from None

    def _error(self, method: str, path: str, response) -> ProviderError:
        status = response.status_code
        try:
            err = response.json().get("error") or {}
            detail = err.get("message") or err.get("code") or ""
        except (ValueError, AttributeError):
            detail = ""
        detail = f": {detail}" if detail else ""
        if status in (401, 403):
            return ProviderError(
                f"Vercel refused VERCEL_TOKEN (HTTP {status}){detail}", status=status,
                hint="create a token with access to the project's team (Account Settings -> "
                "Tokens) and check VERCEL_ORG_ID / vercel.team")
        if status == 404 and path.startswith("/v9/projects/"):
            return ProviderError(
                f"Vercel project {self.ref.project!r} not found (from {self.ref.source})"
                f"{detail}", status=status,
                hint="check vercel.project (or VERCEL_PROJECT_ID / .vercel/project.json) and "
                "the team (vercel.team or VERCEL_ORG_ID)")
        return ProviderError(f"{method} {self.base_url}{path}: HTTP {status}{detail}",
                             status=status)

    def project(self) -> Deployed:
        from urllib.parse import quote

        return parse_project(self._call("GET", f"/v9/projects/{quote(self.ref.project, '')}"))

    def run(self, project_id: str, path: str, schedule: str) -> dict:
        from urllib.parse import quote

        data = self._call("POST", f"/v1/projects/{quote(project_id, '')}/crons/run",
                          {"path": path, "schedule": schedule})
        return data if isinstance(data, dict) else {}


def connect(config, tell: Callable[[str], None] | None = None
            ) -> tuple[VercelApi | None, str | None]:
    """(a client, None) when a token and a project are known, else (None, why not)."""
    api_token = token()
    if not api_token:
        return None, "VERCEL_TOKEN is not set; the Vercel side is vercel.json only"
    ref = resolve(config)
    if ref is None:
        return None, ("no Vercel project: set vercel.project in schedules.yaml, "
                      "VERCEL_PROJECT_ID, or run 'vercel link'")
    return VercelApi(ref, api_token, tell=tell), None
