"""Real-browser tests: Debian's chromium (headless) driven by Playwright against the servers
`make run` starts (tests/e2e/stack.py with the repo's credentials.yml).

They run only when asked for (`pytest tests/browser`, `-m browser`, scripts/test_browser.sh),
so `pytest -m "not e2e"` and the e2e step stay as they were.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Iterator, List

import pytest

from tests.browser.chromium import (
    CHROMIUM,
    PHONE,  # noqa: F401 - the tests import it from here
    launch,
)
from tests.e2e.stack import ROOT, Stack

BROWSER_DIR = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "var" / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium against the real servers"
    )


def _asked_for(config: pytest.Config) -> bool:
    if "browser" in (config.getoption("markexpr") or ""):
        return True
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if path == BROWSER_DIR or BROWSER_DIR in path.parents:
            return True
    return False


def pytest_collection_modifyitems(
    config: pytest.Config, items: List[pytest.Item]
) -> None:
    ours = [item for item in items if BROWSER_DIR in Path(str(item.fspath)).parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    if ours and not _asked_for(config):
        config.hook.pytest_deselected(items=ours)
        items[:] = [item for item in items if item not in ours]


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    if not Path(CHROMIUM).exists() or shutil.which("fc-list") is None:
        pytest.fail(
            f"{CHROMIUM} not found: run scripts/test_browser.sh (it installs chromium)"
        )
    running = Stack(
        workdir=tmp_path_factory.mktemp("browser-stack"),
        extra_env={"WEB_SECRET": secrets.token_urlsafe(24)},
    ).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
