"""`cronctl ui` used as a person would, in real headless Chromium, over a real `cronctl dev`
and a loopback app: log in, see the jobs, open a job, filter runs, run one now and see the
outcome appear, pause and resume, edit a schedule, a locked job refused, a viewer refused a
control, a change without its CSRF token refused, HTML from the file and the app escaped,
live updates without a reload, and a 360 px wide screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from cronctl.words import count

from .browser import click, load, login, read, text, wait_for
from .conftest import ADMIN, OPERATOR, VIEWER


def _text(driver, element_id: str) -> str:
    return text(driver, f"#{element_id}")


def _click(driver, label: str, *, confirm: bool = False) -> None:
    """Click a form's button (accepting its confirmation) and wait for the next page."""
    driver.execute_script("window.cronctlOldPage = true")
    driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()
    if confirm:
        wait_for(driver, lambda d: d.switch_to.alert).accept()
    wait_for(driver, lambda d: d.execute_script(
        "return window.cronctlOldPage === undefined && document.readyState === 'complete'"))


@pytest.fixture(scope="module")
def runs(site):
    """A delivered run of tick and a failed one of fails (whichever test comes first)."""
    for name in ("tick", "fails"):
        site.cli("trigger", name, "--yes", "--wait")


def _schedule(site, name):
    return next(s for s in site.dev.schedules() if s["scheduleId"].endswith(f".{name}"))


def test_log_in_see_the_jobs_open_one(site, browser):
    login(browser, site.url, VIEWER)
    assert read(browser, "#job-rows tr", "@data-job") == [
        "tick", "fails", "frozen", "cleanup", "nightly", "report"]
    header = text(browser, "header .who")
    assert "vic" in header and "viewer" in header
    click(browser, By.LINK_TEXT, "report")  # in a row the jobs page refreshes
    wait_for(browser, lambda d: text(d, "h1") == "report")
    assert "Kubernetes" in text(browser, "p.meta")
    assert "(Europe/Berlin)" in text(browser, "p.meta")


def test_run_now_and_see_the_outcome_appear(site, browser):
    login(browser, site.url, OPERATOR)
    load(browser, site.url + "/jobs/tick")
    _click(browser, "Run now", confirm=True)
    wait_for(browser, lambda d: read(d, "#outcome", "@data-state") == ["delivered"])
    assert _text(browser, "outcome").startswith("tick: delivered, 1 attempt, HTTP 200")
    load(browser, site.url + "/jobs/fails")
    _click(browser, "Run now", confirm=True)
    wait_for(browser, lambda d: read(d, "#outcome", "@data-state") == ["failed"])
    assert "HTTP 500" in _text(browser, "outcome")


def test_filter_runs(site, browser, runs):
    login(browser, site.url, VIEWER)
    load(browser, site.url + "/jobs/fails")
    Select(browser.find_element(By.ID, "r-status")).select_by_visible_text("failed")
    _click(browser, "Show")
    wait_for(browser, lambda d: "status=failed" in d.current_url)
    assert set(read(browser, "#runs tr[data-run]", "@data-state")) == {"failed"}
    Select(browser.find_element(By.ID, "r-status")).select_by_visible_text("delivered")
    _click(browser, "Show")
    wait_for(browser, lambda d: "status=delivered" in d.current_url)
    assert not read(browser, "#runs tr[data-run]")
    assert "0 runs (delivered)" in _text(browser, "runs")


def test_html_from_the_file_and_the_app_is_shown_escaped(site, browser, runs):
    login(browser, site.url, VIEWER)
    load(browser, site.url + "/jobs/tick")
    assert "<img id=pwn src=x onerror=alert(1)><b>bold</b>" in text(browser, "main")
    assert not browser.find_elements(By.ID, "pwn")
    assert not browser.find_elements(By.CSS_SELECTOR, "main b")
    load(browser, site.url + "/jobs/fails")
    assert "<h1>oops</h1>" in _text(browser, "runs")
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    assert not browser.find_elements(By.ID, "pwn")


def test_pause_and_resume(site, browser):
    login(browser, site.url, OPERATOR)
    load(browser, site.url + "/jobs/tick")
    _click(browser, "Pause", confirm=True)
    assert _text(browser, "done") == "Paused tick on QStash."
    assert _schedule(site, "tick")["isPaused"] is True
    click(browser, By.LINK_TEXT, "Back to the job")
    wait_for(browser, lambda d: d.find_elements(By.XPATH, "//button[normalize-space()='Resume']"))
    _click(browser, "Resume")
    assert _text(browser, "done") == "Resumed tick on QStash."
    assert _schedule(site, "tick")["isPaused"] is False


def test_a_locked_job_is_refused(site, browser):
    login(browser, site.url, OPERATOR)
    load(browser, site.url + "/jobs/frozen")
    assert "This job is locked" in text(browser, "main")
    _click(browser, "Run now", confirm=True)
    problem = _text(browser, "problem")
    assert problem.startswith("frozen is locked (schedules.yaml:")
    assert not [r for r in site.app.requests if r.path == "/api/cron/frozen"]


def test_a_viewer_is_refused_a_control(site, browser):
    login(browser, site.url, VIEWER)
    load(browser, site.url + "/jobs/tick")
    assert not browser.find_elements(By.XPATH, "//button[normalize-space()='Run now']")
    # the button is not there; the request is refused all the same
    browser.execute_script("""
        const f = document.createElement('form'); f.method = 'post';
        f.action = '/jobs/tick/pause';
        const c = document.createElement('input'); c.name = 'csrf';
        c.value = document.querySelector('input[name=csrf]').value; f.appendChild(c);
        document.body.appendChild(f); f.submit();""")
    wait_for(browser, lambda d: d.find_elements(By.ID, "problem"))
    assert "this needs the operator role" in _text(browser, "problem")
    assert _schedule(site, "tick")["isPaused"] is False


def test_a_change_without_its_csrf_token_is_refused(site, browser):
    login(browser, site.url, OPERATOR)
    load(browser, site.url + "/jobs/tick")
    browser.execute_script(
        "document.querySelectorAll('form[action$=\"/pause\"] input[name=csrf]')"
        ".forEach(e => e.remove())")
    _click(browser, "Pause", confirm=True)
    assert "CSRF token is missing" in _text(browser, "problem")
    assert _schedule(site, "tick")["isPaused"] is False


def test_live_updates_without_a_reload(site, browser):
    login(browser, site.url, VIEWER)
    load(browser, site.url + "/?label=billing")
    browser.execute_script("window.cronctlMarker = 'still the same page'")
    cell = "#job-rows tr[data-job=tick] td[data-label='Success'] .sub"
    before = text(browser, cell)  # "N runs, p50 ..."
    done = site.cli("trigger", "tick", "--yes", "--wait")
    assert done.returncode == 0, done.stderr
    n = int(before.split()[0])
    wait_for(browser, lambda d: text(d, cell).startswith(f"{count(n + 1, 'run')},"))
    assert browser.execute_script("return window.cronctlMarker") == "still the same page"


def test_edit_a_schedule(site, browser):
    path = site.folder / "schedules.yaml"
    before = path.read_bytes()
    login(browser, site.url, ADMIN)
    load(browser, site.url + "/jobs/cleanup")
    browser.find_element(By.LINK_TEXT, "Edit schedule").click()
    field = wait_for(browser, lambda d: d.find_element(By.ID, "e-schedule"))
    field.clear()
    field.send_keys("45 2 * * *")
    _click(browser, "Preview")
    assert "02:45:00" in _text(browser, "next-runs")
    assert "45 2 * * *" in _text(browser, "plan")  # vercel.json's diff
    assert path.read_bytes() == before
    _click(browser, "Apply this change")
    assert _text(browser, "done") == "Saved schedules.yaml and applied 1 change."
    assert path.read_bytes() == before.replace(
        b'path: /api/cron/cleanup\n    schedule: "0 3 * * *"',
        b'path: /api/cron/cleanup\n    schedule: "45 2 * * *"')
    assert '"schedule": "45 2 * * *"' in (site.folder / "vercel.json").read_text()


def test_a_360_pixel_wide_screen(site, browser):
    login(browser, site.url, VIEWER)
    browser.set_window_size(360, 800)
    try:
        load(browser, site.url + "/")
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth") <= width  # no sideways scroll
        boxes = browser.execute_script(  # read at once: the rows are refreshed
            "return Array.from(document.querySelectorAll('#job-rows th.name a'), a => {"
            "const r = a.getBoundingClientRect(); return [a.textContent, r.left, r.right]; })")
        assert boxes
        for name, left, right in boxes:
            assert left >= 0 and right <= width, name  # not cut
        load(browser, site.url + "/jobs/fails")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth") <= width
    finally:
        browser.set_window_size(1280, 900)


def test_keyboard_and_labels(site, browser):
    login(browser, site.url, VIEWER)
    load(browser, site.url + "/")
    for control in browser.find_elements(By.CSS_SELECTOR, "main input, main select"):
        cid = control.get_attribute("id")
        assert browser.find_elements(By.CSS_SELECTOR, f"label[for='{cid}']"), cid
    from selenium.webdriver.common.keys import Keys

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to content"
