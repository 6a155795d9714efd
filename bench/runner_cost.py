"""The runner's cost curve: 1,000, 5,000 and 10,000 HTTP jobs due every minute, and a ledger
holding 100,000 runs a day with retention on.

    python bench/runner_cost.py                       # both parts, SQLite
    python bench/runner_cost.py --sizes 1000 --skip-ledger

Firing: the real `cronctl run` subprocess (SQLite ledger, max_parallel 64) against the loopback
app; one minute measured after a warm start: lag p50/p99 (app receipt minus scheduled time),
the runner's CPU over that minute, its peak RSS. Each size's ratios are to the 1,000-job row
(linear growth: CPU ratio = job ratio).

Ledger: days of history written through the runner's own ledger (claim, then finish, in
batches of a minute's runs), 100,000 runs a day over 1,000 jobs; after each day the ledger
prunes with `keep_days` (the runner does it hourly). Reports the file size per day and the
time of each day's prune: with retention the size levels off at keep_days of history.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from runner_common import (  # noqa: E402
    cpu_seconds,
    peak_rss_mib,
    percentile,
    received,
    start_app,
    start_runner,
)


def firing(n: int, url: str, log: Path) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"cronctl-bench-cost-{n}-"))
    jobs = "".join(f"  j{i:05d}:\n    target: runner\n    path: /j/{i}\n"
                   f"    schedule: \"* * * * *\"\n" for i in range(n))
    (folder / "schedules.yaml").write_text(
        f"version: 1\nproject: bench\nbase_url: {url}\nrunner:\n  max_parallel: 64\n"
        "jobs:\n" + jobs)
    proc = start_runner(folder, {})
    try:
        deadline = time.monotonic() + 300
        while " jobs from " not in ((folder / "runner.log").read_text(errors="replace")
                                    if (folder / "runner.log").exists() else ""):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"the runner did not start: {folder}")
            time.sleep(0.5)
        time.sleep(5)
        if 60 - time.time() % 60 < 10:
            time.sleep(60 - time.time() % 60 + 1)
        minute = int(time.time() // 60 + 1) * 60
        time.sleep(max(0.0, minute - 1 - time.time()))
        cpu0 = cpu_seconds(proc.pid)
        time.sleep(60)  # the whole minute: its firing, then the idle ticks
        cpu = cpu_seconds(proc.pid) - cpu0
        rss = peak_rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=120)
    stamp = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(minute))
    got = [t - minute for rid, t in received(log) if rid.endswith(stamp)]
    shutil.rmtree(folder, ignore_errors=True)
    return {"n": n, "got": len(got), "p50": percentile(got, .5), "p99": percentile(got, .99),
            "cpu": cpu, "rss": rss, "load": os.getloadavg()[0]}


def ledger_growth(days: int, per_day: int, keep_days: int) -> list[dict]:
    from cronctl.targets.runner.ledger import Ledger
    from cronctl.targets.runner.records import Execution

    folder = Path(tempfile.mkdtemp(prefix="cronctl-bench-ledger-"))
    path = folder / "runner.sqlite3"
    ledger = Ledger(str(path))
    jobs = 1000
    per_minute = max(1, per_day // 1440)
    start = 1_800_000_000_000 // 86_400_000 * 86_400_000
    out = []
    for day in range(days):
        for minute in range(1440):
            t = start + day * 86_400_000 + minute * 60_000
            rows = [Execution(run_id=f"j{(minute * per_minute + k) % jobs:04d}@{t}",
                              job=f"j{(minute * per_minute + k) % jobs:04d}", scheduled_at=t,
                              triggered_by="schedule", user_name=None, replica="bench",
                              started_at=t + 5, finished_at=None, outcome="running",
                              lease_until=t + 30_000) for k in range(per_minute)]
            ledger.claim(rows)
            for r in rows:
                r.outcome, r.finished_at, r.attempts, r.http_status = "succeeded", t + 40, 1, 200
                r.duration_ms, r.result = 35, '{"ok":true}'
            ledger.finish_many(rows)
        now = start + (day + 1) * 86_400_000
        began = time.perf_counter()
        pruned = ledger.prune(now, keep_days, 100)
        took = time.perf_counter() - began
        size = sum(p.stat().st_size for p in folder.glob("runner.sqlite3*"))
        out.append({"day": day + 1, "rows": per_minute * 1440 * (day + 1) - 0, "pruned": pruned,
                    "prune_s": took, "mib": size / 2**20})
        print(f"day {day + 1}: {size / 2**20:.1f} MiB on disk, pruned {pruned} rows in "
              f"{took:.2f}s", flush=True)
    ledger.close()
    shutil.rmtree(folder, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,5000,10000")
    ap.add_argument("--skip-ledger", action="store_true")
    ap.add_argument("--skip-firing", action="store_true")
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--keep-days", type=int, default=2)
    ap.add_argument("--per-day", type=int, default=100_000)
    args = ap.parse_args()
    if not args.skip_firing:
        folder = Path(tempfile.mkdtemp(prefix="cronctl-bench-cost-"))
        app, url, log = start_app(folder)
        rows = []
        try:
            for n in (int(x) for x in args.sizes.split(",")):
                r = firing(n, url, log)
                rows.append(r)
                print(f"{n} jobs: received {r['got']}, p50 {r['p50']:.3f}s p99 {r['p99']:.3f}s, "
                      f"CPU {r['cpu']:.2f}s/min, RSS {r['rss']:.1f} MiB, load {r['load']:.1f}",
                      flush=True)
        finally:
            app.terminate()
        base = rows[0]
        print("| jobs | p50 s | p99 s | CPU s per minute | peak RSS MiB | CPU ratio | RSS ratio |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['n']:,} | {r['p50']:.3f} | {r['p99']:.3f} | {r['cpu']:.2f} | "
                  f"{r['rss']:.1f} | {r['cpu'] / base['cpu']:.2f} | {r['rss'] / base['rss']:.2f} |")
    if not args.skip_ledger:
        print(f"ledger: {args.per_day:,} runs a day, keep_days {args.keep_days}")
        ledger_growth(args.days, args.per_day, args.keep_days)


if __name__ == "__main__":
    main()
