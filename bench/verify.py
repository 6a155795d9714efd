"""`cronctl verify --since 24h` at n QStash jobs with 24 runs each: false alarms (the target is
0), provider requests and time, beside `cronctl stats --since 24h` on the same data (the
reference: it reads the same logs), and the share of a schedule deleted behind cronctl's back
that is reported missed. `--write` puts the table in BENCHMARKS.md (its own section, which
bench/run.py keeps).

    .venv/bin/python bench/verify.py [--jobs 1000] [--repeats 3] [--write]

The setup is bench/run.py's stats case: n hourly business jobs on a real `cronctl dev`
(frozen clock, advanced a day: 24 deliveries per job to a loopback app, 25 ms added to every
API answer). Requests are counted by the dev server.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: its project writer and helpers)

from cronctl.testing import DevServer, ReceiverApp  # noqa: E402

SECTION = "## `cronctl verify`"


def in_step(server) -> None:
    """Move the dev server's frozen clock up to the wall clock (firing what is due on the
    way): the commands measure against the wall clock, so the two must agree."""
    behind = time.time() - server.now().timestamp()
    if behind > 0:
        server.advance(behind)


def capture(folder: Path, env: dict, *args: str, server=None) -> tuple[dict, float]:
    """The JSON a command prints (exit 0 or 1: verify's verdict), and its wall time."""
    if server is not None:
        in_step(server)
    started = time.perf_counter()
    proc = subprocess.run(bench.cronctl(*args), cwd=folder, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"cronctl {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return json.loads(proc.stdout), elapsed


def measure(server, folder: Path, env: dict, args: list[str], repeats: int):
    times, counts = [], []
    for _ in range(repeats):
        server.reset_counts()
        time.sleep(1.1)  # a full burst budget for each run
        in_step(server)
        server.reset_counts()
        times.append(capture(folder, env, *args)[1])
        counts.append(server.request_count())
    return statistics.median(times), int(statistics.median(counts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true",
                        help="also write the table into BENCHMARKS.md")
    args = parser.parse_args()
    n = args.jobs
    start = datetime.now(UTC) - timedelta(hours=24, minutes=1)
    with tempfile.TemporaryDirectory() as tmp, ReceiverApp() as app, \
            DevServer(memory=True, latency_ms=bench.LATENCY_MS,
                      clock=f"frozen:{start:%Y-%m-%dT%H:%M:%SZ}") as server:
        folder = Path(tmp)
        path = bench.write_config(folder, n, hourly=True)
        path.write_text(path.read_text().replace("http://127.0.0.1:9/app", app.url))
        env = bench.env_for(server)
        bench.run_cmd(bench.cronctl("schedule", "--yes"), env, folder)
        # A day of deliveries (the dev clock ends at about the wall clock, which verify uses);
        # six hours before the end, one schedule is deleted behind cronctl's back.
        gone = "cronctl.bench.job-0000"
        server.advance(18 * 3600)
        httpx.delete(f"{server.url}/v2/schedules/{gone}", trust_env=False,
                     headers={"Authorization": f"Bearer {server.token}"}).raise_for_status()
        server.advance(6 * 3600)
        report, _ = capture(folder, env, "verify", "--since", "24h", "--json", server=server)
        healthy = [j for j in report["jobs"] if j["job"] != "job-0000"]
        alarms = sum(j["counts"][s] + len(j["unexpected"]) for j in healthy
                     for s in ("missed", "failed", "duplicate", "stuck"))
        alarms += len(report["unknown_jobs"])
        slots = sum(j["expected"] for j in healthy)
        job = next(j for j in report["jobs"] if j["job"] == "job-0000")
        verify_s, verify_req = measure(server, folder, env, ["verify", "--since", "24h",
                                                             "--json"], args.repeats)
        stats_s, stats_req = measure(server, folder, env, ["stats", "--since", "24h",
                                                           "--json"], args.repeats)
    rows = [
        ("healthy slots judged (24 h, hourly jobs)", f"{slots:,}"),
        ("false alarms (missed, failed, duplicate, stuck, unexpected)", f"{alarms}"),
        ("`cronctl verify --since 24h`: time", f"{verify_s * 1000:.0f} ms"),
        ("... provider requests", f"{verify_req}"),
        ("`cronctl stats --since 24h` (reference): time", f"{stats_s * 1000:.0f} ms"),
        ("... provider requests", f"{stats_req}"),
        ("verify / stats: time, requests", f"{verify_s / stats_s:.2f}x, "
                                           f"{verify_req / max(1, stats_req):.2f}x"),
        ("a schedule deleted behind cronctl's back 6 h before: slots missed, ok",
         f"{job['counts']['missed']}, {job['counts']['ok']} of {job['expected']} (drift "
         f"named: {'yes' if job['drift'] else 'no'})"),
    ]
    text = [f"{SECTION} at {n:,} jobs", "",
            f"{bench.machine()}; `cronctl dev` adds {bench.LATENCY_MS} ms to every API answer; "
            f"medians of {args.repeats}.", "",
            "| what | value |", "|---|---:|", *(f"| {w} | {v} |" for w, v in rows), "",
            "`python bench/verify.py` writes this section. The machine is shared with other "
            "work: compare rows of one run, not runs.", ""]
    print("\n".join(text))
    if args.write:
        target = bench.ROOT / "BENCHMARKS.md"
        old = target.read_text()
        head, _, rest = old.partition(SECTION)
        tail = rest[rest.index("\n## "):] if "\n## " in rest else ""
        target.write_text(head.rstrip("\n") + "\n\n" + "\n".join(text) + tail)
    return 0 if alarms == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
