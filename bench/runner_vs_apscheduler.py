"""`cronctl run` (SQLite and PostgreSQL ledgers) against APScheduler 3.11, side by side:
N HTTP jobs due in the same minute against one loopback app, the contenders interleaved
round by round (the order rotates), each a fresh process measured on its first firing after
a warm start. Reports medians and each contender's ratio to APScheduler.

    pip install -e '.[runner,bench]'
    python bench/runner_vs_apscheduler.py                      # 1,000 jobs, 3 rounds
    python bench/runner_vs_apscheduler.py --only sqlite,aps --rounds 1 --profile

Lag = the app's receipt of the run minus its scheduled time (the same measure for every
contender). CPU = the contender's user+system CPU from 1 s before the minute until every run
was received and, for the runner, durably recorded in its ledger (no row left `running`).
APScheduler: BackgroundScheduler, a 64-thread ThreadPoolExecutor (the runner's max_parallel),
one cron job per URL, each run a POST over a keep-alive http.client connection per thread
(the runner's own way), misfire_grace_time 60 s (so load does not drop runs), no job store
(it keeps no record of a run). `--profile` samples the runner with py-spy over the minute
(all threads) and prints the hottest functions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from runner_common import (  # noqa: E402
    PY,
    ROOT,
    Postgres,
    cpu_seconds,
    peak_rss_mib,
    percentile,
    received,
    start_app,
    start_runner,
)

APS = r'''
import http.client, sys, threading, time
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
local = threading.local()
def fire(i):
    minute = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime())
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", f"/j/{i}", body=b"", headers={"X-Cronctl-Run-Id": f"j{i}@{minute}"})
        r = conn.getresponse(); r.read()
    except Exception:
        conn.close(); local.conn = None
s = BackgroundScheduler(executors={"default": ThreadPoolExecutor(64)},
                        job_defaults={"misfire_grace_time": 60, "coalesce": True})
for i in range(n):
    s.add_job(fire, "cron", args=[i], minute="*", id=f"j{i}")
s.start()
open(ready, "w").write("ready")
threading.Event().wait()
'''


def _write_config(folder: Path, url: str, n: int) -> None:
    jobs = "".join(f"  j{i:04d}:\n    target: runner\n    path: /j/{i}\n"
                   f"    schedule: \"* * * * *\"\n" for i in range(n))
    (folder / "schedules.yaml").write_text(
        f"version: 1\nproject: bench\nbase_url: {url}\nrunner:\n  max_parallel: 64\n"
        + "jobs:\n" + jobs)


def _ready(name: str, folder: Path) -> bool:
    if name == "aps":
        return (folder / "ready").exists()
    log = folder / "runner.log"
    return log.exists() and " jobs from " in log.read_text(errors="replace")


def _pending(db_url: str, minute_ms: int) -> int | None:
    """Runs of the minute not yet recorded as ended (None: fewer rows than expected yet)."""
    from cronctl.targets.runner.ledger import Ledger

    ledger = Ledger(db_url)
    try:
        rows = ledger.runs(since=minute_ms, until=minute_ms, limit=1_000_000)
    finally:
        ledger.close()
    return sum(r.outcome == "running" for r in rows), len(rows)


def one_round(name: str, n: int, url: str, port: int, log: Path, pg: Postgres | None,
              rnd: int, profile: bool, old: str = "") -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"cronctl-bench-vs-{name}-"))
    db_url = ""
    if name == "aps":
        proc = subprocess.Popen([PY, "-c", APS, str(port), str(n), str(folder / "ready")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        _write_config(folder, url, n)
        env = {"PYTHONPATH": old} if name.endswith("-old") else {}
        if name.startswith("postgres"):
            import psycopg

            db = f"r{rnd}_{int(time.time())}"
            with psycopg.connect(pg.url, autocommit=True) as c:
                c.execute(f"CREATE DATABASE {db}")
            db_url = pg.url.rsplit("/", 1)[0] + f"/{db}"
            env["CRONCTL_DATABASE_URL"] = db_url
        else:
            db_url = str(folder / ".cronctl/runner.sqlite3")
        proc = start_runner(folder, env)
    try:
        deadline = time.monotonic() + 120
        while not _ready(name, folder):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"{name} did not start: see {folder}")
            time.sleep(0.2)
        time.sleep(3)  # past the first tick
        if 60 - time.time() % 60 < 8:  # too close: the next minute
            time.sleep(60 - time.time() % 60 + 1)
        minute = int(time.time() // 60 + 1) * 60
        time.sleep(max(0.0, minute - 1 - time.time()))
        cpu0 = cpu_seconds(proc.pid)
        spy = None
        if profile and name != "aps":
            spy = subprocess.Popen([str(Path(PY).parent / "py-spy"), "record", "--pid",
                                    str(proc.pid), "--format", "raw", "--rate", "200",
                                    "--duration", "25", "--nonblocking", "-o",
                                    str(folder / "profile.txt")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stamp = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(minute))
        end = time.time() + 90
        got: list[float] = []
        pending = None
        while time.time() < end:
            got = [t - minute for rid, t in received(log) if rid.endswith(stamp)]
            if len(got) >= n:
                if not db_url:
                    break
                pending = _pending(db_url, minute * 1000)
                if pending[0] == 0 and pending[1] >= n:
                    break
            time.sleep(0.25)
        cpu = cpu_seconds(proc.pid) - cpu0
        rss = peak_rss_mib(proc.pid)
        if spy is not None:
            spy.wait()
            _print_profile(folder / "profile.txt", name)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    shutil.rmtree(folder, ignore_errors=True)
    return {"n": len(got), "p50": percentile(got, .5) if got else float("nan"),
            "p99": percentile(got, .99) if got else float("nan"), "cpu": cpu, "rss": rss,
            "load": os.getloadavg()[0], "recorded": pending}


def _print_profile(path: Path, name: str, top: int = 25) -> None:
    """py-spy's raw (collapsed) stacks: self and inclusive samples per function."""
    if not path.exists():
        print(f"  ({name}: py-spy wrote no profile)")
        return
    own: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if not f.startswith("process ")
                  and not f.startswith("thread ")]
        c = int(count)
        total += c
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + c
        for f in set(frames):
            incl[f] = incl.get(f, 0) + c
    print(f"  profile of {name}: {total} samples (all threads, idle waits included)")
    for title, table in (("self", own), ("inclusive", incl)):
        print(f"  -- {title}")
        for f, c in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {100 * c / total:5.1f}%  {f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="sqlite,postgres,aps")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--old", default="", help="a commit: adds sqlite-old and postgres-old, the "
                    "runner from that commit (git archive), interleaved with the others")
    args = ap.parse_args()
    names = args.only.split(",")
    old = ""
    if args.old:
        old = tempfile.mkdtemp(prefix="cronctl-bench-old-")
        subprocess.run(f"git -C {ROOT} archive {args.old} cronctl | tar -x -C {old}",
                       shell=True, check=True)
        names += [f"{n}-old" for n in ("sqlite", "postgres") if n in names]
    folder = Path(tempfile.mkdtemp(prefix="cronctl-bench-vs-"))
    app, url, log = start_app(folder)
    port = int(url.rsplit(":", 1)[1])
    pg = Postgres() if any(n.startswith("postgres") for n in names) else None
    results: dict[str, list[dict]] = {n: [] for n in names}
    try:
        for rnd in range(args.rounds):
            order = names[rnd % len(names):] + names[:rnd % len(names)]
            for name in order:
                r = one_round(name, args.jobs, url, port, log, pg, rnd, args.profile, old)
                results[name].append(r)
                print(f"round {rnd + 1} {name:8} received {r['n']} p50 {r['p50']:.3f}s "
                      f"p99 {r['p99']:.3f}s CPU {r['cpu']:.2f}s RSS {r['rss']:.1f} MiB "
                      f"load {r['load']:.1f} ledger (running, rows) {r['recorded']}",
                      flush=True)
    finally:
        app.terminate()
        if pg:
            pg.stop()
    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("p50", "p99", "cpu", "rss")}
           for n, rs in results.items()}
    ref = med.get("aps")
    print(f"\n{args.jobs} jobs, {args.rounds} interleaved rounds, medians "
          "(ratio to APScheduler; < 1 is ahead)")
    print("| scheduler | p50 s | p99 s | CPU s | peak RSS MiB |\n|---|---:|---:|---:|---:|")
    label = {"sqlite": "cronctl run, SQLite", "postgres": "cronctl run, PostgreSQL",
             "aps": "APScheduler 3.11, 64 threads", "sqlite-old": "cronctl run, SQLite, before",
             "postgres-old": "cronctl run, PostgreSQL, before"}
    for n, m in med.items():
        cells = [f"{m[k]:.3f}" + (f" ({m[k] / ref[k]:.2f})" if ref else "")
                 for k in ("p50", "p99", "cpu")]
        cells.append(f"{m['rss']:.1f}" + (f" ({m['rss'] / ref['rss']:.2f})" if ref else ""))
        print(f"| {label.get(n, n)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
