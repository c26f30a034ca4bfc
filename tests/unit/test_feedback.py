"""Feedback card and end report wording."""

from datetime import datetime, timedelta

from actions import feedback

RESULT = {
    "score": 72,
    "hits": [{"id": "apologise", "label": "致歉", "matched": "对不起"}],
    "misses": [{"id": "brand", "label": "名牌产品", "wording": "我们销售的是名牌产品"}],
    "violations": [{"id": "promise_discount", "label": "承诺打折或赠送", "matched": "便宜三百"}],
    "standard": "实在对不起,本店实行的是统一定价制度。",
    "manual_ref": "2.[4](1)",
}


def test_feedback_card_shows_every_part():
    card = feedback.feedback_card(RESULT, 62, 60, ["用了提示 -10"])
    assert card.splitlines()[0] == "得分 62/100 ✔ 达标(用了提示 -10)"
    assert "✓ 致歉(“对不起”)" in card
    assert "✗ 名牌产品 → 可以说:“我们销售的是名牌产品”" in card
    assert "⚠ 违规:承诺打折或赠送" in card
    assert "手册出处:2.[4](1)" in card


def test_feedback_card_below_pass_mark():
    assert "✘ 未达标" in feedback.feedback_card(RESULT, 59, 60)


def test_report_and_improvements():
    start = datetime(2026, 11, 27, 10, 0, 0)
    data = feedback.ReportData(
        title="砍价",
        mode="practice",
        status="completed",
        total=83,
        passed=True,
        pass_mark=60,
        started_at=start,
        finished_at=start + timedelta(minutes=3, seconds=12),
        per_situation=[("顾客要求降价", 75), ("收款", 90)],
        key_points=[
            feedback.KeyPointTally("致歉", "实在对不起", "2.[4](1)", hits=2, total=2),
            feedback.KeyPointTally("名牌产品", "我们销售的是名牌产品", "2.[4](1)", hits=1, total=2),
            feedback.KeyPointTally("致谢", "谢谢您", "2.[5]", hits=0, total=1),
        ],
        violations=["承诺打折或赠送", "承诺打折或赠送"],
    )
    text = feedback.format_report(data)
    assert "总分 83/100 ✔ 通过" in text and "用时 3分12秒" in text
    assert " · 顾客要求降价:75" in text
    assert "致歉 2/2✓" in text and "名牌产品 1/2✗" in text
    tips = feedback.improvements(data)
    assert tips[0].startswith("避免“承诺打折或赠送”")
    # the key point missed every time comes before the one missed half the time
    assert "致谢" in tips[1] and "2.[5]" in tips[1]
    assert "名牌产品" in tips[2] and "我们销售的是名牌产品" in tips[2]
    assert len(tips) == 3


def test_perfect_attempt_gets_encouragement():
    data = feedback.ReportData("t", "exam", "completed", 95, True, 60, None, None)
    assert "继续保持" in feedback.improvements(data)[0]
    assert "【考试报告】" in feedback.format_report(data)
