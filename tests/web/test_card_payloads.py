"""The structured card data sent beside the chat text carries the same facts as the text."""

from __future__ import annotations

import pytest

from actions import feedback
from actions.scoring import score_reply

REPLIES = [
    ("bargain", "实在对不起,本店实行的是统一定价制度,价格已经一步到位了。", {}),
    ("bargain", "行吧,给你打个九折。", {}),
    ("checkout", "一共3860元,收您4000元,找您140元,谢谢!", {"total": 3860, "paid": 4000}),
]


@pytest.mark.parametrize("situation, reply, context", REPLIES)
@pytest.mark.parametrize("penalties", [[], ["用了提示 -10"]])
def test_feedback_payload_matches_the_feedback_card(
    situation, reply, context, penalties
):
    result = score_reply(situation, reply, context=context or None).to_dict()
    turn_score = max(0, result["score"] - 10 * len(penalties))
    card = feedback.feedback_card(result, turn_score, 60, penalties)
    data = feedback.feedback_payload(result, turn_score, 60, penalties)
    assert data["type"] == "feedback"
    assert data["score"] == turn_score and f"得分 {turn_score}/100" in card
    assert data["passed"] == ("✔ 达标" in card)
    assert data["penalties"] == penalties
    for hit in data["hits"]:
        assert f"✓ {hit['label']}" in card
    for miss in data["misses"]:
        assert f"✗ {miss['label']}" in card and miss["wording"]
    for rule in data["violations"]:
        assert f"⚠ 违规:{rule['label']}" in card
    assert len(data["hits"]) + len(data["misses"]) == len(result["hits"]) + len(
        result["misses"]
    )
    assert data["standard"] == result["standard"]
    assert data["manual_ref"] and data["manual_ref"] in card


def test_a_discount_promise_is_a_violation_in_the_payload():
    result = score_reply("bargain", "行吧,给你打个九折。").to_dict()
    data = feedback.feedback_payload(result, result["score"], 60)
    assert data["violations"] and data["passed"] is False
