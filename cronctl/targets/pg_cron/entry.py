"""pg_cron's schedule parser, rewritten from its C source, and its run-time matcher.

pg_cron parses a schedule with Paul Vixie's cron parser fed from a string (src/entry.c,
`parse_cron_entry`; src/misc.c's `get_char` returns '\\0' once at the end, then EOF), and from
1.5 on, when that fails, tries `'[1-59] seconds'` (src/job_metadata.c, `TryParseInterval`).
Every quirk below is the C code's. tests/targets/pg_cron/test_fidelity.py proves this module
against the real `cron.schedule` of Debian's pg_cron 1.4.2, and against 1.5.2's and 1.6.7's
own parser compiled from their source (tests/fidelity/pg_cron/engine_source.py), over a corpus
of 2,276 schedules:

- Leading blank lines and `#` comment lines are skipped; blanks between fields are spaces and
  tabs only (a newline ends the entry).
- `@yearly @annually @monthly @weekly @daily @midnight @hourly @reboot @restart` (case-sensitive,
  the word ends at a space, tab or newline; anything after it is ignored).
- Five fields; whatever follows the fifth is the crontab's command part and is ignored, so six
  fields are accepted. An item is `*`, `N`, `N-M`, `*/S` or `N-M/S`; `N/S` is refused. Numbers
  are runs of ASCII letters and digits (so `+5` is refused), names (Jan-Dec, Sun-Sat, any case)
  only in month and day-of-week; day-of-week is 0-7 with 0 and 7 both Sunday. After an item,
  the rest of the field up to a blank is ignored (`5! * * * *` is minute 5).
- 1.4: a step larger than the field is allowed (`*/90` is minute 0). 1.6.5 refuses it (`num3 >
  high`, commit 5c10a8a); cronctl refuses it for every 1.6 (1.6.0-1.6.4 would read `*/90` as
  0: refusing is the safe side). `$` alone as day-of-month is the last day of the month (1.6.0).
- Day rule (ShouldRunTask): when the day-of-month or the day-of-week field begins with `*`
  (`*/2` too), a day must match both; otherwise either. Times are UTC (GMT); 1.5 added a
  server-wide `cron.timezone`, which cronctl leaves at its default, GMT.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EOF = -1
MAX_BUFFER = 1000  # MAX_FILE_BUFFER_LENGTH: a schedule this long or longer is refused
MAX_TEMPSTR = 1000
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
               "dec")
DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
#           (low, high, names)
MINUTE = (0, 59, None)
HOUR = (0, 23, None)
DOM = (1, 31, None)
MONTH = (1, 12, MONTH_NAMES)
DOW = (0, 7, DOW_NAMES)
ALL_DAYS = sum(1 << d for d in range(1, 32))
FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")


@dataclass(frozen=True)
class Entry:
    """A parsed schedule: one bit per value (value-indexed), the star flags, and the forms."""

    minute: int = 0
    hour: int = 0
    dom: int = 0
    month: int = 0
    dow: int = 0  # Sunday is bit 0 (7 is folded into it)
    dom_star: bool = False
    dow_star: bool = False
    last_dom: bool = False  # `$` (1.6)
    seconds: int | None = None  # `'N seconds'` (1.5)
    reboot: bool = False  # @reboot: when the scheduler starts, not on a clock
    failed_field: int | None = None  # where the parse failed (0-4), for the message


class _Reader:
    """src/misc.c's get_char/unget_char over an in-memory buffer."""

    def __init__(self, text: str) -> None:
        self.data = text
        self.pointer = 0
        self.unget: list[int] = []

    def get(self) -> int:
        if self.unget:
            return self.unget.pop()
        if self.pointer == len(self.data):
            self.pointer += 1
            return 0
        if self.pointer > len(self.data):
            return EOF
        ch = ord(self.data[self.pointer])
        self.pointer += 1
        return ch

    def put_back(self, ch: int) -> None:
        self.unget.append(ch)


def _isalnum(ch: int) -> bool:
    return 0 <= ch < 128 and chr(ch).isalnum()


def _blank(ch: int) -> bool:
    return ch in (9, 32)


class _Refused(Exception):
    pass


def parse(schedule: str, version: tuple[int, int] = (1, 6)) -> Entry | None:
    """What `cron.schedule` accepts in this pg_cron version: the Entry, or None (refused)."""
    found = parse_cron(schedule, version)
    if found is not None and found.failed_field is None:
        return found
    if version >= (1, 5):
        seconds = parse_interval(schedule)
        if seconds is not None:
            return Entry(seconds=seconds)
    return None


def failed_field(schedule: str, version: tuple[int, int] = (1, 6)) -> int | None:
    """The field (0-4) where the cron parse stopped, for a message; None when unknown."""
    found = parse_cron(schedule, version)
    return found.failed_field if found is not None else None


def parse_cron(schedule: str, version: tuple[int, int]) -> Entry | None:
    """parse_cron_entry: an Entry, an Entry with `failed_field` set, or None (empty)."""
    if len(schedule.encode()) >= MAX_BUFFER or any(ord(c) > 127 or c == "\0" for c in schedule):
        # Past the buffer pg_cron refuses it; a NUL ends a C string early and PostgreSQL text
        # cannot hold one; bytes past ASCII are read as negative chars (locale-dependent),
        # which cronctl does not try to reproduce: it refuses them.
        return Entry(failed_field=0)
    f = _Reader(schedule)
    _skip_comments(f)
    ch = f.get()
    if ch == EOF:
        return None
    if ch == ord("@"):
        word, _ = _get_string(f, " \t\n")
        forms = {"yearly": (1, 1, 1 << 1, 1 << 1, 0x7F, False, True),
                 "annually": (1, 1, 1 << 1, 1 << 1, 0x7F, False, True),
                 "monthly": (1, 1, 1 << 1, 0x1FFE, 0x7F, False, True),
                 "weekly": (1, 1, _bits(1, 31), 0x1FFE, 1, version < (1, 6), version >= (1, 6)),
                 "daily": (1, 1, _bits(1, 31), 0x1FFE, 0x7F, False, False),
                 "midnight": (1, 1, _bits(1, 31), 0x1FFE, 0x7F, False, False),
                 "hourly": (1, _bits(0, 23), _bits(1, 31), 0x1FFE, 0x7F, False, False)}
        if word in ("reboot", "restart"):
            return Entry(reboot=True)
        if word not in forms:
            return Entry(failed_field=0)
        m, h, dom, month, dow, dom_star, dow_star = forms[word]
        return Entry(m, h, dom, month, dow, dom_star=dom_star, dow_star=dow_star)
    bits = [0, 0, 0, 0, 0]
    dom_star = dow_star = last_dom = False
    for i, (low, high, names) in enumerate((MINUTE, HOUR, DOM, MONTH, DOW)):
        if i == 2 and ch == ord("$") and version >= (1, 6):
            ch = f.get()
            if not _blank(ch):
                return Entry(failed_field=i)
            while _blank(ch):
                ch = f.get()
            last_dom = True
        else:
            if i == 2 and ch == ord("*"):
                dom_star = True
            if i == 4 and ch == ord("*"):
                dow_star = True
            try:
                ch, bits[i] = _get_list(low, high, names, ch, f, version)
            except _Refused:
                return Entry(failed_field=i)
        if ch == EOF:
            return Entry(failed_field=i)
    dow = bits[4]
    if dow & 0b10000001:
        dow |= 0b10000001
    return Entry(bits[0], bits[1], bits[2], bits[3], dow & 0x7F, dom_star=dom_star,
                 dow_star=dow_star, last_dom=last_dom)


def _bits(lo: int, hi: int) -> int:
    return sum(1 << i for i in range(lo, hi + 1))


def _skip_comments(f: _Reader) -> None:
    ch = f.get()
    while ch != EOF:
        while _blank(ch):
            ch = f.get()
        if ch == EOF:
            break
        if ch not in (ord("\n"), ord("#")):
            break
        while ch not in (ord("\n"), EOF):
            ch = f.get()
        ch = f.get()
    if ch != EOF:
        f.put_back(ch)


def _get_string(f: _Reader, terms: str) -> tuple[str, int]:
    out = []
    ch = f.get()
    while ch != EOF and not (ch == 0 or chr(ch) in terms):
        out.append(chr(ch))
        ch = f.get()
    # C's strchr(terms, '\0') finds the terminator: '\0' ends the word too
    return "".join(out), ch


def _get_list(low, high, names, ch, f, version) -> tuple[int, int]:
    bits = 0
    while True:
        ch, bits = _get_range(bits, low, high, names, ch, f, version)
        if ch == ord(","):
            ch = f.get()
        else:
            break
    while ch not in (9, 32, 10, EOF, 0):  # Skip_Nonblanks
        ch = f.get()
    while _blank(ch):  # Skip_Blanks
        ch = f.get()
    return ch, bits


def _get_range(bits, low, high, names, ch, f, version) -> tuple[int, int]:
    if ch == ord("*"):
        num1, num2 = low, high
        ch = f.get()
        if ch == EOF:
            raise _Refused
    else:
        ch, num1 = _get_number(low, names, ch, f)
        if ch != ord("-"):
            if ch == ord("/") or not low <= num1 <= high:
                raise _Refused
            return ch, bits | 1 << num1
        ch = f.get()
        if ch == EOF:
            raise _Refused
        ch, num2 = _get_number(low, names, ch, f)
    if ch == ord("/"):
        ch = f.get()
        if ch == EOF:
            raise _Refused
        ch, num3 = _get_number(0, None, ch, f)
        if num3 <= 0:
            raise _Refused
    else:
        num3 = 1
    if not (low <= num1 <= high and low <= num2 <= high):
        raise _Refused
    if version >= (1, 6) and num3 > high:  # 1.6.5 (5c10a8a); cronctl applies it to all 1.6
        raise _Refused
    for i in range(num1, num2 + 1, num3):
        bits |= 1 << i
    return ch, bits


def _get_number(low, names, ch, f) -> tuple[int, int]:
    text = []
    while _isalnum(ch):
        if len(text) + 1 >= MAX_TEMPSTR:
            raise _Refused
        text.append(chr(ch))
        ch = f.get()
    word = "".join(text)
    if not word:
        raise _Refused
    if names:
        for i, name in enumerate(names):
            if name == word.lower():
                return ch, i + low
    if word.isdigit():
        return ch, _atoi(word)
    raise _Refused


def _atoi(digits: str) -> int:
    """C's atoi on glibc: strtol clamped to long, then truncated to a 32-bit int."""
    value = min(int(digits), (1 << 63) - 1) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def parse_interval(schedule: str) -> int | None:
    """TryParseInterval: sscanf(lower(schedule), " %u secon%c%c %c") -> 1-59 seconds, or None."""
    s = schedule.lower()
    i, n = 0, len(s)
    while i < n and s[i] in " \t\n\v\f\r":
        i += 1
    j = i + (i < n and s[i] in "+-")
    k = j
    while k < n and s[k].isdigit() and s[k].isascii():
        k += 1
    if k == j:
        return None
    value = int(s[j:k])
    if value > 0xFFFFFFFF:
        return None  # out of range for %u: cronctl refuses rather than guess the wrap
    if s[i] == "-":
        value = (-value) & 0xFFFFFFFF
    i = k
    while i < n and s[i] in " \t\n\v\f\r":
        i += 1
    if not s.startswith("secon", i):
        return None
    i += 5
    if i >= n or s[i] != "d":
        return None
    i += 1
    if i >= n:
        parts = 2
    elif s[i] != "s":
        return None
    else:
        i += 1
        rest = s[i:].lstrip(" \t\n\v\f\r")
        parts = 3 if not rest else 4
    return value if parts in (2, 3) and 0 < value < 60 else None


# -- when it runs (src/pg_cron.c, ShouldRunTask, in UTC) ---------------------------------------

def day_matches(entry: Entry, day: datetime) -> bool:
    last = day.day == calendar.monthrange(day.year, day.month)[1]
    this_dom = bool(entry.dom >> day.day & 1) or (entry.last_dom and last)
    this_dow = bool(entry.dow >> (day.weekday() + 1) % 7 & 1)
    if entry.dom_star or entry.dow_star:
        return this_dom and this_dow
    return this_dom or this_dow


def next_after(entry: Entry, after: datetime, years: int = 5) -> datetime | None:
    """The first minute (or interval tick) strictly after `after` that the entry matches,
    searched `years` ahead; None when none (or @reboot, which runs on no clock)."""
    after = after.astimezone(UTC)
    if entry.reboot:
        return None
    if entry.seconds:
        return after.replace(microsecond=0) + timedelta(seconds=entry.seconds)
    minutes = [m for m in range(60) if entry.minute >> m & 1]
    hours = [h for h in range(24) if entry.hour >> h & 1]
    if not minutes or not hours:
        return None
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = start.replace(hour=0, minute=0)
    for _ in range(366 * years + 2):
        if entry.month >> day.month & 1 and day_matches(entry, day):
            for h in hours:
                for m in minutes:
                    t = day.replace(hour=h, minute=m)
                    if t >= start:
                        return t
        day += timedelta(days=1)
    return None
