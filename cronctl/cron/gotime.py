"""The parts of Go's standard library robfig/cron leans on, with Go's exact behaviour.

`strings.Fields`/`TrimSpace` (Unicode whitespace as Go sees it), `time.ParseDuration` (for
`@every`), and `time.Date` (how a wall time in a DST gap or overlap becomes an instant).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

# Go's unicode.IsSpace.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACES = re.compile(f"[{re.escape(GO_SPACE)}]+")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_INT64_MAX = (1 << 63) - 1


def go_fields(text: str) -> list[str]:
    """Go's strings.Fields."""
    return [f for f in _SPACES.split(text) if f]


_UNITS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": 10**9,
          "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_go_duration(s: str) -> int:
    """Go's time.ParseDuration, in nanoseconds."""
    orig, neg, total = s, False, 0
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'time: invalid duration "{orig}"')
    while s:
        if not (s[0] == "." or s[0].isascii() and s[0].isdigit()):
            raise ValueError(f'time: invalid duration "{orig}"')
        m = re.match(r"[0-9]*", s)
        digits, s = m.group(), s[m.end():]
        v = int(digits) if digits else 0
        if v > (1 << 63):
            raise ValueError(f'time: invalid duration "{orig}"')
        frac, scale, post = 0, 1.0, False
        if s.startswith("."):
            m = re.match(r"[0-9]*", s[1:])
            fdigits, s = m.group(), s[1 + m.end():]
            post = bool(fdigits)
            for ch in fdigits:  # leadingFraction: stop accumulating before overflow
                if frac > ((1 << 63) - 1) // 10:
                    continue
                y = frac * 10 + int(ch)
                if y > 1 << 63:
                    continue
                frac, scale = y, scale * 10
        if not digits and not post:
            raise ValueError(f'time: invalid duration "{orig}"')
        m = re.match(r"[^.0-9]*", s)
        unit_text, s = m.group(), s[m.end():]
        if not unit_text:
            raise ValueError(f'time: missing unit in duration "{orig}"')
        if unit_text not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit_text}" in duration "{orig}"')
        unit = _UNITS[unit_text]
        if v > (1 << 63) // unit:
            raise ValueError(f'time: invalid duration "{orig}"')
        v *= unit
        if frac > 0:
            v += int(float(frac) * (float(unit) / scale))
            if v > 1 << 63:
                raise ValueError(f'time: invalid duration "{orig}"')
        total += v
        if total > 1 << 63:
            raise ValueError(f'time: invalid duration "{orig}"')
    if neg:
        return -total
    if total > _INT64_MAX:
        raise ValueError(f'time: invalid duration "{orig}"')
    return total


def offset_at(t: int, tz: ZoneInfo) -> int:
    """The zone's UTC offset, in seconds, at instant t (Go's Location.lookup)."""
    return int(datetime.fromtimestamp(t, tz).utcoffset().total_seconds())


def go_date(y: int, mo: int, d: int, h: int, mi: int, s: int, tz: ZoneInfo) -> int:
    """Go's time.Date(...).Unix(): fields normalised by carrying, then the zone resolved twice."""
    y, mo = y + (mo - 1) // 12, (mo - 1) % 12 + 1
    local = (date(y, mo, 1).toordinal() - _EPOCH_ORDINAL + d - 1) * 86400 + h * 3600 + mi * 60 + s
    return local - offset_at(local - offset_at(local, tz), tz)
