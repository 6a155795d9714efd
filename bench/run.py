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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cronctl.testing import DevServer  # noqa: E402

PY = sys.executable
UI_SECTION = "## `cronctl ui`"  # written by bench/ui_jobs.py --write
LATENCY_MS = 25
SECRET = "bench-secret-value-0123456789"


@dataclass
class Run:
    seconds: float
    requests: int | None = None
    maxrss_kb: int = 0
    limited: int = 0  # answers 429
    cpu: float = 0.0  # user + system seconds of the process


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
    return Run(elapsed, maxrss_kb=usage.ru_maxrss, cpu=usage.ru_utime + usage.ru_stime)


def median(runs: list[Run]) -> Run:
    secs = statistics.median(r.seconds for r in runs)
    reqs = [r.requests for r in runs if r.requests is not None]
    return Run(secs, int(statistics.median(reqs)) if reqs else None,
               max(r.maxrss_kb for r in runs))


def write_config(folder: Path, n: int, variant: int = 0, changed_share: float = 0.0,
                 hourly: bool = False) -> Path:
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
            f'    schedule: "{minute} {"*" if hourly else "*/2"} * * *"',
            f"    timezone: {'Europe/Lisbon' if i % 3 == 0 else 'UTC'}",
            f"    labels: [bench, group-{i % 5}]",
        ]
    path = folder / "schedules.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def cronctl(*args: str) -> list[str]:
    return [PY, "-m", "cronctl", *args]


BEFORE: Path | None = None  # a copy of an older cronctl (--before REF), measured beside


def export_before(ref: str, into: Path) -> Path:
    """`git archive REF cronctl` into a folder that goes first on PYTHONPATH."""
    data = subprocess.run(["git", "archive", ref, "cronctl"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=data, check=True)
    return into


def env_for(server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(server.env())
    env.update(CRON_SECRET=SECRET, NO_COLOR="1")
    return env


def bench_startup(repeats: int, before: bool = False) -> list[tuple[str, float, float, float]]:
    """(command, median s, ratio of medians, ratio of median CPU times) against the bare
    imports. The cases take turns, so a burst of load elsewhere hits them all alike. They run
    in a copy of the example (so that `python -m cronctl` does not find the checkout's own
    package first when measuring --before)."""
    keep = tempfile.TemporaryDirectory()
    cwd = Path(keep.name)
    for name in ("schedules.yaml", "vercel.json"):
        (cwd / name).write_bytes((ROOT / name).read_bytes())
    env = dict(os.environ, NO_COLOR="1")
    cases = {
        "python -c 'import typer, pydantic, httpx, rich, yaml'":
            [PY, "-c", "import typer, pydantic, httpx, rich, yaml"],
        "cronctl --help": cronctl("--help"),
        "cronctl validate (example)": cronctl("--config", "schedules.yaml", "validate"),
        "cronctl list --local (example)": cronctl("--config", "schedules.yaml", "list",
                                                  "--local"),
    }
    envs = {name: env for name in cases}
    if before and BEFORE is not None:
        for name in ("cronctl --help", "cronctl validate (example)"):
            cases[f"{name}, cronctl before"] = cases[name]
            envs[f"{name}, cronctl before"] = {**env, "PYTHONPATH": str(BEFORE)}
    for name, args in cases.items():  # warm the file cache
        run_cmd(args, envs[name], cwd)
    runs: dict[str, list[Run]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, args in cases.items():
            runs[name].append(run_cmd(args, envs[name], cwd))
    base = runs[next(iter(cases))]
    base_s = statistics.median(r.seconds for r in base)
    base_cpu = statistics.median(r.cpu for r in base)
    return [(name, statistics.median(r.seconds for r in rs),
             statistics.median(r.seconds for r in rs) / base_s,
             statistics.median(r.cpu for r in rs) / base_cpu) for name, rs in runs.items()]


def _sync(server, folder: Path, *extra: str, before: bool = False) -> Run:
    server.reset_counts()
    env = env_for(server)
    if before:
        assert BEFORE is not None
        env["PYTHONPATH"] = str(BEFORE)
    run = run_cmd(cronctl("schedule", "--yes", *extra), env, folder)
    run.requests = server.request_count()
    run.limited = server.status_counts().get(429, 0)
    return run


def _reference(server, folder: Path) -> Run:
    server.reset_counts()
    run = run_cmd([PY, str(ROOT / "bench" / "reference_sync.py"), "schedules.yaml"],
                  env_for(server), folder)
    run.requests = server.request_count()
    run.limited = server.status_counts().get(429, 0)
    return run


RATE = 100  # requests per second, as QStash's burst limit on a common plan


def bench_rate_limited(n: int, repeats: int) -> list[dict]:
    """First sync of n jobs under `--rate-limit RATE` and 25 ms: cronctl, the client before
    (with --before), and the reference, each against a fresh server."""
    floor = (n + 1) / RATE
    cases = [("cronctl", lambda s, f: _sync(s, f))]
    if BEFORE is not None:
        cases.append(("cronctl before", lambda s, f: _sync(s, f, before=True)))
    cases.append(("reference client", _reference))
    rows = []
    for label, fn in cases:
        runs = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as tmp, \
                    DevServer(memory=True, latency_ms=LATENCY_MS, rate_limit=RATE) as server:
                folder = Path(tmp)
                write_config(folder, n)
                runs.append(fn(server, folder))
        m = median(runs)
        rows.append({"case": label, "seconds": m.seconds, "requests": m.requests,
                     "limited": int(statistics.median(r.limited for r in runs)),
                     "floor_ratio": m.seconds / floor})
    return rows


def bench_stats(n: int, repeats: int) -> list[dict]:
    """`stats --since 24h` for n hourly jobs after 24 h of deliveries (cronctl dev's frozen
    clock, advanced a day) under `--rate-limit RATE` and 25 ms."""
    from cronctl.testing import ReceiverApp

    start = datetime.now(UTC) - timedelta(hours=24, minutes=1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, ReceiverApp() as app, \
            DevServer(memory=True, latency_ms=LATENCY_MS, rate_limit=RATE,
                      clock=f"frozen:{start:%Y-%m-%dT%H:%M:%SZ}") as server:
        folder = Path(tmp)
        path = write_config(folder, n, hourly=True)
        path.write_text(path.read_text().replace("http://127.0.0.1:9/app", app.url))
        _sync(server, folder)
        server.advance(24 * 3600)
        env = env_for(server)
        variants = [("after", env)]
        if BEFORE is not None:
            variants.append(("before", {**env, "PYTHONPATH": str(BEFORE)}))
        for label, variant_env in variants:
            runs = []
            for _ in range(repeats):
                server.reset_counts()
                time.sleep(1.1)  # a full burst budget for each run
                run = run_cmd(cronctl("stats", "--since", "24h", "--json"), variant_env, folder)
                run.requests = server.request_count()
                run.limited = server.status_counts().get(429, 0)
                runs.append(run)
            m = median(runs)
            rows.append({"case": label, "seconds": m.seconds, "requests": m.requests,
                         "limited": int(statistics.median(r.limited for r in runs)),
                         "runs": 24 * n})
    return rows


def bench_sync(sizes: list[int], repeats: int) -> tuple[list[dict], int]:
    rows = []
    peak = 0
    for n in sizes:
        reps = repeats if n < 1000 else max(1, repeats - 2)
        first, noop, tenth, ref, wide, old = [], [], [], [], [], []
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
            if BEFORE is not None:
                with tempfile.TemporaryDirectory() as tmp, \
                        DevServer(memory=True, latency_ms=LATENCY_MS) as server:
                    folder = Path(tmp)
                    write_config(folder, n)
                    old.append(_sync(server, folder, before=True))
            with tempfile.TemporaryDirectory() as tmp, \
                    DevServer(memory=True, latency_ms=LATENCY_MS) as server:
                folder = Path(tmp)
                write_config(folder, n)
                ref.append(_reference(server, folder))
        cases = [("first sync", first), ("first sync, --concurrency 32", wide),
                 ("no-op sync", noop), ("10% changed", tenth)]
        if old:
            cases.insert(1, ("first sync, cronctl before", old))
        for label, runs in cases:
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
    ap.add_argument("--before", metavar="REF",
                    help="also measure the cronctl of this git commit, beside (e.g. main)")
    args = ap.parse_args()
    global BEFORE
    keep = tempfile.TemporaryDirectory()
    if args.before:
        BEFORE = export_before(args.before, Path(keep.name))
    repeats = 3 if args.quick else 5
    sizes = [10, 100] if args.quick else [10, 100, 1000]
    read_size = 100 if args.quick else 1000

    load_start = os.getloadavg()[0]
    print("start-up...", file=sys.stderr)
    startup = bench_startup(repeats * 4, before=True)
    print("sync...", file=sys.stderr)
    sync_rows, peak_sync = bench_sync(sizes, repeats)
    print("reads...", file=sys.stderr)
    reads, peak_reads = bench_reads(read_size, repeats)
    print("rate-limited sync...", file=sys.stderr)
    limited = bench_rate_limited(read_size, max(1, repeats - 2))
    print("stats...", file=sys.stderr)
    stats_rows = bench_stats(read_size, max(1, repeats - 2))

    lines = [
        "# Benchmarks",
        "",
        f"Generated by `python bench/run.py{' --quick' if args.quick else ''}"
        f"{f' --before {args.before}' if args.before else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end.",
        "",
        f"Machine: {machine()}.",
        "",
        "Each figure is the median of repeated runs (start-up: "
        f"{repeats * 4}, the cases taking turns; sync: {repeats}, or {max(1, repeats - 2)} "
        "at 1,000 jobs). Every command "
        "runs as a real subprocess, interpreter start-up included, against `cronctl dev` on "
        f"loopback with {LATENCY_MS} ms added to every API response. Machines here are shared "
        "and noisy: read the ratios and request counts, not the absolute seconds.",
        "",
        "## Start-up",
        "",
        "| command | median s | ratio to the bare imports | ratio of CPU time |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| `{name}` | {sec:.3f} | {ratio:.2f} | {cpu:.2f} |"
              for name, sec, ratio, cpu in startup]
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
    floor = (read_size + 1) / RATE
    lines += [
        "",
        f"## First sync of {read_size} jobs under `cronctl dev --rate-limit {RATE}`",
        "",
        f"{LATENCY_MS} ms latency; the floor is {read_size + 1} requests / {RATE} per second "
        f"= {floor:.2f} s" + (f"; \"cronctl before\" is commit `{args.before}`."
                               if args.before else "."),
        "",
        "| client | median s | requests answered | of them 429 | ratio to the floor |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['case']} | {r['seconds']:.2f} | {r['requests']} | {r['limited']} | "
              f"{r['floor_ratio']:.2f} |" for r in limited]
    lines += [
        "",
        f"## `cronctl stats --since 24h` at {read_size} hourly jobs under "
        f"`--rate-limit {RATE}`",
        "",
        f"24 h of deliveries ({24 * read_size} runs) produced by `cronctl dev`'s frozen clock; "
        f"{LATENCY_MS} ms latency.",
        "",
        "| cronctl | median s | requests | of them 429 |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r['case']} | {r['seconds']:.2f} | {r['requests']} | {r['limited']} |"
              for r in stats_rows]
    lines += [
        "",
        "## Peak memory",
        "",
        f"Largest sync run: {max(peak_sync, 1) / 1024:.0f} MiB peak RSS; read commands: "
        f"{max(peak_reads, 1) / 1024:.0f} MiB.",
        "",
    ]
    out = Path(args.output)
    # Sections other scripts write (the runner's, the dashboard's) are kept as they are.
    kept = _other_sections(out.read_text(), lines) if out.exists() else ""
    out.write_text("\n".join(lines) + (f"\n{kept}" if kept else ""))
    print("\n".join(lines))
    return 0


def _other_sections(text: str, ours: list[str]) -> str:
    """The `## ` sections of BENCHMARKS.md this script does not write, from the first such one."""
    own = {line for line in ours if line.startswith("## ")}
    parts = text.split("\n## ")
    for i, part in enumerate(parts[1:], 1):
        if "## " + part.splitlines()[0] not in own:
            return "## " + "\n## ".join(parts[i:])
    return ""


if __name__ == "__main__":
    sys.exit(main())
