"""`cronctl ui` at 1,000 jobs with 24,000 runs: the jobs page's server time (the first one,
one after --refresh has passed, a cached one), /api/jobs, a job's page, and a read of the
targets (its time and provider requests) beside what `cronctl stats --since 24h` costs on the
same data. `--write` puts the table in BENCHMARKS.md (its own section, which bench/run.py keeps).

    .venv/bin/python bench/ui_jobs.py [--jobs 1000] [--repeats 5] [--write]

The setup is bench/run.py's stats case: n hourly business jobs on a real `cronctl dev`
(frozen clock, advanced a day: 24 runs per job, 25 ms added to every API answer), and a real
`cronctl ui` subprocess over it. Server time is the `Server-Timing` the UI reports for each
answer (the time from the request to the first byte of the answer); requests are counted by the
dev server. Prints a Markdown table (BENCHMARKS.md keeps the last run).
"""

from __future__ import annotations

import argparse
import re
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

TOKEN = "bench-admin-token-0123456789abcdef"


def server_ms(response: httpx.Response) -> float:
    found = re.search(r"dur=([0-9.]+)", response.headers.get("server-timing", ""))
    assert found, response.headers
    return float(found.group(1))


def _settled(server, quiet_s: float = 1.5) -> int:
    """The requests of the read that runs in the background, once no more come."""
    count, since = server.request_count(), time.monotonic()
    while time.monotonic() - since < quiet_s:
        time.sleep(0.2)
        now = server.request_count()
        if now != count:
            count, since = now, time.monotonic()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true",
                        help="also write the table into BENCHMARKS.md")
    args = parser.parse_args()
    n = args.jobs
    start = datetime.now(UTC) - timedelta(hours=24, minutes=1)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, ReceiverApp() as app, \
            DevServer(memory=True, latency_ms=bench.LATENCY_MS,
                      clock=f"frozen:{start:%Y-%m-%dT%H:%M:%SZ}") as server:
        folder = Path(tmp)
        path = bench.write_config(folder, n, hourly=True)
        path.write_text(path.read_text().replace("http://127.0.0.1:9/app", app.url))
        bench._sync(server, folder)
        t = time.perf_counter()
        server.advance(24 * 3600)
        print(f"setup: {n} jobs, 24 h of deliveries in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
        env = {**bench.env_for(server), "CRONCTL_UI_TOKENS": f"bench:admin:{TOKEN}"}
        server.reset_counts()
        stats = bench.run_cmd(bench.cronctl("stats", "--since", "24h", "--json"), env, folder)
        stats_requests = server.request_count()
        proc = subprocess.Popen(
            [*bench.cronctl("ui", "--port", "0", "--refresh", "2")], cwd=folder, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert proc.stdout is not None
            url = re.search(r"at (http://\S+?)/?$", proc.stdout.readline()).group(1)
            with httpx.Client(base_url=url, trust_env=False, timeout=600) as c:
                c.post("/login", data={"token": TOKEN})
                first = server_ms(c.get("/"))  # waits for the first read (begun at start)
                stale, reads, read_reqs, warm, api, job = [], [], [], [], [], []
                for _ in range(args.repeats):
                    time.sleep(2.1)  # the last read is older than --refresh 2
                    server.reset_counts()
                    r = c.get("/")  # served from the last read; a new one starts
                    assert r.status_code == 200 and r.text.count("<tr data-job=") == n
                    stale.append(server_ms(r))
                    read_reqs.append(_settled(server))
                    data = c.get("/api/jobs")
                    assert len(data.json()["jobs"]) == n
                    reads.append(data.json()["read_seconds"] * 1000)
                    server.reset_counts()
                    warm.append(server_ms(c.get("/")))
                    api.append(server_ms(c.get("/api/jobs")))
                    assert server.request_count() == 0  # cached between refreshes
                    job.append(server_ms(c.get("/jobs/job-0007")))
                runs = sum(r["recent"]["runs"] for r in data.json()["jobs"])
        finally:
            proc.terminate()
            proc.wait(15)
    med = statistics.median
    rows = [
        ("jobs page, the first after the server started (waits for the first read)",
         f"{first:.0f} ms", "-"),
        ("a read of the targets (in the background, once --refresh has passed)",
         f"{med(reads):.0f} ms", f"{int(med(read_reqs))}"),
        ("jobs page after --refresh has passed (the last read, while the next one runs)",
         f"{med(stale):.0f} ms", "0"),
        ("jobs page, cached", f"{med(warm):.0f} ms", "0"),
        ("/api/jobs (JSON), cached", f"{med(api):.0f} ms", "0"),
        ("a job's page (its runs and dead letters; probe loads after it)",
         f"{med(job):.0f} ms", "-"),
        ("`cronctl stats --since 24h` on the same data (the whole command)",
         f"{stats.seconds * 1000:.0f} ms", f"{stats_requests}"),
    ]
    text = [f"## `cronctl ui` at {n:,} jobs with {runs:,} runs in the window", "",
            f"{bench.machine()}; `cronctl dev` adds {bench.LATENCY_MS} ms to every API answer; "
            f"medians of {args.repeats}; server time from the UI's Server-Timing header.", "",
            "| what | server time | provider requests |", "|---|---:|---:|",
            *(f"| {what} | {secs} | {reqs} |" for what, secs, reqs in rows), ""]
    print("\n".join(text))
    if args.write:  # replaces this script's section of BENCHMARKS.md (bench/run.py keeps it)
        path = bench.ROOT / "BENCHMARKS.md"
        old = path.read_text()
        head, _, rest = old.partition(bench.UI_SECTION)
        notes = rest[rest.index("\n`python bench/ui_jobs.py`"):] if rest else ""
        path.write_text(head + "\n".join(text) + notes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
