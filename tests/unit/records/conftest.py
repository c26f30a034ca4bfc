"""Fixtures for the records tests: a fresh database per test and a clock we control.

Every test runs on a SQLite file in tmp_path. Set RECORDS_TEST_PG_URL (an empty
PostgreSQL database the tests may fill and wipe) to run them on PostgreSQL too.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from actions.records import Records
from actions.records.models import Base

PG_URL_ENV = "RECORDS_TEST_PG_URL"


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.db'}"
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} not set")
    return url


@pytest.fixture
def records(db_url: str, clock: FakeClock):
    store = Records(db_url, clock=clock)
    yield store
    if store.database.engine.dialect.name == "postgresql":
        Base.metadata.drop_all(store.database.engine)
    store.close()


@pytest.fixture
def start(records: Records) -> Callable[..., str]:
    """Start an attempt with sensible defaults; keyword arguments override them."""

    def _start(**overrides: Any) -> str:
        values: dict[str, Any] = dict(
            trainee_id="S001",
            scenario_id="bargain_sofa",
            scenario_title="沙发砍价",
            mode="practice",
            seed=7,
            rubric_version="r1",
            pass_mark=60,
            turn_count=3,
        )
        values.update(overrides)
        return records.start_attempt(**values)

    return _start


@pytest.fixture
def reply(records: Records) -> Callable[..., int]:
    """Record a reply; only attempt, turn and score are required."""

    def _reply(attempt_id: str, turn: int, score: int, **overrides: Any) -> int:
        values: dict[str, Any] = dict(
            attempt_id=attempt_id,
            turn_index=turn,
            try_index=0,
            situation="bargain",
            customer_line="能便宜点吗?",
            reply="对不起,我们是统一定价。",
            score=score,
            hits=[],
            misses=[],
            violations=[],
            hint_used=False,
            final=True,
        )
        values.update(overrides)
        return records.record_reply(**values)

    return _reply
