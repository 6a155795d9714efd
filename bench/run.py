"""Benchmarks: start-up, sync at 10/100/1,000 jobs against `cronctl dev --latency-ms 25`, the
read commands at 1,000 jobs, and peak memory. Writes BENCHMARKS.md.

    python bench/run.py               # the full run (a few minutes)
    python bench/run.py --quick       # fewer repeats and sizes, for a smoke test

Every figure is a median over repeated runs; every comparison is a ratio measured side by side
in the same run. Commands run as real subprocesses, so interpreter start-up is included on both
sides of each ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cronctl.dev.testing import DevServer  # noqa: E402

PY = sys.executable
LATENCY_MS = 25
SECRET = "bench-secret-value-0123456789"


@dataclass
class Run:
    seconds: float
    requests: int | None = None
    maxrss_kb: int = 0


def run_cmd(args: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run a subprocess; wall time and its peak RSS (from wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"{' '.join(args)} exited {code}:\n{err}")
    return Run(elapsed, maxrss_kb=usage.ru_maxrss)


def median(runs: list[Run]) -> Run:
    secs = statistics.median(r.seconds for r in runs)
    reqs = [r.requests for r in runs if r.requests is not None]
    return Run(secs, int(statistics.median(reqs)) if reqs else None,
               max(r.maxrss_kb for r in runs))


def write_config(folder: Path, n: int, variant: int = 0, changed_share: float = 0.0) -> Path:
    """n business jobs; `changed_share` of them get a different schedule in `variant` 1."""
    lines = [
        "version: 1",
        "project: bench",
        "base_url: http://127.0.0.1:9/app",
        "defaults:",
        "  retries: 3",
        "  headers:",
        "    Authorization: Bearer ${CRON_SECRET}",
        "jobs:",
    ]
    changed = int(n * changed_share)
    for i in range(n):
        minute = (i * 7) % 60
        if variant and i < changed:
            minute = (minute + 1) % 60
        lines += [
            f"  job-{i:04d}:",
            "    tier: business",
            f"    path: /api/cron/job-{i:04d}",
            f'    schedule: "{minute} */2 * * *"',
            f"    timezone: {'Europe/Lisbon' if i % 3 == 0 else 'UTC'}",
            f"    labels: [bench, group-{i % 5}]",
        ]
    path = folder / "schedules.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def cronctl(*args: str) -> list[str]:
    return [PY, "-m", "cronctl", *args]


def env_for(server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(server.env())
    env.update(CRON_SECRET=SECRET, NO_COLOR="1")
    return env


def bench_startup(repeats: int) -> list[tuple[str, float, float]]:
    cwd = ROOT
    env = dict(os.environ, NO_COLOR="1")
    cases = {
        "python -c 'import typer, pydantic, httpx, rich, yaml'":
            [PY, "-c", "import typer, pydantic, httpx, rich, yaml"],
        "cronctl --help": cronctl("--help"),
        "cronctl validate (example)": cronctl("--config", "schedules.yaml", "validate"),
        "cronctl list --local (example)": cronctl("--config", "schedules.yaml", "list",
                                                  "--local"),
    }
    for args in cases.values():  # warm the file cache
        run_cmd(args, env, cwd)
    results = {name: median([run_cmd(args, env, cwd) for _ in range(repeats)])
               for name, args in cases.items()}
    base = next(iter(results.values())).seconds
    return [(name, r.seconds, r.seconds / base) for name, r in results.items()]


def _sync(server, folder: Path, *extra: str) -> Run:
    server.reset_counts()
    run = run_cmd(cronctl("schedule", "--yes", *extra), env_for(server), folder)
    run.requests = server.request_count()
    return run


def _reference(server, folder: Path) -> Run:
    server.reset_counts()
    run = run_cmd([PY, str(ROOT / "bench" / "reference_sync.py"), "schedules.yaml"],
                  env_for(server), folder)
    run.requests = server.request_count()
    return run


def bench_sync(sizes: list[int], repeats: int) -> tuple[list[dict], int]:
    rows = []
    peak = 0
    for n in sizes:
        reps = repeats if n < 1000 else max(1, repeats - 2)
        first, noop, tenth, ref, wide = [], [], [], [], []
        for _ in range(reps):
            with tempfile.TemporaryDirectory() as tmp, \
                    DevServer(memory=True, latency_ms=LATENCY_MS) as server:
                folder = Path(tmp)
                write_config(folder, n)
                first.append(_sync(server, folder))
                noop.append(_sync(server, folder))
                write_config(folder, n, variant=1, changed_share=0.10)
                tenth.append(_sync(server, folder))
            with tempfile.TemporaryDirectory() as tmp, \
                    DevServer(memory=True, latency_ms=LATENCY_MS) as server:
                folder = Path(tmp)
                write_config(folder, n)
                wide.append(_sync(server, folder, "--concurrency", "32"))
            with tempfile.TemporaryDirectory() as tmp, \
                    DevServer(memory=True, latency_ms=LATENCY_MS) as server:
                folder = Path(tmp)
                write_config(folder, n)
                ref.append(_reference(server, folder))
        for label, runs in (("first sync", first), ("first sync, --concurrency 32", wide),
                            ("no-op sync", noop), ("10% changed", tenth)):
            m, r = median(runs), median(ref)
            peak = max(peak, m.maxrss_kb)
            rows.append({"jobs": n, "case": label, "seconds": m.seconds,
                         "requests": m.requests, "ref_seconds": r.seconds,
                         "ref_requests": r.requests, "ratio": m.seconds / r.seconds})
        print(f"  {n} jobs done", file=sys.stderr)
    return rows, peak


def bench_reads(n: int, repeats: int) -> tuple[list[tuple[str, float, int | None]], int]:
    out = []
    peak = 0
    with tempfile.TemporaryDirectory() as tmp, \
            DevServer(memory=True, latency_ms=LATENCY_MS) as server:
        folder = Path(tmp)
        write_config(folder, n)
        _sync(server, folder)
        env = env_for(server)
        for name, args in (("list", cronctl("list", "--json")),
                           ("diff", cronctl("diff", "--json")),
                           ("stats --since 24h", cronctl("stats", "--json"))):
            runs = []
            for _ in range(repeats):
                server.reset_counts()
                run = run_cmd(args, env, folder)
                run.requests = server.request_count()
                runs.append(run)
            m = median(runs)
            peak = max(peak, m.maxrss_kb)
            out.append((name, m.seconds, m.requests))
    return out, peak


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, 10 and 100 jobs only")
    ap.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = ap.parse_args()
    repeats = 3 if args.quick else 5
    sizes = [10, 100] if args.quick else [10, 100, 1000]
    read_size = 100 if args.quick else 1000

    print("start-up...", file=sys.stderr)
    startup = bench_startup(repeats * 2)
    print("sync...", file=sys.stderr)
    sync_rows, peak_sync = bench_sync(sizes, repeats)
    print("reads...", file=sys.stderr)
    reads, peak_reads = bench_reads(read_size, repeats)

    lines = [
        "# Benchmarks",
        "",
        f"Generated by `python bench/run.py{' --quick' if args.quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {machine()}.",
        "",
        "Each figure is the median of repeated runs (start-up: "
        f"{repeats * 2}; sync: {repeats}, or {max(1, repeats - 2)} at 1,000 jobs). Every command "
        "runs as a real subprocess, interpreter start-up included, against `cronctl dev` on "
        f"loopback with {LATENCY_MS} ms added to every API response. Machines here are shared "
        "and noisy: read the ratios and request counts, not the absolute seconds.",
        "",
        "## Start-up",
        "",
        "| command | median s | ratio to the bare imports |",
        "|---|---:|---:|",
    ]
    lines += [f"| `{name}` | {sec:.3f} | {ratio:.2f} |" for name, sec, ratio in startup]
    lines += [
        "",
        "## Sync",
        "",
        "The reference client (`bench/reference_sync.py`) does what the seed scripts do: list "
        "the schedules, then create each job one request after another (and, having no "
        "schedule IDs, duplicates every job on each run).",
        "",
        "| jobs | case | cronctl s | requests | reference s | reference requests | ratio |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['jobs']} | {r['case']} | {r['seconds']:.2f} | {r['requests']} | "
        f"{r['ref_seconds']:.2f} | {r['ref_requests']} | {r['ratio']:.3f} |"
        for r in sync_rows
    ]
    lines += [
        "",
        f"## Read commands at {read_size} jobs",
        "",
        "| command | median s | requests |",
        "|---|---:|---:|",
    ]
    lines += [f"| `cronctl {name}` | {sec:.2f} | {reqs} |" for name, sec, reqs in reads]
    lines += [
        "",
        "## Peak memory",
        "",
        f"Largest sync run: {max(peak_sync, 1) / 1024:.0f} MiB peak RSS; read commands: "
        f"{max(peak_reads, 1) / 1024:.0f} MiB.",
        "",
    ]
    Path(args.output).write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
