"""The role-play state machine: variants, patience, walking out, penalties."""

import pytest

from actions import practice
from actions.practice import EXAM, PRACTICE, PracticeState
from actions.scenarios import Customer, Ending, Scenario, Turn


def make_scenario(turns=2, patience=2, pass_mark=60):
    return Scenario(
        id="demo",
        title="演示",
        difficulty="初级",
        description="演示场景",
        customer=Customer("王姐", "👩", "bargain", ("廉价心理",), "着急"),
        patience=patience,
        pass_mark=pass_mark,
        turns=tuple(
            Turn(
                situation="bargain",
                lines=(f"第{i}句甲", f"第{i}句乙", f"第{i}句丙"),
                pushback=(f"第{i}句不满意", f"第{i}句还是不满意"),
                good_reaction=(f"第{i}句好吧",),
            )
            for i in range(turns)
        ),
        ending=Ending(success=("那就这么定了。",), walkout=("算了,我去别家看看。",)),
    )


def state(mode=PRACTICE, **kw):
    return PracticeState(scenario_id="demo", mode=mode, attempt_id="a", seed=42, **kw)


def test_exam_always_uses_the_first_variant():
    scenario = make_scenario()
    for seed in range(20):
        exam = PracticeState("demo", EXAM, "a", seed)
        assert practice.current_line(scenario, exam, "欧派") == "第0句甲"


def test_practice_variant_is_seeded_per_attempt():
    scenario = make_scenario()
    lines = {
        practice.current_line(scenario, PracticeState("demo", PRACTICE, "a", s), "欧派")
        for s in range(30)
    }
    assert lines == {"第0句甲", "第0句乙", "第0句丙"}
    again = PracticeState("demo", PRACTICE, "a", 7)
    assert practice.current_line(scenario, again, "x") == practice.current_line(
        scenario, again, "x"
    )


def test_good_reply_moves_on_to_the_next_turn():
    scenario = make_scenario()
    out = practice.apply_reply(scenario, state(patience=2), 85, "欧派")
    assert out.good and out.final and not out.finished
    assert out.state.turn_index == 1 and out.state.try_index == 0
    assert out.customer_says[0] == "第0句好吧"
    assert out.customer_says[1].startswith("第1句")
    assert out.score == 85


def test_last_good_reply_completes_the_scenario():
    scenario = make_scenario(turns=1)
    out = practice.apply_reply(scenario, state(patience=2), 90, "欧派")
    assert out.finished and out.status == "completed"
    assert out.customer_says[-1] == "那就这么定了。"


def test_poor_reply_brings_pushback_and_costs_patience():
    scenario = make_scenario()
    out = practice.apply_reply(scenario, state(patience=2), 30, "欧派")
    assert not out.good and not out.final and not out.finished
    assert out.state.patience == 1 and out.state.try_index == 1
    assert out.customer_says[0].startswith("第0句")
    assert "不满意" in out.customer_says[0]


def test_customer_out_of_patience_walks_out():
    scenario = make_scenario(patience=1)
    out = practice.apply_reply(scenario, state(patience=1), 30, "欧派")
    assert out.finished and out.final and out.status == "walked_out"
    assert out.customer_says == ["算了,我去别家看看。"]


@pytest.mark.parametrize(
    "hint_used, try_index, raw, expected",
    [
        (False, 0, 80, 80),
        (True, 0, 80, 70),
        (False, 1, 80, 70),
        (True, 2, 80, 50),
        (True, 9, 50, 0),
    ],
)
def test_turn_score_penalties(hint_used, try_index, raw, expected):
    assert (
        practice.turn_score(raw, state(hint_used=hint_used, try_index=try_index))
        == expected
    )


def test_store_name_is_filled_in():
    scenario = make_scenario(turns=1)
    phone = Scenario(
        **{
            **scenario.__dict__,
            "turns": (Turn("phone_greeting", ("喂,是{store_name}吗?",) * 3, ("嗯?",)),),
        }
    )
    assert practice.current_line(phone, state(), "欧派") == "喂,是欧派吗?"
