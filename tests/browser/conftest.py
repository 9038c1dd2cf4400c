"""Headless Chromium (Debian's, driven by Playwright) against the real dashboard.

The tests skip, saying what is missing, when chromium or playwright is absent; CI
installs both. Screenshots go to screenshots/ (not committed) for a person to look at.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from tests.browser.archive import build
from watch.serve import build as build_app
from watch.serve import start

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots"
CHROMIUM = os.environ.get("APPEALWATCH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install playwright; never `playwright install`)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("browser-template"), extra_docs=30)


@pytest.fixture
def archive(browser, template, tmp_path) -> Path:
    """A fresh copy of the session's archive for each test (asks for the browser first, so
    that a machine without one skips before building anything)."""
    return Path(shutil.copy(template, tmp_path / "watch.duckdb"))


@pytest.fixture
def server(archive):
    running = start(build_app(archive))
    yield running
    running.stop()


@pytest.fixture
def page(browser, server):
    """A fresh page that records every request it makes and every dialog it opens."""
    context = browser.new_context(viewport=LAPTOP, base_url=server.url)
    tab = context.new_page()
    tab.requests = []
    tab.dialogs = []
    tab.console_errors = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    yield tab
    context.close()


def shoot(page, name: str) -> None:
    """Screenshot the current page at laptop and phone widths."""
    SHOTS.mkdir(exist_ok=True)
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
