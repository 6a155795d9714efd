"""The shared cron corpus: one list of schedule strings every provider's own engine judges.

    python tests/fidelity/corpus/generate.py      # writes cron.json and zones.json beside it

cron.json is {"about", "unicode", "cases": [{"expr", "tag"}]}, one case per line; zones.json is
{"about", "zones": [...]}: every name of this machine's tz database and names that are not
zones (case, paths, offsets, tz database files), for the providers' zone checks. Each engine's
developer script reads them and commits that engine's verdicts as golden data next to its own test:
scripts/vercel_golden.py (Vercel's validators from npm -> tests/fidelity/vercel/golden.json),
tests/fidelity/robfig/generate.py (robfig/cron v3 in Go -> robfig/golden.json, which includes
this corpus). pg_cron, actionlint and later engines read the same file.

What it holds: for each field, its edge values and number forms, ranges, steps, lists, names and
the letters of other crons; separators (two spaces, tabs, leading and trailing space) and every
Unicode space character; every Unicode decimal digit (category Nd) outside 0-9; day-of-month
with day-of-week; schedules that never fire; macros; the length limits; and once-a-day shapes for
plan limits. tests/fidelity/test_corpus.py checks cron.json is what this script writes.
"""

from __future__ import annotations

import json
import sys
import unicodedata
import zoneinfo
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "cron.json"
ZONES = HERE / "zones.json"
ODD_ZONES = ("", "UTC", "utc", "Etc/UTC", "europe/berlin", "EUROPE/BERLIN", "Europe/Berlin/",
             "Europe//Berlin", "./UTC", "/etc/localtime", "../etc/passwd", "Local", "localtime",
             "posixrules", "Factory", "GMT+5", "Etc/GMT+5", "+05:00", "UTC+1", "Europe/Berlin ",
             " UTC", "Europe/Berlin\n", "Mars/Olympus", "A" * 51, "America/Argentina/Buenos_Aires",
             "Asia/Calcutta", "Europe/Kiev", "Europe/Kyiv", "America/Ciudad_Juarez",
             "Pacific/Kanton", "US/Eastern", "EST5EDT", "Europe/Berlin\u00a0", "\u0415urope/Berlin")

# name, min, max, names it may take
FIELDS = (("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day-of-month", 1, 31, ()),
          ("month", 1, 12, ("JAN", "jan", "Dec", "JAN-MAR", "jan/2")),
          ("day-of-week", 0, 6, ("MON", "mon", "Sun", "MON-FRI", "sun-sat", "fri/2")))
BASE = ("0", "0", "*", "*", "*")  # daily at midnight: every field's item replaces one of these


def ascii_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def unicode_digits() -> list[str]:
    """Every decimal digit (category Nd) outside ASCII 0-9, in code point order."""
    return [chr(c) for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)) == "Nd" and not ascii_digit(chr(c))]


def unicode_spaces() -> list[str]:
    """Every character some engine may read as a space: Python's and Go's isspace, JavaScript's
    \\s (Zs, line terminators, U+FEFF), the separators Zl/Zp, and the zero-width ones."""
    out = {chr(c) for c in range(sys.maxunicode + 1)
           if chr(c).isspace() or unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp")}
    out |= {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\x00"}
    return sorted(out)


def items(lo: int, hi: int) -> list[str]:
    """What may stand in a field with range lo-hi: values, number forms, ranges, steps, lists."""
    span = hi - lo + 1
    mid = (lo + hi) // 2
    return [
        # values and the edges
        str(lo), str(hi), str(lo - 1) if lo else "-1", str(hi + 1), str(mid), "7", f"0{lo}",
        f"00{mid}", f"+{mid}", f"-{mid}", "0x1", "1e1", f"{lo}.0", "1.5", "Infinity", "NaN",
        "99999999999999999999",
        # star, question mark, letters of other crons
        "*", "?", "*/1", "**", "L", "W", "LW", "5L", "15W", "1#2", "5#3", "MON#1", "H", "H/5",
        # ranges
        f"{lo}-{hi}", f"{lo + 1}-{mid}", f"{mid}-{mid}", f"{hi}-{lo}", f"{lo}-{hi + 1}",
        f"{lo - 1}-{mid}" if lo else f"-1-{mid}", f"{lo}-", f"-{hi}", "*-5", f"{lo}-{mid}-{hi}",
        # steps
        "*/2", "*/5", f"*/{hi}", f"*/{span - 1}", f"*/{span}", f"*/{span + 1}", "*/7", "*/0",
        "*/", "/5", f"{lo}/5", f"{mid}/2", f"{lo}-{mid}/2", f"{lo}-{hi}/{span}", "*/2/3",
        "1/2/3", "*/+2", "*/-1", "*/0x2", "*/1.0", "?/2", f"{lo}-{mid}/0",
        # lists
        f"{lo},{mid}", f"{lo},{mid},{hi}", f"{lo},{hi + 1}", f",{mid}", f"{mid},", f"{lo},,{mid}",
        ",", f"{lo}-{mid},{hi}", f"*/2,{mid}", f"{lo},*",
        f"{lo},{lo}", f"{lo}-{mid},{mid}", "*/2,*/3",
    ]


def field_cases() -> list[tuple[str, str]]:
    out = []
    for i, (name, lo, hi, names) in enumerate(FIELDS):
        for item in [*items(lo, hi), *names]:
            fields = list(BASE)
            fields[i] = item
            out.append((" ".join(fields), f"field:{name}"))
    return out


def whitespace_cases() -> list[tuple[str, str]]:
    out = [(e, "whitespace") for e in (
        "0  0 * * *", "0 0  * * *", "0 0 * *  *", "0\t0 * * *", "0\t\t0 * * *", "0 \t0 * * *",
        "0\t0\t*\t*\t*", " 0 0 * * *", "0 0 * * * ", "  0 0 * * *", "\t0 0 * * *", "0 0 * * *\t",
        "0 0 * * *\n", "0 0 * * *\r\n", "\n0 0 * * *", "0\n0 * * *", "0\r0 * * *",
        "0 0 * *\t\t *", "0    0    *    *    *")]
    for sp in unicode_spaces():
        if sp in " \t":
            continue
        out += [(f"0{sp}0 * * *", "space:between"), (f"0 0 * * *{sp}", "space:after")]
    return out


def digit_cases() -> list[tuple[str, str]]:
    out = [(f"{d} 0 * * *", "digit:minute") for d in unicode_digits()]
    # one digit of each kind in the other fields, in ranges and in steps
    for d in ("\u0660", "\u0665", "\uff10", "\uff15", "\u096b", "\U0001d7ce", "\u0e51", "\u1811"):
        value = unicodedata.digit(d)
        out += [(f"0 {d} * * *", "digit:hour"), (f"0 0 1{d} * *", "digit:day-of-month"),
                (f"0 0 * {max(value, 1)}{d} *", "digit:month"),
                (f"0 0 * * {d}", "digit:day-of-week"),
                (f"*/{d}5 * * * *", "digit:step"), (f"0 0 1-{d} * *", "digit:range"),
                (f"{d},5 0 * * *", "digit:list")]
    out += [("\u0660 \u0660 * * *", "digit:issue"), ("\uff10 0 * * *", "digit:issue"),
            ("\u096b * * * *", "digit:issue"), ("\U0001d7ce 0 * * *", "digit:issue")]
    return out


def shape_cases() -> list[tuple[str, str]]:
    rows = {
        "day-rule": ["0 0 1 * 1", "0 0 */2 * 1", "0 0 1 * *", "0 0 * * 1", "0 0 1-7 * 1",
                     "0 0 ? * 1", "0 0 1 * ?", "0 0 * * */7", "0 0 1,15 * 1-5"],
        "never": ["0 0 31 2 *", "0 0 30 2 *", "0 0 29 2 *", "0 0 31 4 *", "0 0 31 4,6,9,11 *",
                  "0 0 30,31 2 *", "0 0 31 2,4 *", "0 0 31 */2 *", "0 0 30 2 1"],
        "macro": ["@daily", "@hourly", "@weekly", "@monthly", "@yearly", "@annually",
                  "@midnight", "@reboot", "@every 1h", "@every 15m", "@DAILY", " @daily"],
        "count": ["", " ", "0", "0 0", "0 0 *", "0 0 * *", "0 0 * * * *", "0 0 0 * * *",
                  "* * * * * * *", "0 0 * * * 2026", "*/5 * * *", "* * * * *", "1 2 3 4 5",
                  "59 23 31 12 6"],
        "prefix": ["CRON_TZ=UTC 0 0 * * *", "TZ=UTC 0 0 * * *",
                   "CRON_TZ=Europe/Lisbon 0 9 * * *"],
        "plan": ["0 0 * * *", "30 5 * * *", "0 0 * * 1-5", "0 0 1 * *", "0 */2 * * *",
                 "*/30 0 * * *", "0 0,12 * * *", "0 0-1 * * *", "5 5 * * 1", "59 23 * * 0",
                 "0 12 1 1 *", "* 0 * * *", "0 * * * *", "*/59 0 * * *", "0 0 * 1-12/2 *"],
        "common": ["*/15 * * * *", "0 9 * * 1-5", "5,35 1-23/2 * 1,6 0", "0 0 1,15 * *",
                   "0 */6 * * *", "15 14 1 * *", "0 22 * * 1-5", "23 0-20/2 * * *",
                   "5 4 * * 0", "0 0,12 1 */2 *", "0 4 8-14 * *"],
    }
    out = [(e, f"shape:{tag}") for tag, exprs in rows.items() for e in exprs]
    # the length limits (9 to 256 characters): a minute list padded to 255, 256 and 257
    for n in (255, 256, 257):
        head = ",".join(f"{m:02d}" for m in range(60))
        fill = ",".join(["00"] * 200)
        minute = (head + "," + fill)[: n - len(" 0 * * *")]
        minute = minute.rstrip(",")
        expr = f"{minute}{'0' * (n - len(minute) - len(' 0 * * *'))} 0 * * *"
        out.append((expr, "length"))
    out += [("1 2 3 4 5", "length"), ("* * * * *", "length"), ("0 0 1 1 0", "length")]
    return out


def cases() -> list[dict]:
    seen: set[str] = set()
    out = []
    for expr, tag in field_cases() + whitespace_cases() + digit_cases() + shape_cases():
        if expr not in seen:
            seen.add(expr)
            out.append({"expr": expr, "tag": tag})
    return out


def render(rows: list[dict]) -> str:
    head = {"about": "cron corpus for every provider's engine; regenerate: "
                     "python tests/fidelity/corpus/generate.py",
            "unicode": unicodedata.unidata_version}
    lines = ",\n".join(json.dumps(r, ensure_ascii=True) for r in rows)
    return f'{json.dumps(head)[:-1]}, "cases": [\n{lines}\n]}}\n'


def zones() -> list[str]:
    """This machine's tz database names, then the odd ones (kept in order, once each)."""
    return list(dict.fromkeys([*sorted(zoneinfo.available_timezones()), *ODD_ZONES]))


def main() -> int:
    rows = cases()
    OUT.write_text(render(rows), encoding="utf-8")
    names = zones()
    about = ("zone names for the providers' zone checks: this machine's tz database "
             f"({len(zoneinfo.available_timezones())} names when written) and odd ones")
    ZONES.write_text(json.dumps({"about": about, "zones": names}, indent=0) + "\n",
                     encoding="utf-8")
    print(f"{len(rows)} expressions -> {OUT}; {len(names)} zone names -> {ZONES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
