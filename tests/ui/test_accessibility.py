"""Accessibility, checked by axe-core (Deque's engine, as shipped in the axe-core-python wheel)
in the browser tests' Chromium: every page of the dashboard, 1280 and 360 px wide, no
violation of any rule axe runs by default (WCAG 2.0/2.1 A and AA, and its best practices)."""

from __future__ import annotations

import pytest

from .browser import load, login, wait_for
from .conftest import ADMIN

PAGES = ("/", "/jobs/tick", "/jobs/fails", "/jobs/nightly", "/plan", "/audit",
         "/jobs/cleanup/edit", "/jobs/tick/probe")


@pytest.fixture(scope="module")
def axe_script() -> str:
    from axe_core_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def _violations(browser, axe_script: str) -> list[str]:
    browser.execute_script(axe_script)
    browser.set_script_timeout(120)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.map(v => v.id + ' (' + v.impact + "
        "'): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))))"
        ".catch(e => done(['axe failed: ' + e]));")
    return result


@pytest.mark.parametrize("width", [1280, 360])
def test_no_page_has_an_accessibility_violation(site, browser, axe_script, width):
    login(browser, site.url, ADMIN)
    browser.set_window_size(width, 900)
    try:
        found = {}
        for path in PAGES:
            load(browser, site.url + path)
            wait_for(browser, lambda d: d.execute_script(
                "return document.readyState") == "complete")
            if problems := _violations(browser, axe_script):
                found[path] = problems
        # the editor's preview, with its plan and Apply button
        load(browser, site.url + "/jobs/cleanup/edit")
        from selenium.webdriver.common.by import By

        browser.find_element(By.XPATH, "//button[normalize-space()='Preview']").click()
        wait_for(browser, lambda d: d.find_elements(By.ID, "next-runs"))
        if problems := _violations(browser, axe_script):
            found["/jobs/cleanup/edit (preview)"] = problems
        browser.delete_all_cookies()  # signed out: the login page
        load(browser, site.url + "/login")
        if problems := _violations(browser, axe_script):
            found["/login"] = problems
        assert found == {}, found
    finally:
        browser.set_window_size(1280, 900)
