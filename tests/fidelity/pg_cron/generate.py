"""Writes corpus.json: schedules for pg_cron's `cron.schedule`, made systematically (every field's
bounds, names, ranges, steps, the tokens other crons take) and at random (seeded), with the real
engine's answer for each. Run it with a PostgreSQL that has pg_cron (the tests' CronServer):

    python tests/fidelity/pg_cron/generate.py     # starts one, asks it, writes corpus.json

It also takes the corpus every provider's engine judges (tests/fidelity/corpus/cron.json). The
tests (tests/targets/pg_cron/test_fidelity.py) ask the engine again and compare it, and
cronctl's pg_cron dialect, with these answers.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ITEMS = {
    0: ["0", "59", "60", "-1", "00", "7", "*/15", "*/59", "*/60", "*/90", "0-59", "5-10",
        "10-5", "0-59/20", "1-60", "5-59/0", "1/5", "a", "L", "?", "5!", "+5", "0x5", ",5", "5,",
        "1,2,3", "1-5,30-35/2", "*-5", "*/", "-", "5-", "**"],
    1: ["0", "23", "24", "*/2", "*/23", "*/24", "*/25", "9-17", "17-9", "0-23/6", "1/2", "12,13"],
    2: ["1", "31", "0", "32", "*/2", "1-31/2", "L", "W", "15W", "$", "$ ", "$5", "1,$", "?",
        "1-15", "*/31", "*/32"],
    3: ["1", "12", "0", "13", "jan", "JAN", "Jan", "dec", "january", "jan-mar", "*/3", "1-12/12",
        "*/13", "feb,aug", "mar-jan"],
    4: ["0", "7", "8", "sun", "SUN", "Sat", "mon-fri", "1-5", "5-1", "*/2", "1#2", "5L", "?",
        "sunday", "0-7", "7-0", "*/7", "*/8", "mon,wed,fri", "MON-FRI/2"],
}
WHOLE = [
    "", " ", "* * * * *", "*  *  *  *  *", "\t* * * * *", "* * * * *\t", "* * * * * *",
    "* * * * * * *", "* * * *", "* * *", "*\t*\t*\t*\t*", "* * * * *\n", "\n* * * * *",
    "# comment\n* * * * *", "#\n#\n0 0 * * *", "*\n* * * *", "* * * * * rm -rf /",
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@reboot",
    "@restart", "@Daily", "@every 5m", "@daily extra", "@", "@ daily", "@daily\t",
    "1 seconds", "5 seconds", "59 seconds", "60 seconds", "0 seconds", "5 second", "5 secs",
    "5seconds", " 5 seconds", "5 seconds ", "5 SECONDS", "+5 seconds", "-5 seconds",
    "5 seconds x", "5 minutes", "30 second ", "05 seconds", "seconds",
    "0 0 $ * *", "0 0 $ * 1", "0 0 $,1 * *", "0 0 $5 * *", "0 0 L * *", "0 0 * * 1L",
    "0 0 ? * *", "0 0 * * ?", "CRON_TZ=UTC 0 0 * * *", "TZ=UTC * * * * *",
    "0 12 * * mon-fri", "30 2 1 jan *", "0 0 1,15 * 1", "0 0 */2 * 1", "0 0 31 2 *",
]


def shared() -> list[str]:
    """The corpus every provider's engine judges (tests/fidelity/corpus/cron.json)."""
    data = json.loads((HERE.parent / "corpus" / "cron.json").read_text(encoding="utf-8"))
    return [case["expr"] for case in data["cases"]]


def corpus(seed: int = 29) -> list[str]:
    rng = random.Random(seed)
    out = list(WHOLE)
    base = ["0", "0", "1", "1", "*"]
    for i, items in ITEMS.items():
        for item in items:
            fields = list(base)
            fields[i] = item
            out.append(" ".join(fields))
    for _ in range(900):
        fields = [rng.choice(ITEMS[i] + ["*"] * 4) for i in range(5)]
        out.append(" ".join(fields))
    out += shared()
    seen, unique = set(), []
    for expr in out:
        if expr not in seen:
            seen.add(expr)
            unique.append(expr)
    return unique


def ask(url: str, exprs: list[str]) -> list[bool]:
    """The engine's answer for each: True when `cron.schedule` accepts it. Nothing is kept:
    each call is in a savepoint of one transaction that is rolled back."""
    import psycopg

    answers = []
    with psycopg.connect(url) as conn:
        for expr in exprs:
            if "\0" in expr:  # PostgreSQL text cannot hold it: the engine never sees it
                answers.append(False)
                continue
            conn.execute("SAVEPOINT s")
            try:
                conn.execute("SELECT cron.schedule('cronctl-corpus', %s, 'SELECT 1')", (expr,))
                answers.append(True)
            except psycopg.errors.InvalidParameterValue:
                answers.append(False)
            conn.execute("ROLLBACK TO SAVEPOINT s")
        conn.rollback()
    return answers


def version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'"
                            ).fetchone()[0]


def main() -> None:
    sys.path.insert(0, str(HERE.parents[1] / "targets" / "pg_cron"))
    from conftest import CRON_DB, CronServer  # noqa: PLC0415 - the tests' server

    server = CronServer().start()
    try:
        url = server.url(CRON_DB)
        exprs = corpus()
        answers = ask(url, exprs)
        data = {"engine": f"Debian postgresql-15-cron, extension version {version(url)}",
                "cases": [[e, a] for e, a in zip(exprs, answers, strict=True)]}
    finally:
        server.stop()
    (HERE / "corpus.json").write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    print(f"{len(exprs)} schedules, {sum(answers)} accepted")


if __name__ == "__main__":
    main()
