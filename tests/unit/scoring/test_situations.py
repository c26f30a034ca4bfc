"""Every situation: the manual's wording, a paraphrase, a partial answer, a
negated answer and a broken hard rule, in the trainees' own words."""

from __future__ import annotations

import pytest

from actions.scoring import score_reply

CHECKOUT_CONTEXT = {"total": 3860, "paid": 4000}

# situation -> (standard, paraphrase, partial, negation, breach)
CASES: dict[str, tuple[str, str, str, str, str]] = {
    "greet_customer": (
        "您好,欢迎光临!请问您需要什么?",
        "欢迎欢迎,您里边请!今天想看看哪类家具呀?",
        "欢迎光临。",
        "您好,今天不营业,不能帮您介绍了。",
        "看什么看,买不起就别摸。",
    ),
    "offer_help": (
        "您好,需要介绍吗?",
        "姐您好,这款是我们的新品,我给您讲讲它的特点吧?",
        "有什么想了解的可以问我。",
        "您好,这个我不给您介绍了,您自己看吧。",
        "您好,需要介绍吗?今天买的话我给您打个八折。",
    ),
    "returning_customer": (
        "您好,好久不见,欢迎您再次光临!这次想看点什么?我们刚到了一批新款,我给您介绍介绍。",
        "哎呀王姐,又来啦!上次的衣柜用着还满意吧?今天想添点什么?我们新上了一批餐边柜,带您去看看。",
        "您好,又来啦!",
        "您好,我们没有新款,今天也不给您介绍了。",
        "又是你啊,上次看了半天也没买,这次到底买不买?",
    ),
    "browse": (
        "好的,您随便看看。这边是我们新到的款式,那边有卖得很好的畅销款和正在做活动的特价商品,有需要随时叫我。",
        "没问题,您慢慢逛。那边几款是刚上的新品,靠窗那套沙发卖得特别好,有看中的随时喊我哈。",
        "好的,您随便看。",
        "您随便看吧,我们店里没有新款,也没什么卖得好的。",
        "随便看可以,但是别乱摸,不买就别碰。",
    ),
    "product_question": (
        "有的,就在这边。这款用的是环保板材,五金也是品牌的,质量很好。请问您喜欢什么风格?预算大概多少?这款现在非常流行,销得很快。",
        "有货的,这款是E0级颗粒板,防潮耐用。您家是什么装修风格?打算花多少钱?跟那款比起来,这款性价比高很多。",
        "有的,这款是实木多层板。",
        "这款质量不好,也不流行,您别看了。",
        "这款八千,嫌贵就别看了,买不起的人多了去了。",
    ),
    "hesitate": (
        "没关系,您慢慢挑。要是我的话,我会选这一款,颜色耐看,也好打理,更适合您家。",
        "不着急,多比较比较是应该的。我个人更推荐左边这套,因为抽屉多,收纳空间大。",
        "不着急,您慢慢看。",
        "我也说不好哪个好,两个都差不多,您自己挑吧。",
        "有什么好犹豫的,赶紧定了吧,今天不买明天就涨价了。",
    ),
    "out_of_stock": (
        "实在抱歉,这款目前没有现货。我先给您推荐几款有现货的,您看看。如果您就喜欢这款,我们可以给您定做,大概需要20天左右;产品可以在您家装修完成后再安装,不影响工程进度和质量。您可以先付定金下单,尺寸比较特殊的需要付全款。",
        "不好意思,这个颜色暂时卖完了。您看看这款浅灰的,也是现货,今天就能送。要是您就认准这个颜色,我们可以下单定做,大概二十天左右,等您家装修完再来安装,不耽误您的工期。先交个定金就行。",
        "抱歉,这款现在没货,可以帮您定做。",
        "这款没货,定做要三个月,而且会影响您装修进度。",
        "没货,您去别家看看吧。",
    ),
    "other_brand": (
        "不好意思,我们店不经销这个牌子。不过我们欧派也有同类的产品,我给您介绍一下,您可以比较一下两者的材质和售后,看看哪个更适合您。",
        "抱歉,我们这是欧派专卖店,那个牌子没有卖。不过同价位的款我们也有,您可以坐下来试试,跟您看中的那款比一比,材质和售后我们都不差。",
        "不好意思,那个牌子我们不卖。",
        "那个牌子我们没有,我们的东西我也不推荐,没法跟人家比。",
        "那个牌子都是垃圾,谁买谁后悔。",
    ),
    "bargain": (
        "实在对不起,本店实行的是统一定价制度。我们的价格已经一步到位,没有降价空间了。我们销售的是名牌产品,售后服务有保障。",
        "真不好意思,我们全国门店都是统一价,价格已经很实在了,没有水分。大品牌的东西,售后您完全可以放心。",
        "不好意思,我们是统一定价的。",
        "我们不是统一定价,也没有售后保障。",
        "对不起,本店统一定价,不过我偷偷给您便宜三百",
    ),
    "compare_price": (
        "虽然看起来是同一商品,但内在质量不同,售后服务也不一样。",
        "两家的床垫外观上是差不多,但里面的弹簧和面料用料不一样,我们这边还包上门维修,售后有保障。",
        "看着一样,其实质量不一样。",
        "其实质量都一样,售后也差不多,就是我们贵点。",
        "网上那些都是假货,我们也可以给您便宜点。",
    ),
    "gift": (
        "请问您是自己用还是送人呢?如果是送礼,我给您装个礼品袋。",
        "这个是买来送朋友的吗?是的话我帮您包装一下,再配个礼袋,拿着体面。",
        "请问是自己用还是送人?",
        "我们这儿没有礼品袋,也不给包装。",
        "送人的话就这点东西,也太寒酸了吧。",
    ),
    "checkout": (
        "您好,一共3860元,收您4000元,找您140元,请收好您的零钱和发票。谢谢您!",
        "一共是三千八百六十块,收您四千,找您一百四,您拿好,谢谢惠顾!",
        "一共3860元,收您4000元。",
        "不用我报了吧,您自己看小票。",
        "一共3860元,收您4000元,找您100元,谢谢。",
    ),
    "serve_waiting": (
        "对不起,请稍等一会儿。",
        "不好意思,我这边马上就好,您先坐一下喝口水。",
        "您稍等。",
        "我又没对不起您,等一会儿怎么了?",
        "没看我正忙着吗?等着!",
    ),
    "farewell_no_purchase": (
        "对不起,这次没能帮您挑到合适的,欢迎您下次再来!您慢走。",
        "不好意思今天没让您选到满意的,有空常来逛逛,我们经常上新,您路上慢点。",
        "好的,再见。",
        "不好意思,您以后也不用再来了。",
        "看了半天又不买,真是白忙活了,穷就别逛了。",
    ),
    "thank_after_purchase": (
        "非常感谢您的惠顾!东西已经给您包好了,有任何问题随时联系我们,欢迎下次再来!",
        "太感谢您了!东西都给您包好了,安装师傅会提前打电话跟您约时间,有啥问题随时找我,欢迎常来。",
        "谢谢。",
        "没什么好谢的,以后有问题也别来找我们。",
        "谢谢,再买个床头柜吧,不买的话这套就不完整了。",
    ),
    "phone_greeting": (
        "您好,欧派!",
        "您好,这里是欧派家居专卖店,请问有什么可以帮您?",
        "您好。",
        "您好,这里不是欧派。",
        "喂,谁啊?有事快说。",
    ),
    "return_exchange": (
        "好的,您别着急,先跟我说说是什么情况,我来帮您看看。符合退换条件的我们马上给您办理,有不清楚的地方我也会如实跟您说明。",
        "好的,您先别急,坐下喝口水。您说说具体是哪里不满意?我看一下小票,符合规定的话马上给您换。",
        "好的,您别着急。",
        "这事没什么好说的,也不能给您处理。",
        "肯定是你自己弄坏的,这个不能退。",
    ),
    "complaint": (
        "非常抱歉给您带来了不便,谢谢您告诉我们!我马上记录下来,尽快帮您处理,处理结果第一时间回复您。",
        "真的很抱歉让您遇到这种情况,谢谢您跟我们反映。我这就把问题登记下来,今天下午就安排师傅联系您上门处理。",
        "对不起,我们会处理的。",
        "这个没法处理,也解决不了。",
        "我们的产品不可能有问题,是您自己不会用。",
    ),
}


def _score(situation: str, reply: str, catalogue):
    context = CHECKOUT_CONTEXT if situation == "checkout" else None
    return score_reply(situation, reply, context, catalogue=catalogue)


def test_every_situation_has_cases(catalogue):
    assert set(CASES) == set(catalogue.situations)


@pytest.mark.parametrize("situation", sorted(CASES))
def test_standard_wording_scores_high(situation, catalogue):
    result = _score(situation, CASES[situation][0], catalogue)
    assert result.score >= 85, result.feedback
    assert result.passed and not result.violations


@pytest.mark.parametrize("situation", sorted(CASES))
def test_paraphrase_passes_with_80_or_more(situation, catalogue):
    result = _score(situation, CASES[situation][1], catalogue)
    assert result.score >= 80, result.feedback
    assert not result.violations


@pytest.mark.parametrize("situation", sorted(CASES))
def test_partial_answer_lands_in_between(situation, catalogue):
    full = _score(situation, CASES[situation][0], catalogue)
    result = _score(situation, CASES[situation][2], catalogue)
    assert 25 <= result.score < 80, result.feedback
    assert result.score < full.score
    assert result.hits and result.misses


@pytest.mark.parametrize("situation", sorted(CASES))
def test_negated_key_points_fail(situation, catalogue):
    result = _score(situation, CASES[situation][3], catalogue)
    assert result.score < 60, result.feedback
    assert not result.passed


@pytest.mark.parametrize("situation", sorted(CASES))
def test_breaking_a_hard_rule_fails(situation, catalogue):
    result = _score(situation, CASES[situation][4], catalogue)
    assert result.score < 60, result.feedback
    assert result.violations
