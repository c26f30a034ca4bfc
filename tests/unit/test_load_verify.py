"""The load test's consistency check catches every way a turn can go wrong."""

from __future__ import annotations

import pytest

from benchmarks.load_clients import Sent, TraineeLog
from benchmarks.load_test import percentile
from benchmarks.load_verify import Verdict, check_records, check_tracker


def log_of(*sent: Sent, transport: str = "rest") -> TraineeLog:
    log = TraineeLog(sender="A1", transport=transport)
    log.sent.extend(sent)
    return log


START = Sent("/start_practice", "m0", scored=False, delivered=True)
R1 = Sent("实在对不起", "m1", scored=True, delivered=True)
R2 = Sent("嗯,随便你。", "m2", scored=True, delivered=True)


def user(sent: Sent) -> tuple:
    return ("user", {"text": sent.text, "message_id": sent.message_id})


BOT = ("bot", {"text": "…"})
ACTION = ("action", {"name": "action_listen"})


def tracker_problems(log, events):
    verdict = Verdict()
    check_tracker(verdict, log, events)
    return verdict.problems


def test_a_clean_conversation_passes():
    events = [ACTION, user(START), BOT, ACTION, user(R1), BOT, user(R2), BOT, BOT]
    assert tracker_problems(log_of(START, R1, R2), events) == []


@pytest.mark.parametrize(
    "events",
    [
        [user(START), BOT, user(R2), BOT],  # lost
        [user(START), BOT, user(R1), BOT, user(R1), BOT, user(R2), BOT],  # twice
        [user(START), BOT, user(R2), BOT, user(R1), BOT],  # reordered
        [user(START), BOT, user(R1), user(R2), BOT],  # R1 never answered
    ],
    ids=["lost", "duplicated", "reordered", "unanswered"],
)
def test_tracker_problems_are_found(events):
    assert tracker_problems(log_of(START, R1, R2), events)


def test_a_failed_message_must_leave_no_trace():
    failed = Sent("实在对不起", "m9", scored=True, delivered=False)
    clean = [user(START), BOT]
    assert tracker_problems(log_of(START, failed), clean) == []
    assert tracker_problems(log_of(START, failed), clean + [user(failed), BOT])


def test_socketio_conversations_are_compared_by_text():
    events = [user(START), BOT, ("user", {"text": R1.text, "message_id": "x"}), BOT]
    assert tracker_problems(log_of(START, R1, transport="socketio"), events) == []


def records_problems(log, rows):
    verdict = Verdict()
    check_records(verdict, log, rows)
    return verdict.problems


def test_records_hold_each_scored_reply_once_in_order():
    rows = [("a1", 0, 0, R1.text), ("a1", 0, 1, R2.text)]
    assert records_problems(log_of(START, R1, R2), rows) == []
    assert records_problems(log_of(START, R1, R2), rows[:1])  # lost
    assert records_problems(log_of(START, R1, R2), rows[::-1])  # reordered
    assert records_problems(log_of(START, R1), rows[:1] + [("a1", 0, 0, R1.text)])


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 95, 0.0),
        ([5.0], 99, 5.0),
        (list(range(1, 101)), 95, 95),
        ([3, 1, 2], 50, 2),
    ],
)
def test_percentile_is_nearest_rank(values, q, expected):
    assert percentile(values, q) == expected
