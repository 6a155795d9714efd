"""Firing lag of `cronctl run`: N HTTP jobs due in the same minute against a local app (its own
process). Reports p50/p99 of (start of the run − its scheduled time), from the ledger, and of
(the app's receipt − scheduled time); the runner's CPU over the minute and its peak RSS.

    python bench/runner_lag.py                 # 1,000 jobs, SQLite ledger, two firings
    python bench/runner_lag.py --jobs 200 --postgres
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from runner_common import (  # noqa: E402
    Postgres,
    cpu_seconds,
    peak_rss_mib,
    percentile,
    received,
    start_app,
    start_runner,
)

from cronctl.targets.runner.ledger import Ledger  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--minutes", type=int, default=2, help="firings measured (the last one)")
    ap.add_argument("--postgres", action="store_true")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cronctl-bench-lag-"))
    app, url, log = start_app(folder)
    pg = Postgres() if args.postgres else None
    jobs = "".join(f"  j{i:04d}:\n    target: runner\n    path: /j/{i}\n"
                   f"    schedule: \"* * * * *\"\n" for i in range(args.jobs))
    (folder / "schedules.yaml").write_text(
        f"version: 1\nproject: bench\nbase_url: {url}\nrunner:\n  max_parallel: 64\n"
        + "jobs:\n" + jobs)
    env = {"CRONCTL_DATABASE_URL": pg.url} if pg else {}
    runner = start_runner(folder, env)
    db_url = pg.url if pg else str(folder / ".cronctl/runner.sqlite3")
    try:
        time.sleep(2)
        # measure the CPU of the last minute only (start-up and the first firing excluded)
        wait = 60 - time.time() % 60
        time.sleep(wait + 60 * (args.minutes - 1) - 1)
        cpu0, t0 = cpu_seconds(runner.pid), time.time()
        minute = int(time.time() // 60 + 1) * 60 * 1000
        deadline = time.time() + 75
        ledger = Ledger(db_url)
        while time.time() < deadline:
            rows = [r for r in ledger.runs(since=minute, until=minute, limit=100_000)]
            if len(rows) >= args.jobs and all(r.outcome != "running" for r in rows):
                break
            time.sleep(0.5)
        cpu = cpu_seconds(runner.pid) - cpu0
        wall = time.time() - t0
        rss = peak_rss_mib(runner.pid)
    finally:
        runner.terminate()
        runner.wait(timeout=60)
        app.terminate()
        if pg:
            pg.stop()
    lag = [(r.started_at - r.scheduled_at) / 1000 for r in rows if r.started_at]
    got = [t - minute / 1000 for rid, t in received(log)
           if rid.endswith(time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(minute / 1000)))]
    outcomes = {}
    for r in rows:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    print(f"jobs: {args.jobs}, ledger: {'PostgreSQL' if pg else 'SQLite'}")
    print(f"runs of the measured minute: {len(rows)} {outcomes}")
    print(f"start lag (ledger started_at - scheduled): min {min(lag):.3f}s "
          f"p50 {percentile(lag, .5):.3f}s p99 {percentile(lag, .99):.3f}s "
          f"max {max(lag):.3f}s")
    slow = [line for line in (folder / "runner.log").read_text().splitlines()
            if "tick took" in line]
    print("slow ticks logged:", slow[-2:] or "none")
    if got:
        print(f"app receipt - scheduled: p50 {percentile(got, .5):.3f}s "
              f"p99 {percentile(got, .99):.3f}s (n={len(got)})")
    print(f"runner CPU over the minute: {cpu:.2f}s in {wall:.1f}s wall "
          f"({100 * cpu / wall:.1f}% of one core)")
    print(f"runner peak RSS: {rss:.1f} MiB")


if __name__ == "__main__":
    main()
