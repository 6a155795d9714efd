"""Where cronctl finds a provider's credentials, in one place (outside the server package).

QStash, in this order: the command's own (`cronctl dev` applying the file to itself); a running
`cronctl dev` found beside the file (`.cronctl/dev.json`), when the environment names no QStash
(a set QSTASH_TOKEN or QSTASH_URL always wins); else QSTASH_URL (default: Upstash) and
QSTASH_TOKEN from the run's Environment.
"""

from __future__ import annotations

from ...environment import current
from ...errors import ProviderError
from ...secrets import Secret

QSTASH_URL = "https://qstash.upstash.io"


def qstash(state) -> tuple[str, str | Secret]:
    """(QStash's base URL, its token) for this command."""
    given = getattr(state, "qstash", None)
    if given:
        return given
    env = current()
    if not (env.value("QSTASH_TOKEN") or env.value("QSTASH_URL")):
        from ...dev.discovery import credentials as discovered

        found = discovered(state)  # announced once on stderr
        if found:
            return found
    return qstash_from_environment()


def qstash_from_environment() -> tuple[str, Secret]:
    """QSTASH_URL (parsed: http(s), no credentials) and QSTASH_TOKEN, as a Secret."""
    from ...urls import service_url

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

