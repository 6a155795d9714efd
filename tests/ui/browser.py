"""One headless Chromium per test session (Debian's chromium and chromedriver, driven by
Selenium; no download of a browser or a driver), shared by the browser tests and the
screenshot script."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900")


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def start():
    """A Chrome WebDriver over a fresh profile; `stop(driver)` ends both."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cronctl-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.page_load_strategy = "eager"  # the DOM is what the tests read
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # The driver's path is given, so Selenium Manager neither looks for nor downloads one.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.cronctl_profile = profile
    return driver


def stop(driver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.cronctl_profile, ignore_errors=True)


def load(driver, url: str) -> None:
    """driver.get, once more if Chromium's renderer did not answer in time (a machine busy
    with other work can starve it)."""
    from selenium.common.exceptions import TimeoutException

    try:
        driver.get(url)
    except TimeoutException:
        driver.get(url)


def login(driver, url: str, token: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    load(driver, url + "/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "job-rows")
             and d.execute_script("return document.readyState") == "complete")


# The pages replace parts of themselves (the jobs' rows, a job's runs) every few seconds. An
# element found in one WebDriver command and read or clicked in the next may be gone in
# between ("stale"), the more likely the busier the machine. So a test never holds an element
# across commands where a refresh may replace it: it reads in one script run (the page's
# JavaScript runs one task at a time, so no refresh lands inside it), or it finds and acts in
# one condition that `wait_for` evaluates again, finding the element afresh.


def read(driver, css: str, what: str = "innerText") -> list:
    """`what` (a property, or `@name` for an attribute) of every element matching `css`, read
    in one script run."""
    return driver.execute_script(
        "const w = arguments[1]; return Array.from(document.querySelectorAll(arguments[0]), "
        "e => w.startsWith('@') ? e.getAttribute(w.slice(1)) : e[w]);", css, what)


def text(driver, css: str) -> str:
    """The text of the first element matching `css` ('' while there is none)."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)


def click(driver, by: str, value: str) -> None:
    """Find the element and click it in one condition: found afresh if a refresh replaced
    it before the click landed."""
    wait_for(driver, lambda d: d.find_element(by, value).click() or True)


def wait_for(driver, condition, timeout: float = 30):
    """Wait until `condition(driver)` is truthy; an element that the page's live update
    replaced meanwhile is looked up again at the next try (the condition finds it)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(condition)
