"""The one check every URL a client gives `cronctl dev` goes through (a publish, enqueue, batch
or schedule destination, a callback, a URL-group endpoint): a URL QStash takes and a delivery
can be made to, else `BadRequest` (a 400 in QStash's shape), never an exception of the parser.

Taken, as QStash's Go `url.Parse` takes them: any number as a port (a delivery to port 99999
fails and is retried into the DLQ, as QStash's does). Refused: what `url.Parse` refuses (control
characters, an unclosed or stray IPv6 bracket, a port that is not digits, a character no host
name can hold), a scheme other than http(s), an empty host, a host name IDNA cannot encode, and
more than `MAX_URL` characters.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_URL = 8192  # characters
_PORT = re.compile(r"(?::\d*)?")
# The ASCII characters Go's url.Parse keeps in a host name (net/url shouldEscape, encodeHost).
_HOST_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "-._~!$&'()*+,;=<>\"%")


class BadURL(ValueError):
    """Why a URL is refused (the message names it, shortened and escaped)."""


def shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:80] + "...")


def checked(value: str, what: str = "destination") -> str:
    """`value`, when it is a well-formed http(s) URL; BadURL naming `what` otherwise."""
    if len(value) > MAX_URL:
        raise BadURL(f"invalid {what}: the URL is longer than {MAX_URL} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise BadURL(f"invalid {what} {shown(value)}: the URL holds a control character")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:  # an unclosed "[", a stray "]", no IPv6 address in brackets
        raise BadURL(f"invalid {what} {shown(value)}: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadURL(f"invalid {what} {shown(value)}: expected an http(s) URL with a host")
    hostport = parts.netloc.rpartition("@")[2]
    if hostport.startswith("["):
        port = hostport.partition("]")[2]
    else:
        name = hostport.partition(":")[0]
        port = hostport[len(name):]
        if any(c.isascii() and c not in _HOST_ASCII for c in name):
            raise BadURL(f"invalid {what} {shown(value)}: a character no host name can hold")
    if not _PORT.fullmatch(port):
        raise BadURL(f"invalid {what} {shown(value)}: the port must be a number")
    import httpx  # what the delivery will use: a URL it cannot send is refused now

    try:
        httpx.URL(value).raw_host  # noqa: B018 (IDNA-encodes the host)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        reason = "the host name is not valid IDNA" if isinstance(exc, UnicodeError) else str(exc)
        raise BadURL(f"invalid {what} {shown(value)}: {reason}") from None
    return value
