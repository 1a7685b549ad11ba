"""Playwright helpers for the browser tests: Debian's chromium, headless, never a downloaded browser.

`make install` (and so CI) installs chromium from Debian's packages; Playwright's Python package drives it through
`executable_path`, so `playwright install` is never run. Without chromium (or the playwright package) the browser
tests skip, except under CI (CI set), where that is a failure: CI must run them.

Screenshots of the main pages are saved under test-artifacts/screenshots/ (ignored by git), at a desktop and a
phone-sized viewport, for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chromium_path() -> str | None:
    """Debian's chromium, if installed."""
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing(reason: str):
    if under_ci():
        pytest.fail(f"the browser tests must run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """A headless chromium, launched once for the module's tests.

    Playwright's sync API keeps an event loop in the test's thread while it runs, which Django's async-safety
    check mistakes for async code calling the ORM: the tests' own ORM calls are synchronous, so the check is off
    while the browser runs (the live server answers in its own thread either way).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright's Python package is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        _missing("Debian's chromium is not installed (make install, as root, installs it)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(chromium):
    """A function giving a new page in its own context (its own cookies), closed at the end of the test."""
    contexts = []

    def make(viewport: dict | None = None):
        context = chromium.new_context(viewport=viewport or DESKTOP, locale="en-GB", timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save the page as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_.-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Log out")).click()
    page.wait_for_load_state()


def messages(page) -> list[str]:
    """The page's messages (django.contrib.messages), as shown."""
    return [text.strip() for text in page.locator("ul.messages li").all_inner_texts()]
