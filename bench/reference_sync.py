"""The reference: what the seed scripts (`pnpm qstash:schedule`) do.

List the schedules, then create each job one request after another, with no schedule ID (so every
run adds duplicates: the very problem cronctl exists to fix). Used only as a timing baseline.

    python bench/reference_sync.py schedules.yaml
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import httpx

from cronctl.config import load_config
from cronctl.secrets import reveal


def main(path: str) -> int:
    config = load_config(Path(path))
    url = os.environ["QSTASH_URL"].rstrip("/")
    headers = {"Authorization": f"Bearer {os.environ['QSTASH_TOKEN']}"}
    started = time.perf_counter()
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        http.get("/v2/schedules").raise_for_status()
        for job in config.jobs_for("qstash"):
            q = job.spec  # the qstash target's part of the job
            cron = job.schedule if job.timezone == "UTC" else (
                f"CRON_TZ={job.timezone} {job.schedule}")
            h = {"Upstash-Cron": cron, "Upstash-Retries": str(q.retries or 3)}
            h.update({f"Upstash-Forward-{k}": reveal(v) for k, v in q.headers.items()})
            http.post(f"/v2/schedules/{q.url}", headers=h,
                      content=(q.body or "").encode()).raise_for_status()
    print(f"{time.perf_counter() - started:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
