"""Scoring policy: hard rules win, salad and off-topic are low, numbers are
checked, the form of the text (width, script, emoji) does not matter."""

from __future__ import annotations

import pytest

from actions.scoring import ScoreResult, score_reply

BARGAIN = "实在对不起,本店实行的是统一定价制度。我们的价格已经一步到位,没有降价空间了。我们销售的是名牌产品,售后服务有保障。"
CONTEXT = {"total": 3860, "paid": 4000}


def test_hard_rule_wins_over_everything(catalogue):
    result = score_reply("bargain", BARGAIN + "不过我偷偷给您便宜三百。", catalogue=catalogue)
    assert result.score < 60 and not result.passed
    assert [v["id"] for v in result.violations] == ["promise_discount"]
    assert (
        "便宜三百" in result.violations[0]["matched"]
        or "偷偷给" in result.violations[0]["matched"]
    )


@pytest.mark.parametrize(
    "reply",
    [
        "我不会给您打折的,我们是统一定价。",
        "打折是不可能的,我们全国统一价。",
        "不能给您便宜,价格已经一步到位了。",
    ],
)
def test_refusing_a_discount_is_not_a_discount(reply, catalogue):
    result = score_reply("bargain", reply, catalogue=catalogue)
    assert not result.violations, result.violations


@pytest.mark.parametrize(
    ("reply", "rule"),
    [
        ("价格是统一的,不过我去跟店长申请个折扣。", "promise_discount"),
        ("统一定价,零头就不要了。", "promise_discount"),
        ("网上多少钱我就按多少钱给您。", "promise_discount"),
        ("价格不能降,但我白送您一套五金。", "promise_free_extra"),
        ("这个价格已经很低了,嫌贵就别买。", "mock_customer"),
        ("统一定价,爱买不买。", "rude_language"),
    ],
)
def test_hard_rules_in_other_words(reply, rule, catalogue):
    result = score_reply("bargain", reply, catalogue=catalogue)
    assert result.score < 60
    assert rule in [v["id"] for v in result.violations]


def test_token_patterns_need_whole_words(catalogue):
    assert not score_reply(
        "farewell_no_purchase", "好的,我送您出门,欢迎下次再来!", catalogue=catalogue
    ).violations
    assert not score_reply(
        "browse", "这款的滚轮很顺滑,是新款,您随便看。", catalogue=catalogue
    ).violations
    rude = score_reply("browse", "滚!", catalogue=catalogue)
    assert [v["id"] for v in rude.violations] == ["rude_language"]


def test_double_negation_promises_a_discount(catalogue):
    result = score_reply("bargain", "统一定价是统一定价,这个价也不能不打折呀。", catalogue=catalogue)
    assert result.score < 60
    assert any(v["id"] == "promise_discount" for v in result.violations)


@pytest.mark.parametrize(
    "reply",
    [
        "统一定价 一步到位 名牌 售后保障",
        "统一定价、一步到位、名牌、售后保障",
        "对不起,统一定价,一步到位,名牌,售后",
        "统一定价统一定价统一定价名牌名牌售后",
    ],
)
def test_keyword_salad_scores_low(reply, catalogue):
    result = score_reply("bargain", reply, catalogue=catalogue)
    assert result.score < 40, result.feedback
    assert "关键词" in result.feedback


@pytest.mark.parametrize("reply", ["", "   ", "嗯", "😊😊", "……"])
def test_empty_or_filler_reply_scores_near_zero(reply, catalogue):
    result = score_reply("greet_customer", reply, catalogue=catalogue)
    assert result.score <= 5
    assert any(v["id"] == "ignore_customer" for v in result.violations)


@pytest.mark.parametrize(
    ("situation", "reply"),
    [
        ("bargain", "今天天气真不错,您吃饭了吗?"),
        ("checkout", "这款沙发是意大利设计的。"),
        ("complaint", "我们店周末有活动。"),
    ],
)
def test_off_topic_scores_low(situation, reply, catalogue):
    result = score_reply(situation, reply, CONTEXT, catalogue=catalogue)
    assert result.score < 30
    assert not result.hits


@pytest.mark.parametrize(
    "reply",
    [
        "一共3860元,收您4000元,找您140元,谢谢!",
        "一共三千八百六十元,收您四千元,找您一百四十元,谢谢!",
        "一共三千八百六十,收您四千,找您一百四,谢谢!",
        "一共3,860元,收您4,000元,找您140元,谢谢!",
        "一共3860.00元,收您4000.00元,找您140.00元,谢谢!",
    ],
)
def test_checkout_numbers_in_any_notation(reply, catalogue):
    result = score_reply("checkout", reply, CONTEXT, catalogue=catalogue)
    hit_ids = {h["id"] for h in result.hits}
    assert {"state_total", "state_paid", "state_change", "thanks"} <= hit_ids
    assert not result.violations and result.score >= 85


@pytest.mark.parametrize(
    ("reply", "wrong"),
    [
        ("一共3860元,收您4000元,找您100元,谢谢!", "找零"),
        ("一共3680元,收您4000元,找您140元,谢谢!", "总额"),
        ("一共三千八百六十,收您四千,找您一百六,谢谢!", "找零"),
    ],
)
def test_wrong_amount_fails(reply, wrong, catalogue):
    result = score_reply("checkout", reply, CONTEXT, catalogue=catalogue)
    assert result.score < 60
    assert result.violations[0]["id"] == "wrong_change"
    assert wrong in result.violations[0]["matched"]


def test_checkout_without_context_checks_the_arithmetic(catalogue):
    good = score_reply("checkout", "一共2050元,收您2100元,找您50元,谢谢。", catalogue=catalogue)
    bad = score_reply("checkout", "一共2050元,收您2100元,找您150元,谢谢。", catalogue=catalogue)
    assert good.passed and not good.violations
    assert not bad.passed and bad.violations[0]["id"] == "wrong_change"


def test_exact_payment_means_no_change(catalogue):
    context = {"total": 5600, "paid": 5600}
    reply = "一共五千六百元,收您五千六百元,正好,不用找零。谢谢您!"
    result = score_reply("checkout", reply, context, catalogue=catalogue)
    assert "state_change" in {h["id"] for h in result.hits}
    assert result.score >= 80


@pytest.mark.parametrize(
    "variant",
    [
        "实在对不起，本店实行的是统一定价制度。我们的价格已经一步到位，没有降价空间了。我们销售的是名牌产品，售后服务有保障。",
        "實在對不起,本店實行的是統一定價制度。我們的價格已經一步到位,沒有降價空間了。我們銷售的是名牌產品,售後服務有保障。",
        BARGAIN.replace("。", "。😊", 1) + "🙏",
    ],
)
def test_width_script_and_emoji_do_not_change_the_score(variant, catalogue):
    reference = score_reply("bargain", BARGAIN, catalogue=catalogue)
    result = score_reply("bargain", variant, catalogue=catalogue)
    assert result.score == reference.score
    assert [h["id"] for h in result.hits] == [h["id"] for h in reference.hits]


def test_same_input_same_output(catalogue):
    first = score_reply("complaint", "对不起,我马上处理。", catalogue=catalogue)
    second = score_reply("complaint", "对不起,我马上处理。", catalogue=catalogue)
    assert first == second and first.to_dict() == second.to_dict()


def test_pass_mark_is_configurable(catalogue):
    reply = "不好意思,我们是统一定价的,价格已经很实在了。"
    default = score_reply("bargain", reply, catalogue=catalogue)
    strict = score_reply("bargain", reply, catalogue=catalogue, pass_mark=95)
    assert default.score == strict.score
    assert default.passed and not strict.passed
    assert "及格线95分" in strict.feedback


def test_result_fields_and_feedback(catalogue):
    result = score_reply("bargain", "不好意思,我们是统一定价的。", catalogue=catalogue)
    assert isinstance(result, ScoreResult)
    data = result.to_dict()
    for key in (
        "situation",
        "score",
        "passed",
        "hits",
        "misses",
        "violations",
        "feedback",
        "standard",
    ):
        assert key in data
    assert data["rubric_version"] == catalogue.version
    assert data["manual_ref"] == "2.[4](1)、8.8 第十三条"
    assert all(set(h) == {"id", "label", "matched"} for h in result.hits)
    assert all(set(m) == {"id", "label", "wording"} for m in result.misses)
    assert "统一定价" in " ".join(h["matched"] for h in result.hits)
    assert "一步到位" in " ".join(m["wording"] for m in result.misses)
    assert result.standard.startswith("实在对不起")
    assert "2.[4](1)" in result.feedback and "还差" in result.feedback
    assert len(result.feedback) <= 400


def test_violation_feedback_names_the_rule(catalogue):
    result = score_reply("return_exchange", "肯定是你自己弄坏的,不能退。", catalogue=catalogue)
    assert "违规" in result.feedback
    assert any("埋怨" in v["label"] for v in result.violations)


def test_unknown_situation_raises(catalogue):
    with pytest.raises(KeyError):
        score_reply("no_such_situation", "您好", catalogue=catalogue)


def test_long_reply_is_scored(catalogue):
    long_reply = ("您好,我们全国统一定价,价格一步到位,名牌产品,售后有保障。" * 700)[:20_000]
    result = score_reply("bargain", long_reply, catalogue=catalogue)
    assert 0 <= result.score <= 100
