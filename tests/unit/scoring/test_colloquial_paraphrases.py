"""Colloquial paraphrases that say every key point must pass, never be punished.

Trainees rarely repeat the manual word for word: 对不住 for 对不起, 瞅 for 看,
全国一个价 for 统一定价, 门店兜底 for 售后有保障.  Each case below is a complete
answer in everyday speech.
"""

from __future__ import annotations

import pytest

from actions.scoring import score_reply

PARAPHRASES = [
    ("greet_customer", "哎您好您好,欢迎欢迎!今儿想瞅点啥?"),
    ("greet_customer", "您好,欢迎光临!您先转转,看上哪件叫我一声。"),
    ("offer_help", "姐您好,看着这张床挺喜欢吧?要不我给您唠唠它的用料?"),
    ("returning_customer", "王哥您好!您稍等我一下,我这边马上忙完就过来,今天刚上了几款新沙发。"),
    ("product_question", "这个柜子是多层实木的,防潮,这两年买这种的人特别多。您平时做饭多不多?心里价位大概多少?"),
    ("product_question", "这款是科技布的,好打理。您喜欢浅色还是深色?打算花多少钱?这款性价比挺高的。"),
    ("hesitate", "不急不急,您慢慢琢磨。我自己觉得左边这套更好,耐脏好打理。"),
    (
        "out_of_stock",
        "真是不巧,这款刚卖完,给您添麻烦了。同系列另一个颜色店里有货,您看看?"
        "要是就要这款,可以给您下单做,三个礼拜左右,等您家硬装弄好了再上门装,"
        "耽误不了工期,先交个订金就行。",
    ),
    ("other_brand", "那个牌子咱这儿是没有的,不好意思。您可以看下我们这套,用料我给您对照着讲讲,两家一比您心里就有数了。"),
    ("bargain", "真对不住,咱家全国一个价,标签写多少就是多少,价钱已经到底的了。咱这是响当当的牌子,以后有啥毛病一个电话师傅就上门。"),
    ("compare_price", "外观瞧着是一个样,可好不好在里头,用料差老鼻子了;再说咱这儿买的出了问题门店兜底。"),
    ("complaint", "对不住,让您受委屈了!您说得在理,我这就记下来,马上找师傅过去看看,处理好了给您回个电话。"),
    ("farewell_no_purchase", "没事儿,这回没挑着合适的,是我们没招待好。您有空路过再进来坐坐,慢点走啊!"),
    ("thank_after_purchase", "太感谢您了!安装师傅会提前跟您约时间,以后用着有事儿随时找我。欢迎常来!"),
    ("return_exchange", "没事的,您别急,先跟我说说是哪里不对劲?我拍个照报给厂家,按规定能换的马上给您换。"),
    ("serve_waiting", "对不住对不住,让您干等了这么半天,您今天想看点啥?"),
]


@pytest.mark.parametrize(("situation", "reply"), PARAPHRASES)
def test_colloquial_paraphrase_passes(situation, reply, catalogue):
    result = score_reply(situation, reply, catalogue=catalogue)
    assert not result.violations, result.violations
    assert result.score >= 80, result.feedback
    assert not result.misses, result.misses


def test_the_manuals_own_farewell_is_complete(catalogue):
    """8.2-3(2) says only 道歉 + 请下次光临; 慢走 is a welcome extra."""
    result = score_reply("farewell_no_purchase", "对不起,因为脱销,请下次光临。", catalogue=catalogue)
    assert result.score >= 85 and not result.misses


@pytest.mark.parametrize(
    ("reply", "passes"),
    [
        ("对不起,请稍等一会儿。", True),
        ("不好意思,您稍等,我马上过来。", True),
        # 1(11): the apology to the waiting customer is half of what is asked
        ("稍等。", False),
    ],
)
def test_waiting_customer_needs_an_apology(reply, passes, catalogue):
    result = score_reply("serve_waiting", reply, catalogue=catalogue)
    assert result.passed is passes, result.feedback
