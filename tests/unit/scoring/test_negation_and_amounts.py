"""Negated key points and change kept back at the till, in whole replies.

The scope of a negation and the amounts read from a text are tested in test_text.py.
"""

from __future__ import annotations

import pytest

from actions.scoring import score_reply


@pytest.mark.parametrize(
    ("situation", "reply", "contradicted"),
    [
        ("returning_customer", "您好,好久不见!这次想看点什么?不过新款都还没到,没什么好介绍的。", "recommend_new"),
        ("browse", "您随便看,我们这季新品还没上,也没什么可推荐的。", "recommend_category"),
        ("compare_price", "看起来一样,但里面用料不同。售后这块其实我们也没什么保障。", "after_sales_differs"),
        ("bargain", "对不起,我们统一定价,价格一步到位,名牌产品,不过售后的话其实没人管。", "after_sales"),
        (
            "out_of_stock",
            "抱歉没现货,可以定做,大概20天,不过等您装修完就装不了了,得提前装。",
            "install_after_renovation",
        ),
        (
            "out_of_stock",
            "抱歉没现货,可以定做,二十天左右,但要赶在装修中间装,先交定金。",
            "install_after_renovation",
        ),
        ("checkout", "您自己看一下小票吧,收您2400元,谢谢!", "state_total"),
        ("bargain", "实在抱歉,我们统一定价,价格一步到位,不过牌子没什么名气。", "brand"),
        ("bargain", "实在抱歉,统一定价,一步到位,名牌,不过售后也一般。", "after_sales"),
        ("compare_price", "看着是一样,其实里面也差不多,售后也都一个样。", "quality_differs"),
        ("gift", "不管您自用还是送人都一样,礼品袋得另外买。", "gift_bag"),
        ("hesitate", "不着急,哪款都行,我没什么建议,您看着选吧。", "state_preference"),
        ("product_question", "这款是实木的,卖得一般,您喜欢什么风格?预算多少?", "reference_frame"),
        ("offer_help", "您好,这个不用我介绍了吧,上面都写着呢。", "offer_intro"),
        ("checkout", "总价您看单子吧,我就不一项项报了,收您2400,谢谢。", "state_total"),
    ],
)
def test_saying_the_opposite_of_a_key_point_fails(
    situation, reply, contradicted, catalogue
):
    context = {"total": 2350, "paid": 2400} if situation == "checkout" else None
    result = score_reply(situation, reply, context, catalogue=catalogue)
    assert result.score < 60, result.feedback
    assert f"contradicts_{contradicted}" in [v["id"] for v in result.violations]


@pytest.mark.parametrize(
    ("situation", "reply"),
    [
        ("thank_after_purchase", "谢谢您的惠顾!有什么不清楚的随时打电话给我,欢迎再来。"),
        ("bargain", "实在对不起,统一定价确实降不了,价格一步到位,名牌产品售后有保障。"),
        ("bargain", "实在对不起,本店统一定价,价格一步到位,名牌产品,售后服务少不了。"),
        # 一般 as “usually” is not 一般 as “mediocre”
        ("bargain", "实在抱歉,我们统一定价,价格一步到位,大品牌,售后一般三天内就上门。"),
    ],
)
def test_negations_elsewhere_in_the_reply_do_not_cancel_a_key_point(
    situation, reply, catalogue
):
    result = score_reply(situation, reply, catalogue=catalogue)
    assert not result.violations, result.violations
    assert result.score >= 80, result.feedback


@pytest.mark.parametrize(
    ("reply", "context"),
    [
        ("一共2350元,收您2400元,零钱就不找了,谢谢!", {"total": 2350, "paid": 2400}),
        ("一共两千三百四十八,收您两千三百五,两块钱就不找您了,谢谢!", {"total": 2348, "paid": 2350}),
        ("一共九百九十五,收您一千,五块就算了,谢谢您!", {"total": 995, "paid": 1000}),
    ],
)
def test_change_kept_back_is_wrong_change(reply, context, catalogue):
    result = score_reply("checkout", reply, context, catalogue=catalogue)
    assert result.score < 60
    wrong = [v for v in result.violations if v["id"] == "wrong_change"]
    assert wrong and "没有找零" in wrong[0]["matched"]
    assert "state_change" not in {h["id"] for h in result.hits}


@pytest.mark.parametrize(
    ("reply", "context"),
    [
        ("一共2400元,收您2400元,正好,不用找了,谢谢!", {"total": 2400, "paid": 2400}),
        ("一共两千三百五,收您两千四,找您五十,谢谢您!", {"total": 2350, "paid": 2400}),
        ("一共2350元,收您2400元,找您50元,不用谢,应该的。", {"total": 2350, "paid": 2400}),
    ],
)
def test_correct_change_is_not_kept_back(reply, context, catalogue):
    result = score_reply("checkout", reply, context, catalogue=catalogue)
    assert not result.violations, result.violations
    assert "state_change" in {h["id"] for h in result.hits}


@pytest.mark.parametrize(
    ("reply", "right"),
    [
        ("一共3860元,收您4000元,找您一张一百两张二十,谢谢!", True),
        ("一共3860元,收您4000元,找您一张一百一张二十,谢谢!", False),
    ],
)
def test_notes_are_checked_like_any_amount(reply, right, catalogue):
    result = score_reply(
        "checkout", reply, {"total": 3860, "paid": 4000}, catalogue=catalogue
    )
    assert (not result.violations) is right
    assert result.passed is right


@pytest.mark.parametrize(
    ("lead_time", "contradicts"),
    [
        ("二十来天", False),
        ("二三十天", False),
        ("三个礼拜左右", False),
        ("一个多月", True),
        ("45天", True),
        ("两三个月", True),
    ],
)
def test_lead_time_far_from_twenty_days_contradicts_the_manual(
    lead_time, contradicts, catalogue
):
    reply = f"抱歉没现货,可以给您定做,大概{lead_time},装修完再装不影响,先交定金。"
    result = score_reply("out_of_stock", reply, catalogue=catalogue)
    ids = [v["id"] for v in result.violations]
    assert ("contradicts_lead_time" in ids) is contradicts, result.feedback
