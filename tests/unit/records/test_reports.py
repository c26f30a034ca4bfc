"""Report numbers on a small hand-built history (expected values worked out by hand)."""

from dataclasses import dataclass, field

import pytest

from actions.records import RecordNotFoundError
from actions.records.key_points import key_point_identity
from actions.records.reports import (
    attempt_key_points,
    attempt_situations,
    attempt_transcript,
    iter_replies,
    least_squares_slope,
    list_attempts,
    scenario_stats,
    trainee_attempts,
    trainee_summaries,
    trainee_trend,
    weakest_key_points,
)

APOLOGISE = {"id": "apologise", "label": "先道歉"}
FIXED = {"id": "fixed_price", "label": "统一定价"}
AFTER_SALES = {"id": "after_sales", "label": "售后有保障"}


@dataclass
class R:
    turn: int
    score: int
    hits: list = field(default_factory=list)
    misses: list = field(default_factory=list)
    try_index: int = 0
    final: bool = True
    situation: str = "bargain"


def play(records, clock, trainee, scenario, title, turn_count, replies, status, **kw):
    attempt_id = records.start_attempt(
        trainee, scenario, title, kw.get("mode", "practice"), 1, "r1", 60, turn_count
    )
    for r in replies:
        clock.advance(minutes=1)
        records.record_reply(
            attempt_id=attempt_id,
            turn_index=r.turn,
            try_index=r.try_index,
            situation=r.situation,
            customer_line="顾客说",
            reply="学员答",
            score=r.score,
            hits=r.hits,
            misses=r.misses,
            violations=[],
            hint_used=False,
            final=r.final,
        )
    clock.advance(minutes=1)
    records.finish_attempt(attempt_id, status)
    clock.advance(hours=1)
    return attempt_id


@pytest.fixture
def history(records, clock):
    records.ensure_trainee("S001", name="张三")
    records.ensure_trainee("S002", name="李四")
    records.ensure_trainee("S003", name="王五")  # never practised
    ids = {}
    ids["a1"] = play(records, clock, "S001", "bargain_sofa", "沙发砍价", 2, [
        R(0, 80, [APOLOGISE, FIXED], [AFTER_SALES]),
        R(1, 60, [FIXED], [APOLOGISE, AFTER_SALES]),
    ], "completed")  # fmt: skip
    ids["a2"] = play(records, clock, "S001", "bargain_sofa", "沙发砍价", 2, [
        R(0, 30, [], [APOLOGISE, FIXED, AFTER_SALES], final=False),
        R(0, 70, [APOLOGISE, FIXED], [AFTER_SALES], try_index=1),
        R(1, 20, [], [APOLOGISE, FIXED, AFTER_SALES]),
    ], "walked_out")  # fmt: skip
    ids["a3"] = play(records, clock, "S001", "gift", "送礼", 1, [
        R(0, 90, ["ask_gift", "gift_bag"], situation="gift"),
    ], "completed")  # fmt: skip
    ids["a4"] = play(records, clock, "S001", "gift", "送礼", 2, [
        R(0, 100, [], ["gift_bag"], situation="gift"),
    ], "stopped", mode="exam")  # fmt: skip
    ids["b1"] = play(records, clock, "S002", "bargain_sofa", "沙发砍价", 2, [
        R(0, 50, [APOLOGISE], [AFTER_SALES]),
        R(1, 50, [APOLOGISE], [AFTER_SALES]),
    ], "completed")  # fmt: skip
    return ids


def test_trainee_attempts_newest_first(records, history):
    rows = trainee_attempts(records, "S001")
    assert [row.attempt_id for row in rows] == [
        history[key] for key in ("a4", "a3", "a2", "a1")
    ]
    a1 = rows[-1]
    assert (a1.trainee_name, a1.total_score, a1.passed) == ("张三", 70, True)
    assert a1.duration_seconds == 3 * 60  # two replies and the finish, a minute each
    assert rows[0].status == "stopped"


def test_trend_of_finished_attempts(records, history):
    trend = trainee_trend(records, "S001")
    # a4 was stopped, so it is not part of the trend.
    assert [p.total_score for p in trend.points] == [70, 45, 90]
    assert trend.slope == pytest.approx(10.0)
    assert trainee_trend(records, "S002").slope is None


@pytest.mark.parametrize(
    "values, slope",
    [
        ([], None),
        ([50], None),
        ([50, 60], 10.0),
        ([60, 60, 60], 0.0),
        ([90, 70, 50, 30], -20.0),
    ],
)
def test_least_squares_slope(values, slope):
    assert least_squares_slope(values) == (
        None if slope is None else pytest.approx(slope)
    )


def test_scenario_stats_for_one_trainee(records, history):
    stats = {s.scenario_id: s for s in scenario_stats(records, trainee_id="S001")}
    bargain, gift = stats["bargain_sofa"], stats["gift"]
    assert (bargain.attempts, bargain.passed, bargain.best_score) == (2, 1, 70)
    assert bargain.pass_rate == pytest.approx(0.5)
    assert bargain.average_score == pytest.approx(57.5)
    assert (gift.attempts, gift.passed, gift.average_score) == (1, 1, 90)
    assert gift.scenario_title == "送礼"


def test_scenario_stats_for_the_team(records, history):
    stats = {s.scenario_id: s for s in scenario_stats(records)}
    bargain = stats["bargain_sofa"]
    assert (bargain.attempts, bargain.passed) == (3, 1)
    assert bargain.average_score == pytest.approx((70 + 45 + 50) / 3)
    assert scenario_stats(records, mode="exam") == []  # the only exam was stopped


def test_trainee_summaries(records, history):
    summaries = {s.trainee_id: s for s in trainee_summaries(records)}
    assert (summaries["S001"].attempts, summaries["S001"].passed) == (3, 2)
    assert summaries["S001"].average_score == pytest.approx((70 + 45 + 90) / 3)
    assert summaries["S002"].pass_rate == 0.0
    assert (summaries["S003"].attempts, summaries["S003"].average_score) == (0, None)
    assert summaries["S003"].display_name == "王五"


def test_team_weakest_key_points(records, history):
    weakest = weakest_key_points(records, min_seen=3)
    assert [(w.key_point_id, w.misses, w.seen) for w in weakest] == [
        ("after_sales", 7, 7),
        ("apologise", 3, 7),
        ("fixed_price", 2, 5),
    ]
    assert weakest[0].label == "售后有保障"
    assert weakest[1].miss_rate == pytest.approx(3 / 7)


def test_weakest_key_points_options(records, history):
    # With min_seen=1 the gift bag (missed once in the stopped exam, hit once) shows.
    loose = weakest_key_points(records, min_seen=1)
    assert [w.key_point_id for w in loose][:2] == ["after_sales", "gift_bag"]
    final_only = {
        w.key_point_id: w for w in weakest_key_points(records, final_only=True)
    }
    assert (final_only["apologise"].misses, final_only["apologise"].seen) == (2, 6)
    mine = weakest_key_points(records, trainee_id="S002", min_seen=1)
    assert [(w.key_point_id, w.misses) for w in mine] == [("after_sales", 2)]
    assert len(weakest_key_points(records, limit=1)) == 1


def test_attempt_key_points_and_situations(records, history):
    points = attempt_key_points(records, history["a2"])
    assert [(p.key_point_id, p.hits, p.misses) for p in points] == [
        ("apologise", 1, 2),
        ("fixed_price", 1, 2),
        ("after_sales", 0, 3),
    ]
    assert points[0].hit_rate == pytest.approx(1 / 3)
    final = attempt_key_points(records, history["a2"], final_only=True)
    assert [(p.hits, p.misses) for p in final] == [(1, 1), (1, 1), (0, 2)]
    [bargain] = attempt_situations(records, history["a2"])
    assert (bargain.situation, bargain.turns, bargain.average_score) == (
        "bargain",
        2,
        45,
    )


def test_transcript_shows_replies_and_override_history(records, history, clock):
    a1 = history["a1"]
    second_turn = [
        r for r in attempt_transcript(records, a1).replies if r.turn_index == 1
    ]
    reply_id = second_turn[0].reply_id
    records.override_score(reply_id, 65, "语气很好", "王老师")
    records.override_score(reply_id, 50, "复核:漏了道歉", "李老师")

    transcript = attempt_transcript(records, a1)
    assert transcript.attempt.total_score == 65  # (80 + 50) / 2
    assert [r.turn_index for r in transcript.replies] == [0, 1]
    overridden = transcript.replies[1]
    assert (overridden.score, overridden.effective_score) == (60, 50)
    assert [(o.old_score, o.new_score, o.trainer) for o in overridden.overrides] == [
        (60, 65, "王老师"),
        (65, 50, "李老师"),
    ]
    assert transcript.replies[0].overridden is False
    with pytest.raises(RecordNotFoundError):
        attempt_transcript(records, "missing")


def test_iter_replies_in_attempt_order(records, history):
    pairs = list(iter_replies(records, trainee_id="S001", batch_size=2))
    attempts = [attempt.attempt_id for attempt, _ in pairs]
    assert attempts == [history["a1"]] * 2 + [history["a2"]] * 3 + [
        history["a3"],
        history["a4"],
    ]
    assert [reply.try_index for _, reply in pairs[2:4]] == [0, 1]


def test_list_attempts_filters(records, history, clock):
    assert {r.trainee_id for r in list_attempts(records, scenario_id="gift")} == {
        "S001"
    }
    assert list_attempts(records, since=clock()) == []


@pytest.mark.parametrize(
    "item, identity",
    [
        ("道歉", ("道歉", "道歉")),
        ({"id": "apologise", "label": "先道歉"}, ("apologise", "先道歉")),
        ({"key_point": "gift_bag"}, ("gift_bag", "gift_bag")),
        ({"label": "no id"}, None),
        ("  ", None),
        (42, None),
    ],
)
def test_key_point_identity(item, identity):
    assert key_point_identity(item) == identity
