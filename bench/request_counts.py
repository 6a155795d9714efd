"""HTTP requests each command costs against `cronctl dev`, for comparing two versions of cronctl
(e.g. before and after a refactor). Counts only: no timing, so it runs in seconds.

    python bench/request_counts.py                     # this checkout
    CRONCTL_SRC=/path/to/other/checkout python bench/request_counts.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import SECRET, write_config  # noqa: E402
from cronctl.testing import DevServer  # noqa: E402


def main() -> int:
    src = os.environ.get("CRONCTL_SRC")
    rows = []
    with DevServer(memory=True) as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.update(server.env(), CRON_SECRET=SECRET, NO_COLOR="1")
        if src:
            env["PYTHONPATH"] = src
        version = subprocess.run([sys.executable, "-c", "import cronctl; print(cronctl.__file__)"],
                                 env=env, cwd=folder, capture_output=True,
                                 text=True).stdout.strip()

        def count(name: str, *args: str) -> None:
            server.reset_counts()
            proc = subprocess.run([sys.executable, "-m", "cronctl", *args], cwd=folder, env=env,
                                  capture_output=True, text=True)
            assert proc.returncode in (0, 3), proc.stderr
            rows.append((name, server.request_count()))

        write_config(folder, 100)
        count("schedule, first sync of 100 jobs", "schedule", "--yes")
        count("schedule, no change", "schedule", "--yes")
        count("diff", "diff")
        count("list", "list")
        write_config(folder, 100, variant=1, changed_share=0.1)
        count("schedule, 10 of 100 changed", "schedule", "--yes")
        write_config(folder, 90)
        count("schedule, 10 of 100 removed", "schedule", "--yes")
        count("cleanup --all --force", "cleanup", "--all", "--yes", "--force")
    print(f"cronctl from {version}")
    print("| command | requests |\n|---|---|")
    for name, n in rows:
        print(f"| {name} | {n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
