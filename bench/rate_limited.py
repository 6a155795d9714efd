"""The first sync of N jobs under `cronctl dev --rate-limit 100` (25 ms latency), split in two:
the whole command (what a user waits for: interpreter start-up, reading the file, the planning
read, printing the plan, the paced creates) and the apply alone (the whole minus a `cronctl
diff` of the same file against the same empty server, which does everything but the creates).
Each as a ratio to the floor, (N + 1) / limit. With --before REF the cronctl of that commit runs
beside, the two taking turns on fresh servers.

    python bench/rate_limited.py --before main --repeats 3

Why two figures: a ratio of the whole command counts start-up and planning CPU against a 10 s
floor, so it moves with the machine (BENCHMARKS.md's 1.05 on a quiet one, 1.21 for a reviewer);
the apply alone is what the pacing decides. Also prints the answers refused (429).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as b  # noqa: E402

from cronctl.testing import DevServer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--before", default="")
    args = ap.parse_args()
    keep = tempfile.TemporaryDirectory()
    cases = [("cronctl", None)]
    if args.before:
        cases.append((f"cronctl {args.before}", b.export_before(args.before, Path(keep.name))))
    floor = (args.jobs + 1) / b.RATE
    got: dict[str, list[tuple[float, float, int, int]]] = {c: [] for c, _ in cases}
    for rep in range(args.repeats):
        for label, path in (cases if rep % 2 == 0 else cases[::-1]):
            with tempfile.TemporaryDirectory() as tmp, DevServer(
                    memory=True, latency_ms=b.LATENCY_MS, rate_limit=b.RATE) as server:
                folder = Path(tmp)
                b.write_config(folder, args.jobs)
                env = b.env_for(server)
                if path is not None:
                    env["PYTHONPATH"] = str(path)
                plan = b.run_cmd(b.cronctl("diff"), env, folder)
                server.reset_counts()
                whole = b.run_cmd(b.cronctl("schedule", "--yes"), env, folder)
                n = server.request_count()
                refused = server.status_counts().get(429, 0)
            got[label].append((whole.seconds, whole.seconds - plan.seconds, n, refused))
            print(f"{label}: whole {whole.seconds:.2f}s ({whole.seconds / floor:.2f}x), apply "
                  f"{whole.seconds - plan.seconds:.2f}s "
                  f"({(whole.seconds - plan.seconds) / floor:.2f}x)"
                  f", {n} requests, {refused} refused", flush=True)
    print(f"\n{args.jobs} jobs, floor {floor:.2f}s, medians of {args.repeats}")
    print("| client | whole s | whole / floor | apply s | apply / floor | requests | 429 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, runs in got.items():
        w = statistics.median(r[0] for r in runs)
        a = statistics.median(r[1] for r in runs)
        print(f"| {label} | {w:.2f} | {w / floor:.2f} | {a:.2f} | {a / floor:.2f} | "
              f"{int(statistics.median(r[2] for r in runs))} | "
              f"{int(statistics.median(r[3] for r in runs))} |")


if __name__ == "__main__":
    main()
