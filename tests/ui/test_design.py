"""The designer's review of the dashboard (issue 33.7): the plan as a table with marks, the
jobs before the notes, paused jobs shown as paused with only the button that applies, times
relative with the exact time on hover, a favicon, and the words ("an operator", "1 run")."""

from __future__ import annotations

import re

from .conftest import OPERATOR, VIEWER
from .helpers import by_id, csrf_of, plan_of


def test_the_plan_is_a_table_with_marks_not_markdown(site):
    path = site.folder / "schedules.yaml"
    before = path.read_bytes()
    # whatever fails' schedule is now (another test may have changed it), 0 7 1 1 * it becomes
    changed = re.sub(rb'(path: /api/cron/fails\n    schedule: )"[^"]*"', rb'\1"0 7 1 1 *"', before)
    assert changed != before
    path.write_bytes(changed)
    try:
        page = site.client(VIEWER).get("/plan").text
    finally:
        path.write_bytes(before)
    shown = page[:page.index('<details class="md">')]  # the Markdown only on request
    assert "###" not in shown and "**" not in shown and "|---|" not in shown
    row = re.search(r'<tr><td data-label="Change"><span class="mark m-update"[^>]*>~</span> '
                    r'update</td>\s*<th scope="row" data-label="Job"><code>fails</code></th>',
                    shown)
    assert row, shown[-3000:]
    assert "→ 0 7 1 1 *" in plan_of(page)
    assert re.search(r'class="d-(add|del)"', shown) or "up to date" in shown  # vercel.json


def test_the_jobs_come_before_the_notes(site):
    page = site.client(VIEWER).get("/").text
    assert 'id="notes"' in page, "this project's targets have notes (kubectl, tokens)"
    assert page.index('id="job-rows"') < page.index('<details class="notes" id="notes">')
    main = page[page.index('<main'):page.index('id="job-rows"')]
    assert 'class="note"' not in main


def test_a_paused_job_shows_as_paused_with_only_resume(site):
    c = site.client(OPERATOR)
    csrf = csrf_of(c.get("/jobs/nightly").text)

    def buttons(page: str) -> list[str]:
        return re.findall(r'<button type="submit" class="(\w+)">([^<]+)</button>',
                          page[page.index('id="h-controls"'):page.index('id="h-stats"')])

    assert buttons(c.get("/jobs/nightly").text) == [("primary", "Run now"),
                                                    ("caution", "Pause")]
    assert c.post("/jobs/nightly/pause", data={"csrf": csrf}).status_code == 200
    try:
        page = c.get("/jobs/nightly").text
        assert buttons(page) == [("primary", "Run now"), ("secondary", "Resume")]
        assert '<span class="badge st-paused">paused</span>' in page[:page.index("</h1>")]
        row = re.search(r'<tr data-job="nightly">.*?</tr>', c.get("/").text, re.S).group(0)
        assert '<span class="badge st-paused">paused</span>' in row
    finally:
        assert c.post("/jobs/nightly/resume", data={"csrf": csrf}).status_code == 200
    assert buttons(c.get("/jobs/nightly").text)[-1] == ("caution", "Pause")


def test_times_are_relative_with_the_exact_time_on_hover(site):
    page = site.client(VIEWER).get("/").text
    found = re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', page)
    nexts = [(iso, title, text) for iso, title, text in found if text.startswith("in ")]
    assert nexts, found
    iso, title, text = nexts[0]
    assert title == iso[:19].replace("T", " ") + " UTC"
    assert re.fullmatch(r"in (\d+ (min|h)|\d+ days?)", text), text


def test_a_favicon(site):
    c = site.client(token=None)
    r = c.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.startswith(b"<svg")
    assert '<link rel="icon" href="/static/favicon.svg"' in c.get("/login").text


def test_the_words(site):
    c = site.client(OPERATOR)
    assert by_id(c.get("/jobs/tick/edit").text, "problem") == \
        "opal is an operator; this needs the admin role"
    v = site.client(VIEWER)
    csrf = csrf_of(v.get("/").text)
    assert "vic is a viewer;" in by_id(v.post("/jobs/tick/pause", data={"csrf": csrf}).text,
                                       "problem")
