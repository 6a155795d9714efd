"""Where cronctl finds a provider's credentials, in one place (outside the server package).

QStash, in this order: the command's own (`cronctl dev` applying the file to itself); a running
`cronctl dev` found beside the file (`.cronctl/dev.json`), when the environment names no QStash
(a set QSTASH_TOKEN or QSTASH_URL always wins); else QSTASH_URL (default: Upstash) and
QSTASH_TOKEN from the run's Environment.
"""

from __future__ import annotations

from .environment import current
from .errors import ConfigError, ProviderError
from .secrets import Secret

QSTASH_URL = "https://qstash.upstash.io"


def qstash(state) -> tuple[str, str | Secret]:
    """(QStash's base URL, its token) for this command."""
    given = getattr(state, "qstash", None)
    if given:
        return given
    env = current()
    if not (env.value("QSTASH_TOKEN") or env.value("QSTASH_URL")):
        from .dev.discovery import credentials as discovered

        found = discovered(state)  # announced once on stderr
        if found:
            return found
    return qstash_from_environment()


def qstash_from_environment() -> tuple[str, Secret]:
    """QSTASH_URL (parsed: http(s), no credentials) and QSTASH_TOKEN, as a Secret."""
    from .urls import service_url

    env = current()
    token = env.value("QSTASH_TOKEN")
    if not token:
        raise ProviderError(
            "QSTASH_TOKEN is not set",
            hint="export QSTASH_TOKEN=... (Upstash console -> QStash -> Request builder), "
            "or run 'cronctl dev' and use the QSTASH_URL and QSTASH_TOKEN it prints",
            exit_status=2,
        )
    if not token.isascii() or not token.isprintable() or " " in token:
        raise ProviderError(  # never the token itself
            "QSTASH_TOKEN holds a character a token cannot have (a space, line break, tab or "
            "non-ASCII)", hint="copy the token again from the Upstash console", exit_status=2)
    url = env.value("QSTASH_URL")
    return (service_url(url) if url else QSTASH_URL), Secret(token)


def dev_server(state) -> tuple[str, str] | None:
    """(url, token) of the `cronctl dev` this command talks to, for what only it keeps (the
    Vercel runs it fired): discovered beside the file (announced once), the one QSTASH_URL
    names, or any QSTASH_URL and QSTASH_TOKEN that are not Upstash's; else None."""
    from .dev import TOKEN
    from .dev.discovery import credentials as discovered
    from .dev.discovery import serving

    env = current()
    url, token = env.value("QSTASH_URL").rstrip("/"), env.value("QSTASH_TOKEN")
    if not (url or token):
        return discovered(state) if state is not None else None
    info = serving(state) if state is not None else None
    if info is not None:
        return info.url.rstrip("/"), token or TOKEN
    if url and token and not _upstash(url):
        return url, token
    return None


def _upstash(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host == "upstash.io" or host.endswith(".upstash.io")


def require_cron_secret(request: str, sender: str) -> None:
    """Refuse, before anything is sent, a request that carries `Authorization: Bearer
    $CRON_SECRET` when CRON_SECRET has no value here (nor in a discovered `cronctl dev`)."""
    if current().value("CRON_SECRET"):
        return
    raise ConfigError(
        f"CRON_SECRET is not set, so {request} would go without the Authorization: Bearer "
        f"header {sender} sends (the app would answer 401); nothing was sent",
        hint="export CRON_SECRET=<the value your app checks>, or run the command beside a "
        "running 'cronctl dev' (beside its schedules.yaml, commands send the server's value)")
