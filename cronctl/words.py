"""Counts in English: "1 job", "2 jobs", "1 business job", "0 retries"."""

from __future__ import annotations

_IRREGULAR = {"retry": "retries", "entry": "entries", "was": "were", "is": "are",
              "DLQ message": "DLQ messages", "change": "changes"}


def plural(noun: str) -> str:
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        return f"{head} {_IRREGULAR[last]}".strip()
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def article(word: str) -> str:
    """"an" before a vowel sound as these words have it ("an operator", "an admin"), else
    "a" ("a viewer")."""
    return "an" if word[:1].lower() in "aeio" else "a"


def count(n: int, noun: str) -> str:
    """`count(1, "business job")` -> "1 business job"; `count(2, "run")` -> "2 runs"."""
    return f"{n} {noun if n == 1 else plural(noun)}"


def when(iso: str | None) -> str:
    """An ISO time as "2026-01-05 08:00:00" (UTC), or "-"."""
    return iso[:19].replace("T", " ") if iso else "-"


def short_when(iso: str | None) -> str:
    """Month, day and time (UTC): QStash keeps at most a week of logs."""
    return when(iso)[5:] or "-"
