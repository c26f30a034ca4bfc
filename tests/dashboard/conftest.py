"""Fixtures for the dashboard tests: a records database, a trainer, a running server."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

import pytest
import requests

from actions.records import Records
from channels.dashboard import passwords
from channels.dashboard.accounts import AccountStore
from channels.dashboard.settings import DashboardSettings, LockoutPolicy
from channels.dashboard.views import Dashboard
from tests.dashboard.server import DashboardServer

TRAINER = "trainer_zhao"
PASSWORD = "correct-horse-42"
SECRET = b"test-secret-" + b"x" * 40

SCRIPT_REPLY = "<script>window.__pwned = 1</script>您好,欢迎光临"
IMG_REPLY = '<img src=x onerror="window.__pwned = 2">不好意思,统一定价'


PRODUCTION_COST_N = passwords.COST_N


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch):
    """A cheaper scrypt cost keeps the many logins of these tests quick."""
    monkeypatch.setattr(passwords, "COST_N", 2**12)


class FakeClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def records(tmp_path, clock) -> Records:
    store = Records(f"sqlite:///{tmp_path / 'records.db'}", clock=clock)
    yield store
    store.close()


@pytest.fixture
def policy() -> LockoutPolicy:
    # No waiting in tests; the delay itself is tested on LockoutPolicy.
    return LockoutPolicy(base_delay=0.0)


@pytest.fixture
def accounts(records, policy, clock) -> AccountStore:
    store = AccountStore(records, policy, clock=clock)
    store.create_trainer(TRAINER, PASSWORD)
    return store


def make_settings(policy: LockoutPolicy, **overrides) -> DashboardSettings:
    return DashboardSettings(**{"secret": SECRET, "lockout": policy, **overrides})


@pytest.fixture
def start_server(records, accounts, policy):
    servers: list[DashboardServer] = []

    def start(**overrides) -> DashboardServer:
        dashboard = Dashboard(
            make_settings(policy, **overrides), records=records, accounts=accounts
        )
        server = DashboardServer(dashboard).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start_server) -> DashboardServer:
    return start_server()


@pytest.fixture
def played(records) -> dict:
    """One finished attempt whose replies carry HTML, and one still in progress."""
    records.ensure_trainee("S1001", "李<b>小</b>梅", "web")
    attempt = records.start_attempt(
        "S1001", "bargain_sofa", "沙发讲价", "practice", 7, "v1", 60, 2
    )
    first = records.record_reply(
        attempt,
        0,
        0,
        "bargain",
        "能便宜点吗?</p><script>window.__pwned = 3</script>",
        SCRIPT_REPLY,
        40,
        [{"id": "apologise", "label": "致歉", "matched": "不好意思"}],
        [{"id": "fixed_price", "label": "统一定价", "wording": "我们是统一定价"}],
        [],
        False,
        True,
    )
    second = records.record_reply(
        attempt,
        1,
        0,
        "compare_price",
        "网上更便宜",
        IMG_REPLY,
        70,
        [],
        [],
        [{"id": "no_discount", "label": "<i>私自打折</i>"}],
        False,
        True,
    )
    records.finish_attempt(attempt, "completed")
    other = records.start_attempt(
        "S2002", "browse_just_looking", "随便看看", "practice", 3, "v1", 60, 3
    )
    return {"attempt": attempt, "replies": [first, second], "open_attempt": other}


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def post_login(
    target,
    username: str = TRAINER,
    password: str = PASSWORD,
    session: Optional[requests.Session] = None,
    **fields: str,
) -> requests.Response:
    """Opens the login form (for its CSRF token) and submits it; redirects not followed."""
    session = session or requests.Session()
    page = session.get(f"{target.url}/login")
    return session.post(
        f"{target.url}/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.text),
            **fields,
        },
        allow_redirects=False,
    )


@pytest.fixture
def login(server) -> Callable[..., requests.Session]:
    def do_login(
        username: str = TRAINER, password: str = PASSWORD, target=server
    ) -> requests.Session:
        session = requests.Session()
        answer = post_login(target, username, password, session)
        assert answer.status_code == 303, answer.text[:500]
        return session

    return do_login
