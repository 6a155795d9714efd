"""The GitHub REST API, as far as the github target needs it (GitHub's OpenAPI description,
github/rest-api-description; the operations are listed in scripts/github_openapi.py):

    GET  /repos/{owner}/{repo}                                    -> default_branch
    GET  /repos/{owner}/{repo}/actions/workflows/{file}           -> {id, state, created_at}
    GET  /repos/{owner}/{repo}/actions/workflows/{file}/runs      ?event=&created=&per_page=&page=
    POST /repos/{owner}/{repo}/actions/workflows/{file}/dispatches {ref, return_run_details}
    PUT  /repos/{owner}/{repo}/actions/workflows/{file}/disable | /enable
    GET  /repos/{owner}/{repo}/actions/runs/{run_id}

The token is GITHUB_TOKEN (a secret: never printed); the repository is github.repository in
schedules.yaml, else GITHUB_REPOSITORY (set in every Actions run). GITHUB_API_URL overrides
https://api.github.com (GitHub Enterprise Server; the tests point it at a loopback server).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ...environment import current
from ...errors import ProviderError
from ...secrets import Secret, reveal
from .model import settings as github_settings

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
TIMEOUT_S = 30.0
PER_PAGE = 100
MAX_PAGES = 10  # 1,000 runs of one workflow per read: a bound, not a limit anyone meets
REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
HINT = "is GITHUB_API_URL right? (unset: api.github.com)"


def token() -> Secret | None:
    value = current().value("GITHUB_TOKEN")
    if not value:
        return None
    if not value.isascii() or not value.isprintable() or " " in value:
        raise ProviderError(
            "GITHUB_TOKEN holds a character a token cannot have (a space, line break, tab or "
            "non-ASCII)", hint="copy the token again (GitHub: Settings -> Developer settings "
            "-> Personal access tokens)", exit_status=2)
    return Secret(value)


def api_url(tell: Callable[[str], None] | None = None) -> str:
    from ...urls import is_https, is_local, service_url

    value = current().value("GITHUB_API_URL")
    url = service_url(value, "GITHUB_API_URL") if value else DEFAULT_API
    if not is_https(url) and not is_local(url) and tell is not None:
        tell(f"warning: GITHUB_API_URL is plain http to {url}: GITHUB_TOKEN would travel "
             "unencrypted (use https://)")
    return url


def repository(config) -> str | None:
    return github_settings(config).repository or current().value("GITHUB_REPOSITORY") or None


class GitHubApi:
    """A small synchronous client; `requests` counts what it sent."""

    def __init__(self, repo: str, api_token: Secret | str, base_url: str | None = None,
                 tell: Callable[[str], None] | None = None) -> None:
        self.repo = repo
        self.token = api_token if isinstance(api_token, Secret) else Secret(api_token)
        self.base_url = (base_url or api_url(tell)).rstrip("/")
        self.requests = 0

    def _path(self, *parts: str) -> str:
        owner, name = self.repo.split("/", 1)
        return "/".join(["", "repos", quote(owner, ""), quote(name, ""),
                         *(quote(p, "") for p in parts)])

    def _call(self, method: str, path: str, *, params: dict | None = None,
              body: dict | None = None) -> Any:
        """One request, the answer read up to CRONCTL_MAX_RESPONSE within the command's
        deadline; None for an empty answer (204)."""
        import httpx

        from ... import httpguard as guard

        limits = guard.Limits.from_env("read" if method == "GET" else "write")
        url = self.base_url + path
        self.requests += 1
        headers = {"Authorization": f"Bearer {reveal(self.token)}", "User-Agent": "cronctl",
                   "Accept": "application/vnd.github+json",
                   "X-GitHub-Api-Version": API_VERSION}
        try:
            answer = guard.fetch_sync(method, url, limits=limits, timeout=TIMEOUT_S,
                                      params=params, json=body, headers=headers)
        except guard.TooLarge:
            raise ProviderError(f"{method} {url}: the answer is larger than "
                                f"{limits.max_response} bytes; stopped reading",
                                hint=f"{HINT} (CRONCTL_MAX_RESPONSE raises it)") from None
        except TimeoutError:
            raise limits.exceeded("GitHub", f"{method} {url}", HINT) from None
        except httpx.HTTPError as exc:
            raise ProviderError(f"{method} {url}: {type(exc).__name__}: {exc}",
                                hint=HINT) from None
        if answer.status_code >= 400:
            raise self._error(method, url, answer)
        if answer.status_code == 204 or not answer.content:
            return None
        try:
            return answer.json()
        except ValueError:
            raise ProviderError(f"{method} {url}: HTTP {answer.status_code} but not JSON",
                                status=answer.status_code) from None

    def _error(self, method: str, url: str, response) -> ProviderError:
        status = response.status_code
        try:
            detail = response.json().get("message") or ""
        except (ValueError, AttributeError):
            detail = ""
        detail = f": {str(detail)[:200]}" if detail else ""
        if status == 401:
            return ProviderError(f"GitHub refused GITHUB_TOKEN (HTTP 401){detail}",
                                 status=status, hint="create a token with Actions read and "
                                 "write access to the repository, and export GITHUB_TOKEN")
        if status == 403:
            return ProviderError(f"GitHub refused {method} {url} (HTTP 403){detail}",
                                 status=status, hint="the token needs the repository's "
                                 "Actions permission (read and write); or a rate limit was "
                                 "hit: wait and run again")
        if status == 404:
            return ProviderError(f"GitHub has no {url} (HTTP 404){detail}", status=status,
                                 hint=f"check github.repository ({self.repo}) and that the "
                                 "workflow is pushed to the default branch; a token without "
                                 "access to a private repository also gets 404")
        return ProviderError(f"{method} {url}: HTTP {status}{detail}", status=status)

    # -- the operations ------------------------------------------------------------------------
    def default_branch(self) -> str:
        data = self._call("GET", self._path())
        branch = data.get("default_branch") if isinstance(data, dict) else None
        if not isinstance(branch, str) or not branch:
            raise ProviderError(f"GitHub did not say {self.repo}'s default branch")
        return branch

    def workflow(self, file: str) -> dict:
        data = self._call("GET", self._path("actions", "workflows", file))
        return data if isinstance(data, dict) else {}

    def runs(self, file: str, *, event: str | None = None, created: str | None = None,
             limit: int = PER_PAGE * MAX_PAGES) -> list[dict]:
        """The workflow's runs, newest first (GitHub's order), page by page up to `limit`."""
        out: list[dict] = []
        per_page = max(1, min(PER_PAGE, limit))
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, Any] = {"per_page": per_page, "page": page}
            if event:
                params["event"] = event
            if created:
                params["created"] = created
            data = self._call("GET", self._path("actions", "workflows", file, "runs"),
                              params=params)
            runs = data.get("workflow_runs") if isinstance(data, dict) else None
            if not isinstance(runs, list):
                raise ProviderError(f"GitHub answered the runs of {file} without "
                                    "workflow_runs")
            out += [r for r in runs if isinstance(r, dict)]
            total = data.get("total_count")
            if len(runs) < per_page or len(out) >= limit or (
                    isinstance(total, int) and len(out) >= total):
                break
        return out[:limit]

    def run(self, run_id: int | str) -> dict:
        data = self._call("GET", self._path("actions", "runs", str(run_id)))
        return data if isinstance(data, dict) else {}

    def dispatch(self, file: str, ref: str) -> dict | None:
        """Run the workflow now on `ref`: the new run's details (its ID), when GitHub gives
        them (return_run_details), else None."""
        data = self._call("POST", self._path("actions", "workflows", file, "dispatches"),
                          body={"ref": ref, "return_run_details": True})
        return data if isinstance(data, dict) else None

    def set_enabled(self, file: str, enabled: bool) -> None:
        self._call("PUT", self._path("actions", "workflows", file,
                                     "enable" if enabled else "disable"))


def connect(config, tell: Callable[[str], None] | None = None
            ) -> tuple[GitHubApi | None, str | None]:
    """(a client, None) when a token and a repository are known, else (None, why not)."""
    repo = repository(config)
    api_token = token()
    if not api_token:
        return None, "GITHUB_TOKEN is not set; the GitHub side is the workflow files only"
    if not repo:
        return None, "no repository: set github.repository (owner/name) or GITHUB_REPOSITORY"
    if not REPOSITORY.match(repo):
        return None, f"github.repository {repo!r} is not owner/name"
    return GitHubApi(repo, api_token, tell=tell), None
