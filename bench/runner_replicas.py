"""Replicas of `cronctl run` on one PostgreSQL, one of them SIGKILLed mid-run every few
seconds and started again: duplicates (a run ID the app received twice) and missed runs (a due
time with no run), over at least 500 due runs.

    python bench/runner_replicas.py --replicas 2
    python bench/runner_replicas.py --replicas 3
    python bench/runner_replicas.py --replicas 1     # a single runner restarted mid-delivery
    python bench/runner_replicas.py --burst          # 1 against 3 replicas finishing a burst

`--burst`: 300 HTTP jobs due in the same minute, an app that takes 0.2 s per answer and
`max_parallel: 8` per replica (so one replica's threads bound the burst); 1 and 3 replicas
alternate, round by round, each on a fresh database: seconds from the minute until every run
is recorded ended, the runs each replica did, duplicates. `--old COMMIT` adds 3 replicas of
the runner from that commit.

Jobs: `@every 2s` HTTP jobs against an app that takes 0.5 s to answer (so kills land mid-run),
lease 3s, catchup: all, starting_deadline 10s. Expected times: every 2 s per job between its
first and last scheduled time in the ledger.
"""

from __future__ import annotations

import argparse
import collections
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from runner_common import Postgres, received, start_app, start_runner  # noqa: E402

from cronctl.targets.runner.ledger import Ledger  # noqa: E402


def _victim(procs, url: str, rng: random.Random) -> int:
    """A replica with a run in flight, killed while it runs (runs start on even seconds and
    take 0.5 s): wait for the middle of one, then pick the replica that holds it."""
    while not 0.15 <= time.time() % 2 <= 0.35:
        time.sleep(0.01)
    ledger = Ledger(url)
    try:
        holders = {r.replica for r in ledger.running(None, int(time.time() * 1000))}
    finally:
        ledger.close()
    busy = [i for i, p in enumerate(procs) if any(f"-{p.pid}-" in h for h in holders)]
    return rng.choice(busy) if busy else rng.randrange(len(procs))


def _burst_round(k: int, args, pg: Postgres, url: str, log: Path, rnd: int, old: str) -> dict:
    import psycopg

    folder = Path(tempfile.mkdtemp(prefix="cronctl-bench-burst-"))
    jobs = "".join(f"  j{i:04d}:\n    target: runner\n    path: /j/{i}\n"
                   "    schedule: \"* * * * *\"\n" for i in range(args.jobs))
    (folder / "schedules.yaml").write_text(
        f"version: 1\nproject: bench\nbase_url: {url}\nrunner:\n  max_parallel: 8\n"
        "jobs:\n" + jobs)
    db = f"burst{rnd}_{k}_{int(time.time())}"
    with psycopg.connect(pg.url, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {db}")
    db_url = pg.url.rsplit("/", 1)[0] + f"/{db}"
    env = {"CRONCTL_DATABASE_URL": db_url, **({"PYTHONPATH": old} if old else {})}
    procs = [start_runner(folder, env) for _ in range(k)]
    try:
        # every replica up and past two housekeepings (it reads the others' heartbeats)
        time.sleep(25)
        if 60 - time.time() % 60 < 5:
            time.sleep(10)
        minute = int(time.time() // 60 + 1) * 60
        ledger = Ledger(db_url)
        end = minute + 240
        while time.time() < end:
            time.sleep(0.5)
            if time.time() < minute:
                continue
            rows = ledger.runs(since=minute * 1000, until=minute * 1000, limit=1_000_000)
            if len(rows) >= args.jobs and all(r.outcome != "running" for r in rows):
                break
        took = max((r.finished_at or 0) for r in rows) / 1000 - minute
        ledger.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
    stamp = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(minute))
    got = collections.Counter(rid for rid, _ in received(log) if rid.endswith(stamp))
    per = collections.Counter(r.replica for r in rows)
    return {"took": took, "per": sorted(per.values(), reverse=True), "rows": len(rows),
            "dups": sum(n - 1 for n in got.values() if n > 1), "received": len(got)}


def burst(args) -> None:
    import statistics

    folder = Path(tempfile.mkdtemp(prefix="cronctl-bench-burst-"))
    app, url, log = start_app(folder, delay=0.2)
    pg = Postgres()
    old = ""
    if args.old:
        import subprocess

        old = tempfile.mkdtemp(prefix="cronctl-bench-old-")
        root = Path(__file__).resolve().parent.parent
        subprocess.run(f"git -C {root} archive {args.old} cronctl | tar -x -C {old}",
                       shell=True, check=True)
    plan = [(1, ""), (3, "")] + ([(3, old)] if old else [])
    took: dict[str, list[float]] = {}
    try:
        for rnd in range(args.rounds):
            for k, code in plan[rnd % len(plan):] + plan[:rnd % len(plan)]:
                label = f"{k} replica(s)" + (", before" if code else "")
                r = _burst_round(k, args, pg, url, log, rnd, code)
                took.setdefault(label, []).append(r["took"])
                print(f"round {rnd + 1} {label}: burst done in {r['took']:.2f}s, runs per "
                      f"replica {r['per']}, rows {r['rows']}, received {r['received']}, "
                      f"duplicates {r['dups']}", flush=True)
    finally:
        app.terminate()
        pg.stop()
    one = statistics.median(took["1 replica(s)"])
    for label, values in took.items():
        m = statistics.median(values)
        print(f"{label}: median {m:.2f}s ({m / one:.2f} of one replica's)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--kill-every", type=float, default=10)
    ap.add_argument("--down", type=float, default=3, help="seconds a killed replica stays down")
    ap.add_argument("--burst", action="store_true")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--old", default="")
    args = ap.parse_args()
    if args.burst:
        if args.jobs == 10:
            args.jobs = 300
        burst(args)
        return
    folder = Path(tempfile.mkdtemp(prefix="cronctl-bench-replicas-"))
    app, url, log = start_app(folder, delay=0.5)
    pg = Postgres()
    jobs = "".join(f"  j{i}:\n    target: runner\n    path: /j/{i}\n    schedule: \"@every 2s\"\n"
                   "    overlap: allow\n    catchup: all\n    starting_deadline: 10s\n"
                   for i in range(args.jobs))
    (folder / "schedules.yaml").write_text(
        f"version: 1\nproject: bench\nbase_url: {url}\nrunner:\n  lease: 3s\n  kill_grace: 1s\n"
        "jobs:\n" + jobs)
    env = {"CRONCTL_DATABASE_URL": pg.url}
    procs = [start_runner(folder, env) for _ in range(args.replicas)]
    kills = 0
    rng = random.Random(7)
    try:
        end = time.monotonic() + args.seconds
        next_kill = time.monotonic() + args.kill_every
        while time.monotonic() < end:
            time.sleep(0.2)
            if time.monotonic() >= next_kill:
                i = _victim(procs, pg.url, rng)
                procs[i].send_signal(signal.SIGKILL)
                procs[i].wait()
                kills += 1
                time.sleep(args.down)
                procs[i] = start_runner(folder, env)
                next_kill = time.monotonic() + args.kill_every
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        time.sleep(4)  # leases of the last kill run out: recorded by the next check below
        ledger = Ledger(pg.url)
        ledger.expire(int(time.time() * 1000))
        rows = ledger.runs(limit=1_000_000)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        app.terminate()
        pg.stop()
    got = collections.Counter(rid for rid, _ in received(log))
    duplicates = sum(n - 1 for n in got.values() if n > 1)
    by_job = collections.defaultdict(list)
    for r in rows:
        if r.triggered_by == "schedule":
            by_job[r.job].append(r.scheduled_at)
    due = 0
    holes = 0
    for times in by_job.values():
        times.sort()
        span = (times[-1] - times[0]) // 2000 + 1
        due += span
        holes += span - len(set(times))
    outcomes = collections.Counter(r.outcome for r in rows)
    print(f"replicas: {args.replicas}, jobs: {args.jobs} x @every 2s, {args.seconds}s, "
          f"{kills} SIGKILLs ({args.down:g}s down each)")
    print(f"due runs: {due}; ledger rows: {len(rows)} {dict(outcomes)}")
    print(f"duplicates (a run ID delivered twice): {duplicates}")
    print(f"missed: {holes} with no row at all, {outcomes['missed']} recorded missed; "
          f"abandoned (a killed replica's run, recorded): {outcomes['abandoned']}")
    print(f"requests the app received: {sum(got.values())} for {len(got)} run IDs")


if __name__ == "__main__":
    main()
