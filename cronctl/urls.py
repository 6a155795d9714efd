"""URLs and paths that are safe to send: parsed, never prefix-tested.

A job's path is joined to `base_url` and sent to QStash as the destination; anything in it that
could change the host (`..`, `//`, `@`, `\\`), never converge (a query, a fragment, a
percent-escape, non-ASCII the server would encode) or break the request (control characters)
is refused by `validate`. What is left is sent as written, so the destination QStash stores is
byte-identical to the one the plan shows; the client still encodes it when it goes into the
request path (`encode_destination`), so nothing can ever be pasted raw into a request line.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from .errors import UsageError

# RFC 3986 pchar, without '%' (escapes) and '@' (userinfo); plus '/' between segments.
PATH_CHARS = "A-Za-z0-9-._~!$&'()*+,;=:"
_PATH = re.compile(rf"/[{PATH_CHARS}/]*")
_SAFE_IN_REQUEST = "-._~!$&'()*+,;=:/@"
HTTP_SCHEMES = ("http", "https")


def is_https(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() == "https"


def is_local(url: str) -> bool:
    """A loopback host (`cronctl dev`), where plain http is expected."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.") or host.endswith(
        ".localhost")


def display(url: str) -> str:
    """The URL without credentials or query, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an invalid URL)"
    if parts.query:  # a query may hold a token
        parts = parts._replace(query="***")
    if "@" in parts.netloc:
        parts = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2])
    return parts.geturl()


def path_problem(path: str) -> str | None:
    """Why this path cannot be sent safely, or None."""
    if _PATH.fullmatch(path) and "//" not in path and "/." not in path:
        return None  # the common case, in one pass
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path) or any(c.isspace() for c in path):
        return "contains whitespace or a control character"
    if not path.isascii():
        return ("contains non-ASCII characters (the server would percent-encode them, so the "
                "schedule would never match the file)")
    if not path.startswith("/"):
        return "must start with '/'"
    if "//" in path:
        return "contains '//' (a URL path starting with // names another host)"
    if any(seg in (".", "..") for seg in path.split("/")):
        return "contains a '.' or '..' segment (it changes the path, or the host, once joined)"
    for char, why in (("?", "a query ('?')"), ("#", "a fragment ('#')"),
                      ("@", "'@' (it could turn the path into a host)"),
                      ("%", "a percent-escape (the server decodes it, so it never converges)"),
                      ("\\", "a backslash")):
        if char in path:
            return f"contains {why}"
    if not _PATH.fullmatch(path):
        bad = sorted({c for c in path if not re.fullmatch(rf"[{PATH_CHARS}/]", c)})
        return f"contains {''.join(bad)!r}, which a URL path cannot hold as written"
    return None


def base_url_problem(url: str, *, query: bool = False) -> str | None:
    """Why `url` cannot be a base URL (or, with `query`, a callback URL, which may carry a
    query string), or None."""
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return "contains whitespace or a control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in HTTP_SCHEMES:
        if parts.scheme.lower() in HTTP_SCHEMES:
            return "must have its scheme in lower case (http:// or https://)"
        return "is not an http(s) URL"
    if "@" in parts.netloc:
        return ("must not hold credentials (user:password@): they would be stored and shown "
                "by QStash; protect the endpoints with CRON_SECRET instead")
    if not parts.hostname or not parts.netloc.isascii() or any(
            c.isspace() or ord(c) < 0x20 for c in parts.netloc):
        return "needs a plain ASCII host name, e.g. https://app.example.com"
    if parts.fragment or url.endswith("#") or (not query and (parts.query or "?" in url)):
        return "must not have a query or a fragment" if not query else "must not have a fragment"
    if query and not url.isascii():
        return "contains non-ASCII characters (percent-encode them)"
    if parts.path.rstrip("/"):
        problem = path_problem(parts.path.rstrip("/"))
        if problem:
            return "path " + problem
    return None


def service_url(value: str, name: str = "QSTASH_URL") -> str:
    """A provider's base URL from the environment: http(s), no credentials; normalised."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in HTTP_SCHEMES or not parts.hostname:
        raise UsageError(f"{name} is not an http(s) URL",
                         hint=f"e.g. {name}=https://qstash.upstash.io, or "
                         f"{name}=http://127.0.0.1:8080 for 'cronctl dev'")
    if "@" in parts.netloc:
        raise UsageError(f"{name} must not hold credentials (user:password@)",
                         hint="the token goes in QSTASH_TOKEN; remove the part before '@'")
    if parts.query or parts.fragment:
        raise UsageError(f"{name} must not have a query or a fragment",
                         hint="e.g. https://qstash.upstash.io")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def encode_destination(destination: str) -> str:
    """The destination as it goes into a request path: every character that could end the
    path or start a query (`?`, `#`, `%`, spaces, non-ASCII) is percent-encoded."""
    return quote(destination, safe=_SAFE_IN_REQUEST)
