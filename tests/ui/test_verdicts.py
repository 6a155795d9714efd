"""The dashboard's part of issue 28: at the top of the jobs page, jobs failing, missing runs,
late and paused, with the jobs needing attention first; on a job's page, its slots coloured by
state, each with its time on hover (title) and as text (not colour alone). The runs are the
runner's ledger's, written through the ledger itself; the page is a real `cronctl ui`, read
over HTTP and in Chromium."""

from __future__ import annotations

import re
import time

import pytest

from cronctl.targets.runner.job import run_id
from cronctl.targets.runner.ledger import Ledger
from cronctl.targets.runner.records import Execution
from cronctl.testing import DevServer

from .browser import load, login
from .conftest import VIEWER, App, start_site, stop_site

HALF_HOUR = 1_800_000
FILE = """\
version: 1
project: acme
base_url: {app}
jobs:
  beat:
    target: runner
    path: /api/cron/beat
    schedule: "*/30 * * * *"
  gap:
    target: runner
    path: /api/cron/gap
    schedule: "*/30 * * * *"
  calm:
    target: runner
    path: /api/cron/calm
    schedule: "*/30 * * * *"
  off:
    target: runner
    path: /api/cron/off
    schedule: "*/30 * * * *"
    enabled: false
"""


def slots(now: int) -> list[int]:
    """The six half-hour slots before now whose minute of tolerance has passed."""
    last = (now - 120_000) // HALF_HOUR * HALF_HOUR
    return [last - k * HALF_HOUR for k in range(5, -1, -1)]


def record(db: Ledger, job: str, at: int, outcome: str) -> None:
    row = Execution(run_id(job, at), job, at, "schedule", replica="r", started_at=at + 500,
                    finished_at=at + 1500, outcome=outcome, attempts=1, duration_ms=1000)
    db.claim([row])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with App() as app, DevServer(memory=True, clock="wall") as dev:
        folder = tmp_path_factory.mktemp("verdicts")
        s = start_site(folder, dev, app, text=FILE)
        db = Ledger(str(folder / ".cronctl" / "runner.sqlite3"))
        now = int(time.time() * 1000)
        times = slots(now)
        # live since just before the first slot (cronctl schedule recorded "now")
        db._exec("UPDATE runner_jobs SET loaded_at = ?", (times[0] - 60_000,))
        for at in times:
            record(db, "calm", at, "succeeded")
            record(db, "beat", at, "failed" if at == times[3] else "succeeded")
            if at < times[-2]:
                record(db, "gap", at, "succeeded")  # its newest two never ran: missed
        s.times = times
        try:
            yield s
        finally:
            db.close()
            stop_site(s)


def page(site, path: str, want: str) -> str:
    """The page once it shows `want` (the dashboard refreshes its reads every few seconds)."""
    deadline = time.monotonic() + 90
    c = site.client(VIEWER)
    try:
        while True:
            text = c.get(path).text
            if want in text:
                return text
            assert time.monotonic() < deadline, text[-3000:]
            time.sleep(0.2)
    finally:
        c.close()


def test_the_jobs_page_sums_up_and_lists_the_jobs_that_need_attention_first(site):
    text = page(site, "/", 'id="verdict-missed">1<')
    counts = dict(re.findall(r'id="verdict-(\w+)">(\d+)<', text))
    assert counts == {"failing": "1", "missed": "1", "late": "0", "paused": "1"}
    attention = re.search(r'<ol class="attention">(.*?)</ol>', text, re.S).group(1)
    order = re.findall(r'href="/jobs/(\w+)"', attention)
    assert order == ["beat", "gap"]  # failing before missed; the healthy and paused: not listed
    assert "1 problem slot" in attention and "2 problem slots" in attention


def test_a_jobs_timeline_tells_each_slot_by_colour_glyph_and_text(site):
    text = page(site, "/jobs/gap", 'class="timeline"')
    items = re.findall(r'<li class="slot s-(\w+)" title="([^"]*)">.*?<span class="sr">([^<]*)'
                       r'</span></li>', text)
    assert [state for state, _, _ in items] == ["ok"] * 4 + ["missed"] * 2
    from datetime import UTC, datetime

    newest = datetime.fromtimestamp(site.times[-1] / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert items[-1][1].startswith(f"{newest} UTC: missed")
    assert items[-1][2].startswith(f"{newest} UTC: missed")  # the text alternative
    assert "6 slots: 4 ok, 2 missed." in " ".join(text.split())


def test_the_timeline_in_a_browser_shows_the_time_on_hover(site, browser):
    login(browser, site.url, VIEWER)
    load(browser, f"{site.url}/jobs/beat")
    from selenium.webdriver.common.by import By

    from .browser import wait_for

    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".timeline li.s-failed"))
    failed = browser.find_element(By.CSS_SELECTOR, ".timeline li.s-failed")
    assert " UTC: failed" in failed.get_attribute("title")
    assert failed.text.startswith("✗")  # a glyph as well as the colour
    colours = {li.value_of_css_property("background-color")
               for li in browser.find_elements(By.CSS_SELECTOR, ".timeline li")}
    assert len(colours) == 2  # ok and failed look different
