import pytest

from actions.records.totals import (
    ScoredReply,
    attempt_passed,
    attempt_total,
    final_score_by_turn,
    rounded_mean,
    validate_pass_mark,
    validate_score,
)


def scored(reply_id, turn, try_index, score, final=True):
    return ScoredReply(reply_id, turn, try_index, score, final, hint_used=False)


@pytest.mark.parametrize(
    "total, count, expected",
    [(250, 4, 63), (249, 4, 62), (5, 2, 3), (3, 2, 2), (0, 3, 0), (300, 3, 100)],
)
def test_rounded_mean_rounds_half_up(total, count, expected):
    assert rounded_mean(total, count) == expected


def test_final_reply_is_the_latest_closing_try_and_overrides_apply():
    replies = [
        scored(1, 0, 0, 30, final=False),
        scored(2, 0, 1, 70),
        scored(3, 1, 0, 20, final=False),  # turn 1 never closed
        scored(4, 2, 0, 50),
    ]
    assert final_score_by_turn(replies, {4: 90}) == {0: 70, 2: 90}
    # (70 + 0 + 90) / 3 = 53.3
    assert attempt_total(replies, {4: 90}, turn_count=3) == 53


@pytest.mark.parametrize(
    "status, total, pass_mark, passed",
    [
        ("completed", 60, 60, True),
        ("completed", 59, 60, False),
        ("completed", 63, 62.5, True),
        ("walked_out", 95, 60, False),
        ("stopped", 95, 60, False),
    ],
)
def test_attempt_passed(status, total, pass_mark, passed):
    assert attempt_passed(status, total, pass_mark) is passed


@pytest.mark.parametrize("value, stored", [(0, 0), (100, 100), (87.5, 88), (87.4, 87)])
def test_validate_score_accepts_0_to_100(value, stored):
    assert validate_score(value) == stored


@pytest.mark.parametrize("value", [-1, 101, 100.5, True, "90", None])
def test_validate_score_rejects(value):
    with pytest.raises(ValueError):
        validate_score(value)


def test_validate_pass_mark_keeps_fractions():
    assert validate_pass_mark(62.5) == 62.5
    with pytest.raises(ValueError):
        validate_pass_mark(120)
