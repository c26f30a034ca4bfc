"""Fixtures for the trainer dashboard's real-browser tests.

The servers and the browser come from tests/browser/conftest.py (`stack`: the
real action server and Rasa server with the repo's credentials.yml, so /dashboard
is mounted exactly as `make run` mounts it; `chromium`: Debian's chromium driven
by Playwright). This module adds a trainer account, a played scenario and page
helpers; the test module binds the fixtures by name.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.e2e.play import POOR_REPLY, good_reply, scenario
from tests.e2e.stack import ROOT, VENV_BIN, Stack

__all__ = ["DESKTOP", "PHONE", "SCREENSHOTS"]

TRAINER_NAME = "browser_trainer"
SCENARIO_ID = "bargain_sofa"
# Trainee replies that would run script if the dashboard ever rendered them as HTML.
SCRIPT_PREFIX = "<script>window.__pwned = 'script'</script>"
IMG_PREFIX = "<img src=x onerror=\"window.__pwned = 'img'\">"

# Every page records Content-Security-Policy violations where the test can read them.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def _web_bundle() -> Path:
    """web/dist/dashboard.js, rebuilt from web/src when missing or older."""
    bundle = ROOT / "web" / "dist" / "dashboard.js"
    source = ROOT / "web" / "src" / "dashboard" / "index.js"
    if bundle.exists() and bundle.stat().st_mtime >= source.stat().st_mtime:
        return bundle
    node = shutil.which("node")
    if node is None or not (ROOT / "web" / "node_modules" / "echarts").is_dir():
        pytest.fail(
            "web/dist/dashboard.js is missing: run `npm ci && npm run build` in web/"
        )
    subprocess.run([node, "build.mjs"], cwd=ROOT / "web", check=True, timeout=300)
    return bundle


@dataclass
class PlayedAttempt:
    trainee_id: str
    attempt_id: str
    script_reply: str
    img_reply: str


@pytest.fixture(scope="module")
def trainer_password(stack: Stack) -> str:
    """A trainer account made with the real command, as an administrator would."""
    _web_bundle()
    password = "浏览器-" + secrets.token_urlsafe(12)
    done = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "channels.dashboard",
            "create-trainer",
            TRAINER_NAME,
            "--password-stdin",
        ],
        input=password + "\n",
        cwd=ROOT,
        env={**stack.env(), "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return password


@pytest.fixture(scope="module")
def played_attempt(stack: Stack) -> PlayedAttempt:
    """A trainee plays a whole scenario over REST, two replies carrying HTML."""
    from actions.records import Records, reports

    trainee = "B-dash-" + uuid.uuid4().hex[:6]
    play = scenario(SCENARIO_ID)
    payload = json.dumps({"scenario_id": SCENARIO_ID})
    stack.send(trainee, f"/start_practice{payload}")
    replies = []
    for index, turn in enumerate(play.turns):
        text = good_reply(turn.situation, turn.context)
        if index == 0:
            text = SCRIPT_PREFIX + text
        elif index == 1:
            text = IMG_PREFIX + text
        replies.append(text)
        stack.send(trainee, text)
    # A second trainee answers poorly until the customer walks out, so the team
    # overview has missed key points to rank.
    weak = "B-weak-" + uuid.uuid4().hex[:6]
    stack.send(weak, f"/start_practice{payload}")
    for _ in range(play.patience):
        stack.send(weak, POOR_REPLY)
    store = Records(stack.records_url)
    try:
        store.ensure_trainee(weak, "王小明")
        (attempt,) = reports.trainee_attempts(store, trainee)
        (walked_out,) = reports.trainee_attempts(store, weak)
    finally:
        store.close()
    assert attempt.status == "completed"
    assert walked_out.status == "walked_out"
    return PlayedAttempt(trainee, attempt.attempt_id, replies[0], replies[1])


def new_page(browser, viewport: dict, **options):
    context = browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
        is_mobile=viewport == PHONE,
        has_touch=viewport == PHONE,
        **options,
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"dashboard-{name}.png"
    page.screenshot(path=str(path))
    return path


def log_in(page, base_url: str, password: str) -> None:
    page.goto(f"{base_url}/dashboard/")
    page.fill("input[name=username]", TRAINER_NAME)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")
