"""Hard rules hidden behind good wording: the breach wins, whatever else is said.

Each case opens with a reply that covers the situation and then slips in what
the manual forbids (a private price, a rebate, a jibe at the customer's budget,
a threat about after-sales…).  The near misses below say similar words without
breaking a rule and must not be punished.
"""

from __future__ import annotations

import pytest

from actions.scoring import score_reply
from actions.scoring.engine import BREACH_BASE

CHECKOUT_CONTEXT = {"total": 3860, "paid": 4000}

HIDDEN_DISCOUNTS = [
    ("bargain", "对不起,我们统一定价,价格已经到底了,名牌售后有保障。您真心要的话,我找店长给您批个员工价。"),
    ("product_question", "这款是实木的,很流行,您预算多少?定的话我按团购价给您结。"),
    ("hesitate", "不着急,我个人推荐这款,颜色耐看。您定了以后我每单给您返利两百。"),
    ("compare_price", "看着差不多,但用料不同,售后也不同。您先按标价买,网上要是更便宜我退您差价。"),
    ("greet_customer", "欢迎光临!您好,想看点什么?进店的熟客都有熟人价。"),
    ("gift", "是送人的吗?我给您装个礼品袋,送礼的都给您按活动价算。"),
    ("other_brand", "我们不卖那个牌子,不过这款跟它差不多,您选我们的,我照他们家的价给您算。"),
    ("offer_help", "您好,需要介绍吗?这款今天定,比标价能少三百。"),
    ("farewell_no_purchase", "不好意思没帮上忙,欢迎下次再来,下回来我给您按会员价算。"),
    ("thank_after_purchase", "谢谢您的惠顾!回头您介绍朋友来,每单我给您返点。"),
    ("out_of_stock", "抱歉没现货,可以定做,20天左右,装修完再装,先交定金,送货费就不收您了。"),
]


@pytest.mark.parametrize(("situation", "reply"), HIDDEN_DISCOUNTS)
def test_private_prices_and_rebates_break_the_fixed_price(situation, reply, catalogue):
    context = CHECKOUT_CONTEXT if situation == "checkout" else None
    result = score_reply(situation, reply, context, catalogue=catalogue)
    assert result.score < 60, result.feedback
    assert "promise_discount" in [v["id"] for v in result.violations]


HIDDEN_CONDUCT = [
    # (situation, reply, rule) - every rule of conduct holds in every situation
    ("browse", "您随便看。这边都是实木的,价格不低,您先掂量掂量自己的预算。", "mock_customer"),
    ("greet_customer", "您好欢迎光临!看你这身打扮,估计就是随便逛逛吧。", "mock_customer"),
    ("returning_customer", "您好,又来啦!这次可别又光看不买了。", "mock_customer"),
    ("gift", "是送人吗?就买这么点东西送人啊,我给您装个袋子。", "mock_customer"),
    ("farewell_no_purchase", "没事,欢迎下次再来,下回记得把钱带够哈。", "mock_customer"),
    ("complaint", "抱歉,我记下了。不过您要是到处投诉,以后的售后可就难说了。", "retaliate_customer"),
    ("return_exchange", "好的我帮您登记,您这种情况以后维修只能排到最后。", "retaliate_customer"),
    ("product_question", "这款是实木的,很流行,您预算多少?说明书上写着呢,是您自己没看清楚。", "blame_customer"),
    ("out_of_stock", "抱歉没现货,可以定做,20天左右,装修完再装,您赶紧把定金交了。", "pressure_buy"),
    ("phone_greeting", "您好,欧派!现在没空,您等会再打。", "ignore_customer"),
    ("browse", "好的您随便看,新款在那边,我跟着您给您一样样讲。", "pester_customer"),
    ("product_question", "这款是E0板材,用一辈子都不会坏,您喜欢什么风格?预算多少?", "false_promise"),
    ("offer_help", "您好,需要介绍吗?您别老碰它,碰坏了可得照价赔。", "rude_language"),
    ("serve_waiting", "让您久等了。我这边就一个人,您催也没用。", "argue_customer"),
    ("phone_greeting", "您好,欧派!打错了?那别浪费我时间了。", "rude_language"),
    ("other_brand", "我们没有那个牌子,您还是去他们家买吧。", "send_away"),
    ("greet_customer", "您好,欢迎光临!这边都是高端款,一看您就不是来买东西的吧。", "mock_customer"),
    ("return_exchange", "好的,不过这是你们自己装修的问题,跟柜子没关系。", "blame_customer"),
    ("out_of_stock", "不好意思没现货,这个我都说了好几遍了,可以定做20天。", "impatient_tone"),
]


@pytest.mark.parametrize(("situation", "reply", "rule"), HIDDEN_CONDUCT)
def test_hidden_breaches_of_conduct_fail(situation, reply, rule, catalogue):
    result = score_reply(situation, reply, catalogue=catalogue)
    assert result.score < 60, result.feedback
    assert rule in [v["id"] for v in result.violations]


def test_rushing_the_customer_at_the_till_fails(catalogue):
    reply = "一共3860元,收您4000元,找您140元,您快点拿走,后面排着队呢。"
    result = score_reply("checkout", reply, CHECKOUT_CONTEXT, catalogue=catalogue)
    assert result.score < 60
    assert "impatient_tone" in [v["id"] for v in result.violations]


@pytest.mark.parametrize(
    ("situation", "reply"),
    [
        # the store's own reduced items may be recommended (2.[3](4) 降价商品)
        ("browse", "好的您随便看,靠窗那几款是正在做活动的特价商品,有需要叫我。"),
        # refusing a private price is the manual's answer
        ("bargain", "对不起,我们没有内部价,谁来都是统一定价,价格一步到位,名牌售后有保障。"),
        # 至少, 少一半 and 十分 are not amounts taken off the price
        ("out_of_stock", "抱歉没现货,可以定做,至少要20天左右,装修完再装不影响,先交定金。"),
        ("product_question", "这款是布艺的,跟那款皮的比价格少一半,挺实惠,您喜欢什么颜色?预算多少?"),
        ("greet_customer", "您好,欢迎光临!让您十分满意是我们的目标,想看点什么?"),
        # seeing the customer off is not a free gift
        ("farewell_no_purchase", "不好意思没帮您挑到合适的,我送送您,欢迎下次再来!"),
        ("farewell_no_purchase", "对不起这次没能帮上忙,我送您出去,有空再来!"),
        # asking for a deposit is what the manual asks for
        ("out_of_stock", "实在抱歉没现货,可以给您定做,20天左右,装修完再装不影响进度,您可以先把定金交了。"),
        # rules of conduct now hold everywhere: ordinary words must not trip them
        ("gift", "请问这个应该是您自己用吧?还是送人?送人的话我给您装个礼品袋。"),
        ("product_question", "有的,这款是实木的,很流行。您喜欢什么风格?预算多少?有您不懂的地方随时问我。"),
        ("hesitate", "没关系,您慢慢挑。要是我,我会选这款,明明是您家的风格,更适合您。"),
        ("gift", "您好,这是买回去干嘛用的?自己用还是送人?送人我给您装礼品袋。"),
        ("thank_after_purchase", "谢谢您!您就等着收货吧,有问题随时联系我,欢迎再来。"),
        ("complaint", "实在抱歉,确实是我们这批板材质量太差了,我马上安排更换,处理完回复您。"),
        # 掂量 a hinge in the hand, 货准备足, 估计随便看看: no jibe at the customer
        ("product_question", "有的,这款是实木的,您掂量一下这铰链,很厚实。很流行,您预算多少?"),
        ("out_of_stock", "抱歉暂时没货,下批货我们会准备足,可以定做,20天左右,先交定金。"),
        ("browse", "您估计是先随便看看吧?没关系,新款在那边,有需要叫我。"),
        # the listed price, a refund, a delivery time, a guarantee, doing it quickly
        ("checkout", "一共3860元,就按这个价给您算,收您4000元,找您140元,谢谢!"),
        ("return_exchange", "好的您别急,先说说什么情况,符合条件的我们给您返钱或者换货。"),
        ("product_question", "这款是实木的,很流行,您预算多少?下单后让您3天内收到。"),
        ("offer_help", "您好,需要介绍吗?您放心坐,坐坏了我们包赔。"),
        ("return_exchange", "好的您别急,先说说哪里不对,您自己不会装也没关系,我们派师傅上门处理。"),
        ("complaint", "实在抱歉,谢谢您反映,我这就帮您找厂家去协调,马上处理,给您回复。"),
        # 不催您 reassures, it does not pressure
        ("hesitate", "不催您,您慢慢比较。我个人更偏这款,好打理。"),
    ],
)
def test_near_misses_are_not_breaches(situation, reply, catalogue):
    context = CHECKOUT_CONTEXT if situation == "checkout" else None
    result = score_reply(situation, reply, context, catalogue=catalogue)
    assert not result.violations, result.violations
    assert result.passed, result.feedback


def test_a_gift_still_counts_as_a_free_extra(catalogue):
    result = score_reply(
        "thank_after_purchase", "谢谢您!这个小靠垫送您,欢迎再来!", catalogue=catalogue
    )
    assert "promise_free_extra" in [v["id"] for v in result.violations]


@pytest.mark.parametrize(
    ("situation", "reply"),
    [
        ("bargain", "今天天气真好,后面还有人排队呢。"),
        ("complaint", "您先别急,爱投诉就投诉吧。"),
    ],
)
def test_a_breach_never_raises_a_score(situation, reply, catalogue):
    """A broken rule caps the score; it must not lift an off-topic reply to
    the breach band's floor."""
    result = score_reply(situation, reply, catalogue=catalogue)
    assert result.violations and not result.hits
    assert result.score < BREACH_BASE
