"""Screenshots of `cronctl ui` for docs/dashboard.md, made with the browser tests' Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs]

Starts a loopback app, a real `cronctl dev`, a project of seven jobs on three targets with a
few runs (some failing, one job paused), and `cronctl ui`; then saves docs/ui-jobs.png (the
jobs page), docs/ui-job.png (a job's page), docs/ui-narrow.png (the jobs page 360 px wide),
docs/ui-plan.png (the plan page with a pending change) and docs/ui-edit.png (the schedule
editor's preview). `--extra DIR` also saves the job page, the plan and the editor at 360 px
there (for a review, not the docs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cronctl.testing import DevServer  # noqa: E402
from tests.ui import browser as chromium  # noqa: E402
from tests.ui.conftest import ADMIN, App, start_site, stop_site  # noqa: E402

PROJECT = """\
version: 1
project: acme-health
base_url: {app}
defaults:
  headers:
    Authorization: Bearer ${CRON_SECRET}
kubernetes:
  file: k8s/cronjobs.yaml
jobs:
  send-daily-digest:
    tier: business
    path: /api/cron/digest
    schedule: "0 8 * * 1-5"
    timezone: Europe/Berlin
    labels: [notifications]
    description: Emails each customer the day's summary
  sync-invoices-with-the-accounting-system:
    tier: business
    path: /api/cron/invoices
    schedule: "*/30 * * * *"
    labels: [billing]
    retries: 0
  retry-failed-payments:
    tier: business
    path: /api/cron/fails
    schedule: "15 */2 * * *"
    labels: [billing]
    retries: 0
  rotate-api-keys:
    tier: business
    path: /api/cron/rotate
    schedule: "0 3 1 * *"
    locked: true
  cleanup-sessions:
    tier: infrastructure
    path: /api/cron/cleanup
    schedule: "0 3 * * *"
  warm-cache:
    tier: infrastructure
    path: /api/cron/warm
    schedule: "*/10 * * * *"
  nightly-report:
    target: kubernetes
    path: /api/cron/report
    schedule: "30 4 * * *"
    timezone: America/New_York
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--extra", default=None)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    App.failure = '{"error": "card declined by the payment provider (code 51)"}'
    with App() as app, DevServer(memory=True, clock="wall") as dev, \
            tempfile.TemporaryDirectory() as tmp:
        site = start_site(Path(tmp) / "acme", dev, app, text=PROJECT)
        driver = chromium.start()
        try:
            for name, n in (("send-daily-digest", 6), ("sync-invoices-with-the-accounting-"
                                                       "system", 9),
                            ("retry-failed-payments", 4)):
                for _ in range(n):
                    site.cli("trigger", name, "--yes")
            c = site.client()  # signed in; waits until a read of the targets has the runs
            try:
                deadline = time.monotonic() + 60
                while sum((r["recent"] or {}).get("runs", 0)
                          for r in c.get("/api/jobs").json()["jobs"]) < 19:
                    assert time.monotonic() < deadline, "the runs never showed"
                    time.sleep(0.5)
            finally:
                c.close()
            paused = site.cli("pause", "sync-invoices-with-the-accounting-system")
            assert paused.returncode == 0, paused.stderr
            chromium.login(driver, site.url, ADMIN)

            def shot(path: str, name: str, width: int, height: int, folder: Path = out):
                driver.set_window_size(width, height)
                chromium.load(driver, site.url + path)
                driver.save_screenshot(str(folder / name))

            shot("/", "ui-jobs.png", 1280, 760)
            shot("/jobs/retry-failed-payments", "ui-job.png", 1280, 1400)
            shot("/", "ui-narrow.png", 360, 900)
            # a pending change for the plan page: the file edited, not applied
            path = site.folder / "schedules.yaml"
            text = path.read_text()
            path.write_text(text.replace('schedule: "*/10 * * * *"', 'schedule: "*/15 * * * *"')
                            .replace('schedule: "0 3 * * *"', 'schedule: "30 2 * * *"'))
            shot("/plan", "ui-plan.png", 1280, 900)
            path.write_text(text)
            driver.set_window_size(1280, 1100)
            chromium.load(driver, site.url + "/jobs/send-daily-digest/edit")
            from selenium.webdriver.common.by import By

            field = driver.find_element(By.ID, "e-schedule")
            field.clear()
            field.send_keys("30 7 * * 1-5")
            driver.find_element(By.XPATH, "//button[normalize-space()='Preview']").click()
            chromium.wait_for(driver, lambda d: d.find_elements(By.ID, "next-runs"))
            driver.save_screenshot(str(out / "ui-edit.png"))
            if args.extra:
                extra = Path(args.extra)
                extra.mkdir(parents=True, exist_ok=True)
                shot("/jobs/sync-invoices-with-the-accounting-system", "job-paused.png", 1280,
                     1000, extra)
                shot("/jobs/retry-failed-payments", "job-narrow.png", 360, 2000, extra)
                path.write_text(text.replace('schedule: "0 3 * * *"', 'schedule: "30 2 * * *"'))
                shot("/plan", "plan-narrow.png", 360, 1200, extra)
                path.write_text(text)
        finally:
            chromium.stop(driver)
            stop_site(site)
    for name in ("ui-jobs.png", "ui-job.png", "ui-narrow.png", "ui-plan.png", "ui-edit.png"):
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
