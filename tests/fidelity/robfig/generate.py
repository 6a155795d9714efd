"""Regenerate golden.json: robfig/cron v3's own answers over the corpus below and the shared one.

    apt-get install golang-go golang-github-robfig-cron-dev   # once (Debian/Ubuntu)
    python tests/fidelity/robfig/generate.py                   # writes golden.json

`ROBFIG_CRON_SRC=/path/to/robfig/cron` uses another checkout of the library. The pytest suite
only reads golden.json (tests/fidelity/test_robfig_golden.py); Go is a developer tool here.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden.json"
CORPUS = HERE.parent / "corpus" / "cron.json"  # the corpus every provider's engine judges
RUNS_PER_START = 6

# Field grammar: what ParseStandard accepts or refuses (and, when accepted, its runs in UTC).
GRAMMAR = [
    # plain
    "* * * * *", "0 0 * * *", "*/15 * * * *", "0 9 * * 1-5", "5,35 1-23/2 * 1,6 0",
    "0 0 29 2 *", "0 0 31 * *", "0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 12 1 1 *",
    "59 23 31 12 *", "0 0 1,15 * *", "0 0 L * *", "0 0 LW * *", "0 0 5L * *", "0 0 15W * *",
    # day-of-week 7 and friends (refused by robfig)
    "0 0 * * 7", "0 0 * * 1-7", "0 0 * * 5-7/2", "0 0 * * 0-7", "0 0 * * 7-7", "0 0 * * 6",
    "0 0 * * 0-6", "0 0 * * 1#2", "0 0 * * MON#1", "0 0 * * 5#3", "0 0 * * 5L", "0 0 * * L",
    # names
    "0 9 * * MON-FRI", "0 9 * * mon-fri", "0 9 * * Mon,Wed,Fri", "0 9 * * SUN", "0 9 * * sat",
    "0 9 * JAN *", "0 9 1 jan-mar *", "0 9 1 DEC *", "0 9 * * MONDAY", "0 9 * JANUARY *",
    "0 9 * * FRI-MON", "0 9 * MAR-JAN *", "0 9 * * mon/2", "0 9 * feb/3 *", "JAN 9 * * *",
    "0 MON * * *", "0 9 MON * *", "0 9 * * SUN-SAT", "0 9 * * tue-thu/2",
    # ? and *
    "0 0 ? * *", "0 0 * * ?", "0 0 ? * ?", "? ? ? ? ?", "0 0 ?/2 * *", "*/1 * * * *",
    "0 0 */1 * 1", "0 0 * * */1", "*-5 * * * *", "0 0 *-3 * 1", "0 0 * * *-2", "?-7 * * * *",
    # steps
    "0 0 */2 * 1", "0 0 */2 * *", "0 0 * * 1/2", "0 0 * * */2", "0 0 1/2 * *", "*/60 * * * *",
    "*/59 * * * *", "*/100 * * * *", "0 */24 * * *", "0 */23 * * *", "0 0 */32 * *",
    "0 0 */31 * *", "0 0 * */12 *", "0 0 * */13 *", "0 0 * * */7", "*/0 * * * *", "0 0 */0 * *",
    "5/15 * * * *", "0-30/10 * * * *", "10-20/3 */5 * * *", "0 1-23/6 * * *", "0 0 1-31/7 * *",
    "0 0 * * 0-6/3", "*/2/3 * * * *", "1/2/3 * * * *", "*/+2 * * * *", "*/-1 * * * *",
    "*/ * * * *", "/5 * * * *", "0 0 1,*/10 * *", "0 0 */10,1 * 1", "0 0 1-5,*/7 * 1",
    "0 0 * * 1,*/3", "0 0 1 * */2",
    # numbers
    "00 09 * * *", "+5 * * * *", "0 +9 * * *", "-5 * * * *", "5- * * * *", "1-2-3 * * * *",
    "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 32 * *", "0 0 * 0 *", "0 0 * 13 *",
    "30-10 * * * *", "0 0 20-10 * *", "99999999999999999999 * * * *", "9223372036854775807 * * * *",
    "0x10 * * * *", "1e1 * * * *", "1.5 * * * *", "٣ * * * *", "1_0 * * * *", "0 0 1 1 0",
    # commas
    "1,,2 * * * *", ",5 * * * *", "5, * * * *", ", * * * *", "0 0 , * 1", "0 0 , * *",
    "0 , * * *", "0 0 1 , *", "0 0 , * ,", ",,, * * * *",
    # field counts and whitespace
    "", " ", "0 0 * *", "0 0 * * * *", "0 0 0 * * *", "0", "0 0", "* * * * * * *",
    " 0 0 * * *", "0 0 * * * ", "0  0 * * *", "0\t0 * * *", "0 0 * * *\n", "0\u00a00 * * *",
    "0\u20030 * * *", "0\x1c0 * * *", "0\u00850 * * *", "0\u200b0 * * *", "\t@daily",
    # descriptors
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    "@DAILY", "@daily ", "@reboot", "@", "@every", "@every 1h", "@every 1h30m", "@every 90s",
    "@every 15m", "@every 0", "@every 0s", "@every -5m", "@every 1.5h", "@every 500ms",
    "@every 1500ms", "@every 1\u00b5s", "@every h", "@every 1", "@every 1H", "@every  1h",
    "@every 1h ", "@every 2562047h", "@every 2562048h", "@every .5m", "@every 1.m",
    "@every 1d", "@every +1h", "@every 36h", "@every 1h0.5s",
    # zone prefixes (grammar side)
    "CRON_TZ=UTC 0 9 * * *", "TZ=UTC 0 9 * * *", "CRON_TZ=America/New_York 0 9 * * *",
    "TZ=Europe/Berlin 0 9 * * *", "CRON_TZ=Bad/Zone 0 9 * * *", "CRON_TZ=UTC",
    "TZ= 0 9 * * *", "CRON_TZ=Local 0 9 * * *", "CRON_TZ=../etc 0 9 * * *",
    "CRON_TZ=/etc/localtime 0 9 * * *", "cron_tz=UTC 0 9 * * *", " CRON_TZ=UTC 0 9 * * *",
    "CRON_TZ=Europe/Berlin  0 9 * * *", "CRON_TZ=Europe/Berlin\t0 9 * * *",
    "CRON_TZ=Europe/Lisbon @daily", "CRON_TZ=Asia/Tokyo @every 2h", "CRON_TZ=UTC 0 9 * *",
    "CRON_TZ=Europe 0 9 * * *", "CRON_TZ=europe/berlin 0 9 * * *", "TZ=EST5EDT 0 9 * * *",
    "CRON_TZ=Asia/Kolkata 0 0 * * 7", "CRON_TZ=UTC ", "TZ=UTC  @hourly",
    # zone names as time.LoadLocation reads them
    "CRON_TZ=Europe/Berlin/ 0 9 * * *", "CRON_TZ=Europe//Berlin 0 9 * * *",
    "CRON_TZ=./UTC 0 9 * * *", "CRON_TZ=posixrules 0 9 * * *", "CRON_TZ=zone.tab 0 9 * * *",
    "CRON_TZ=Etc/GMT+5 0 9 * * *", "CRON_TZ=EST 0 9 * * *", "CRON_TZ=GMT0 0 9 * * *",
    "CRON_TZ=Etc/UTC 0 9 * * *", "CRON_TZ=utc 0 9 * * *", "CRON_TZ=Factory 0 9 * * *",
    "CRON_TZ=America/Argentina/Buenos_Aires 0 9 * * *", "CRON_TZ=US/Eastern 30 2 * * *",
    "CRON_TZ=Europe/Kyiv 0 9 * * *", "CRON_TZ=Europe/Kiev 0 9 * * *",
]

# DST: each expression under each zone, with starts around the zone's 2026 transitions.
ZONES = [
    "America/New_York", "Europe/Berlin", "Europe/London", "Australia/Lord_Howe",
    "Australia/Sydney", "America/Santiago", "Pacific/Chatham", "America/Havana",
    "Asia/Kolkata", "America/Sao_Paulo",
]
DST_EXPRS = [
    "30 2 * * *", "30 1 * * *", "0 2 * * *", "0 1 * * *", "0 3 * * *", "0 * * * *",
    "30 * * * *", "*/30 * * * *", "*/15 1-3 * * *", "15 1,2,3 * * *", "0 0 * * *",
    "59 23 * * *", "0 0 * * 0", "45 2 * * 0", "0 */2 * * *", "30 0 * * *", "@daily", "@hourly",
    "0 0 1 * *", "0 0 */2 * 1", "45 2,3 * * *", "0 12 * * *",
]
GLOBAL_STARTS = [
    datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 27, 23, 59, 30, tzinfo=UTC),
    datetime(2026, 6, 15, 12, 34, 56, tzinfo=UTC), datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
]


def fuzz(count: int = 250, seed: int = 11) -> list[str]:
    """Seeded random expressions: well-formed and broken items mixed field by field."""
    rng = random.Random(seed)
    spans = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]
    names = [[], [], [], ["JAN", "feb", "Mar", "DEC"], ["MON", "fri", "Sun", "SAT"]]

    def item(i: int) -> str:
        lo, hi = spans[i]
        n = lambda: str(rng.randint(lo, hi + (2 if rng.random() < 0.15 else 0)))  # noqa: E731
        kind = rng.random()
        if kind < 0.25:
            return "*"
        if kind < 0.4:
            return f"*/{rng.randint(0, hi + 2)}"
        if kind < 0.55:
            return n()
        if kind < 0.7:
            a, b = sorted((int(n()), int(n())))
            return f"{a}-{b}" + (f"/{rng.randint(1, 7)}" if rng.random() < 0.4 else "")
        if kind < 0.78:
            return f"{n()}/{rng.randint(1, 9)}"
        if kind < 0.86 and names[i]:
            return rng.choice(names[i])
        if kind < 0.9:
            return rng.choice(["?", "L", "5#2", "W", "?/2"])
        return ",".join(n() for _ in range(rng.randint(2, 4)))

    out = []
    for _ in range(count):
        expr = " ".join(item(i) for i in range(5))
        if rng.random() < 0.3:
            expr = f"CRON_TZ={rng.choice(ZONES)} {expr}"
        out.append(expr)
    return out


def transitions_2026(name: str) -> list[int]:
    tz = ZoneInfo(name)

    def off(t: int) -> timedelta:
        return datetime.fromtimestamp(t, tz).utcoffset()

    out, t = [], int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    while t < end:
        if off(t) != off(t + 3600):
            lo, hi = t, t + 3600
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if off(mid) == off(t) else (lo, mid)
            out.append(hi)
        t += 3600
    return out


def corpus() -> list[dict]:
    starts = [int(s.timestamp()) for s in GLOBAL_STARTS]
    shared = [c["expr"] for c in json.loads(CORPUS.read_text("utf-8"))["cases"]]
    queries = [{"expr": e, "starts": starts, "n": RUNS_PER_START}
               for e in GRAMMAR + fuzz() + shared]
    for name in ZONES:
        near = sorted({s for tr in transitions_2026(name) for s in
                       (tr - 86400, tr - 7200, tr - 1800, tr + 1800)})
        for i, expr in enumerate(DST_EXPRS):
            prefix = "TZ=" if i % 5 == 4 else "CRON_TZ="
            queries.append({"expr": f"{prefix}{name} {expr}", "starts": starts[:2] + near,
                            "n": RUNS_PER_START})
    seen: set[str] = set()
    return [q for q in queries if not (q["expr"] in seen or seen.add(q["expr"]))]


def main() -> int:
    queries = corpus()
    src = os.environ.get("ROBFIG_CRON_SRC", "/usr/share/gocode/src/github.com/robfig/cron")
    env = {**os.environ, "TZ": "UTC", "GOFLAGS": "-mod=mod", "GOPROXY": "off",
           "GOTOOLCHAIN": "local"}
    subprocess.run(["go", "mod", "edit", f"-replace=github.com/robfig/cron/v3={src}"],
                   cwd=HERE, env=env, check=True)
    proc = subprocess.run(["go", "run", "."], cwd=HERE, env=env, input=json.dumps(queries),
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        return 1
    answers = json.loads(proc.stdout)
    for q, a in zip(queries, answers, strict=True):
        a["starts"] = q["starts"] if a["ok"] else []
    golden = {
        "about": "robfig/cron v3 ParseStandard + Next; regenerate: "
                 "python tests/fidelity/robfig/generate.py",
        "library": src,
        "runs_per_start": RUNS_PER_START,
        "cases": answers,
    }
    # One case per line: reviewable diffs when the library or the corpus changes.
    head = json.dumps({k: v for k, v in golden.items() if k != "cases"}, ensure_ascii=False)
    lines = ",\n".join(json.dumps(a, ensure_ascii=False) for a in answers)
    GOLDEN.write_text(f'{head[:-1]}, "cases": [\n{lines}\n]}}\n', encoding="utf-8")
    ok = sum(a["ok"] for a in answers)
    print(f"{len(answers)} expressions ({ok} accepted, {len(answers) - ok} refused) -> {GOLDEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
