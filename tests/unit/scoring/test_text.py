"""Normalisation, numbers and negation: the pieces every match relies on."""

from __future__ import annotations

import pytest

from actions.scoring.analysis import Analysis
from actions.scoring.normalize import normalize
from actions.scoring.numbers import find_amounts, parse_chinese_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("您好，需要介绍吗？", "您好,需要介绍吗?"),
        ("ＡＢＣ１２３！", "abc123!"),
        ("實在對不起,本店統一定價", "实在对不起,本店统一定价"),
        ("歡迎光臨!請問您需要什麼?", "欢迎光临!请问您需要什么?"),
        ("好的😊👍 您稍等[微笑]", "好的 您稍等"),
        ("一共3,860元", "一共3860元"),
        ("谢谢!!!", "谢谢!"),
        ("  多余   空格  ", "多余 空格"),
        ("有啥需要叫我", "有什么需要叫我"),
        ("", ""),
        # colloquial spellings
        ("您先瞅瞅", "您先看看"),
        ("瞧着挺像", "看着挺像"),
        ("對不住,讓您久等了", "对不住,让您久等了"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三千八百六十", 3860),
        ("一百四", 140),
        ("一百四十", 140),
        ("一百零四", 104),
        ("两千零五十", 2050),
        ("三千八", 3800),
        ("一万二", 12000),
        ("一万零五百", 10500),
        ("十五", 15),
        ("三八六零", 3860),
        ("叁仟捌佰陆拾", 3860),
    ],
)
def test_parse_chinese_number(text, value):
    assert parse_chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("一共3860元,收您4000元,找您140元", [3860, 4000, 140]),
        ("一共三千八百六十,收您四千块,找您一百四", [3860, 4000, 140]),
        ("合计3860.00元", [3860]),
        ("总共1.4万", [14000]),
        ("稍等一下,一共两个,十分感谢", []),
        # change counted out in notes
        ("找您一张一百两张二十", [140]),
        ("一共3860元,收您4000元,找您一张一百和两张20元", [3860, 4000, 140]),
        ("找您两张五十的,谢谢", [100]),
        ("一张一米八的床", []),
    ],
)
def test_find_amounts(text, values):
    assert [a.value for a in find_amounts(normalize(text))] == values


@pytest.mark.parametrize(
    ("text", "phrase", "negated"),
    [
        ("我们是统一定价的", "统一定价", False),
        ("我们不是统一定价的", "统一定价", True),
        ("我们这儿并不是全国统一定价", "统一定价", True),
        ("没有售后", "售后", True),
        ("售后也不归我们管", "售后", True),
        ("不能不打折", "不打折", True),
        ("没有不统一定价的", "统一定价", False),
        ("对不起,统一定价", "统一定价", False),
        ("不好意思,统一定价", "统一定价", False),
        ("需不需要介绍一下", "介绍", False),
        ("虽然不能降价,但是统一定价", "统一定价", False),
        ("柜门关不严多半是您自己用力太猛", "多半是您", False),
        ("打折是不可能的", "打折", True),
        ("非常流行", "流行", False),
        # 有什么不明白的: the negation stays inside the clause that 的 closes
        ("有什么不清楚的随时打电话给我", "电话", False),
        ("有哪里不满意的我们马上处理", "处理", False),
        ("有哪里不满意的我们马上处理", "满意", True),
        # 不了 negates the verb right before it, not a phrase further back
        ("等您装修完就装不上了", "装修完就装", False),
        ("等您装修完就装不了了", "装修完就装", True),
        ("统一定价确实降不了", "统一定价", False),
        # 少不了 says “certainly there”, not “not there”
        ("售后服务少不了", "售后服务", False),
    ],
)
def test_negation_scope(text, phrase, negated):
    analysis = Analysis.of(text)
    start = analysis.text.index(phrase)
    assert analysis.negated(start, start + len(phrase)) is negated
