"""Browser tests: Debian's Chromium (``/usr/bin/chromium``, installed by ``make deps``) driven
by Playwright for Python, headless.

Fixtures (import them into a ``conftest.py`` next to the tests that use them):

- ``browser`` (per module): one Chromium for a test module;
- ``page`` (per test): a fresh context (empty localStorage, no cookies) and a page in it;
  when the test ends its last screenshot is written to ``tests/artifacts/<test>.png``
  (gitignored), so a failing test leaves a picture of what the page showed;
- ``artifacts_dir``: that directory, for screenshots a test wants to keep by name.

Playwright's sync API runs its own asyncio loop in the main thread while it is started, so
``asyncio.run`` (and async tests) cannot run beside it: keep browser tests in modules of their
own; the driver stops when the module's tests are done.

Playwright's own browser download is not used: ``executable_path`` points at the system
Chromium (``$CONCORD_CHROMIUM`` overrides it), with the flags a root CI container needs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CONCORD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}


def artifact_path(name: str) -> Path:
    """``tests/artifacts/<name>`` (created), with characters unsafe in file names replaced."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(
            f"{CHROMIUM} is missing: `make deps` installs Debian's chromium as root "
            "(apt-get install chromium), or point $CONCORD_CHROMIUM at a Chromium binary"
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        try:
            new_page.screenshot(path=artifact_path(f"{request.node.name}.png"))
        finally:
            context.close()
