"""Secrets: a type that renders as `***` everywhere, and the scrubber kept as a backstop.

A `Secret` holds a forwarded header value, a token or a URL credential. `str()`, `repr()`,
f-strings, `json.dumps(default=str)` and tracebacks all show `***`; only the HTTP layer calls
`reveal()` (see `qstash/client.py`). Two secrets are equal when their values are, so plans still
compare them.

The scrubber masks registered values in text that is printed. It must never corrupt what is not
secret, so it registers only *distinctive* values (tokens, passwords, long or mixed values): a
forwarded header value such as `cron` or `acme` would otherwise rewrite paths, JSON keys and the
project name. Short plain words are kept out of output by the type, not by the scrubber. JSON is
scrubbed as data: keys are never touched, values are. Each value is also registered in the forms
it takes when printed: stripped of surrounding whitespace, `repr()`-escaped and JSON-escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
# tokens and keys cronctl reads from the environment: always masked, however short
ENV_SECRETS = ("QSTASH_TOKEN", "CRON_SECRET", "QSTASH_CURRENT_SIGNING_KEY",
               "QSTASH_NEXT_SIGNING_KEY", "VERCEL_TOKEN", "GITHUB_TOKEN")


class Secret:
    """A value that must never be printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = reveal(value)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        if isinstance(other, str):
            return self._value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __lt__(self, other: object) -> bool:  # sorted header pairs
        return self._value < reveal(other)  # type: ignore[operator]

    def __bool__(self) -> bool:
        return bool(self._value)


def same_secret(given: str | bytes | None, known: str | bytes) -> bool:
    """Whether a presented token is the known one, in a time that shows neither its value nor
    its length: the SHA-256 digests (one length) are compared in constant time."""
    import hashlib
    import hmac

    def digest(v: str | bytes) -> bytes:
        return hashlib.sha256(v if isinstance(v, bytes) else
                              v.encode("utf-8", "surrogatepass")).digest()

    return given is not None and hmac.compare_digest(digest(given), digest(known))


def reveal(value: Any) -> Any:
    """The value behind a Secret; anything else unchanged. Only the HTTP layer needs this."""
    return value.reveal() if isinstance(value, Secret) else value


def distinctive(value: str) -> bool:
    """Long or mixed enough that masking it anywhere cannot hit an ordinary word or path."""
    if len(value) >= 16:
        return True
    if len(value) < 6:
        return False
    kinds = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    return kinds >= 2 and not re.fullmatch(r"[a-z]+(-[a-z]+)*", value)


class Scrubber:
    def __init__(self) -> None:
        self.values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[Any], *, force: bool = False) -> None:
        """Register values; `force` registers short ones too (a token is a token)."""
        for value in values:
            value = reveal(value)
            if not value or not isinstance(value, str):
                continue
            for form in _forms(value):
                if len(form) >= 4 and (force or distinctive(form)):
                    self.values.add(form)
                    self._pattern = None

    def text(self, text: str) -> str:
        if not self.values or not text:
            return text
        if self._pattern is None:
            # Longest first, so a secret that contains another is masked whole.
            ordered = sorted(self.values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
        return self._pattern.sub(MASK, text)

    def data(self, data: Any) -> Any:
        """JSON-able data with secrets masked in values; keys are never changed."""
        if isinstance(data, Secret):
            return MASK
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {k: self.data(v) for k, v in data.items()}
        if isinstance(data, list | tuple):
            return [self.data(v) for v in data]
        return data


def _forms(value: str) -> set[str]:
    forms = {value, value.strip()}
    for v in list(forms):
        forms.add(repr(v)[1:-1])
        forms.add(json.dumps(v, ensure_ascii=False)[1:-1])
        forms.add(json.dumps(v)[1:-1])
    return {f for f in forms if f}


def url_credentials(url: str | None) -> list[str]:
    """The credentials of a URL (`user:pass`, and `pass`), so they can be registered."""
    if not url:
        return []
    from urllib.parse import urlsplit

    try:
        userinfo = urlsplit(url.strip()).netloc.rpartition("@")[0]
    except ValueError:
        return []
    return [userinfo, userinfo.partition(":")[2]] if userinfo else []


_DSN_URI = re.compile(r"^(?P<head>postgres(?:ql)?://[^:@/]*):(?P<password>.*)@", re.S)
_DSN_KEY = re.compile(r"(?:^|(?<=[\s?&]))password\s*=\s*(?P<value>'(?:[^'\\]|\\.)*'?|[^\s&#]*)")


def dsn_credentials(dsn: str | None) -> list[str]:
    """The password of a libpq connection string (URI or key=value), however carelessly
    written: up to the *last* '@' of a URI (a '/', '?', '#' or '@' left unencoded in the
    password moves libpq's split, so its pieces may reach a message as a host, a port or a
    database name): the whole, decoded, and those pieces."""
    from urllib.parse import unquote

    if not dsn:
        return []
    text = dsn.strip()
    found = []
    if m := _DSN_URI.match(text):
        found.append(m.group("password"))
    found += [m.group("value").strip("'") for m in _DSN_KEY.finditer(text)]
    out: set[str] = set()
    for pw in filter(None, found):
        out |= {pw, unquote(pw)}
        out |= {p for p in re.split(r"[/?#@:&=\s]+", pw) if len(p) >= 4}
    return sorted(out, key=len, reverse=True)


def mask_dsn(dsn: str, text: str | None = None) -> str:
    """`text` (default: the connection string itself) with the string's password masked."""
    text = dsn.strip() if text is None else text
    if text == dsn.strip():
        text = _DSN_KEY.sub(lambda m: m.group(0)[:m.start("value") - m.start(0)] + MASK,
                            _DSN_URI.sub(r"\g<head>:" + MASK + "@", text))
    for secret in dsn_credentials(dsn):
        text = text.replace(secret, MASK)
    return text


def require_cron_secret(request: str, sender: str) -> None:
    """Refuse, before anything is sent, a request that carries `Authorization: Bearer
    $CRON_SECRET` when CRON_SECRET has no value here (nor in a discovered `cronctl dev`)."""
    from .environment import current
    from .errors import ConfigError

    if current().value("CRON_SECRET"):
        return
    raise ConfigError(
        f"CRON_SECRET is not set, so {request} would go without the Authorization: Bearer "
        f"header {sender} sends (the app would answer 401); nothing was sent",
        hint="export CRON_SECRET=<the value your app checks>, or run the command beside a "
        "running 'cronctl dev' (beside its schedules.yaml, commands send the server's value)")
