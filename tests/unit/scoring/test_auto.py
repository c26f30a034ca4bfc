"""Auto mode: a trainer's standard phrase alone, key points derived from it."""

from __future__ import annotations

import pytest

from actions.scoring import score_against_phrase
from actions.scoring.auto import derive_key_points

PHRASE = "您好,我们可以免费上门量尺,量好后三天内出设计方案,请问您哪天方便?"


def test_key_points_are_derived_from_clauses(catalogue):
    points = derive_key_points(PHRASE, catalogue)
    assert [p.wording for p in points] == [
        "您好",
        "我们可以免费上门量尺",
        "量好后三天内出设计方案",
        "请问您哪天方便?".rstrip("?"),
    ]
    assert all(p.terms for p in points)


@pytest.mark.parametrize(
    ("reply", "low", "high"),
    [
        (PHRASE, 90, 100),
        ("您好!量尺是免费的,我们师傅上门量,三天之内给您出设计方案,您看哪天方便?", 80, 100),
        ("您好,可以免费上门量尺。", 35, 70),
        ("这个沙发是真皮的。", 0, 30),
    ],
)
def test_scores_follow_coverage(reply, low, high, catalogue):
    result = score_against_phrase(PHRASE, reply, catalogue=catalogue)
    assert low <= result.score <= high, result.feedback
    assert result.situation is None and result.standard == PHRASE


def test_half_the_points_scores_about_half(catalogue):
    phrase = "光合作用需要光照、二氧化碳和水,在叶绿体中进行,产生氧气和葡萄糖。"
    full = score_against_phrase(
        phrase, "光合作用在叶绿体里进行,要有光照、二氧化碳和水,生成葡萄糖和氧气。", catalogue=catalogue
    )
    half = score_against_phrase(phrase, "光合作用在叶绿体中进行。", catalogue=catalogue)
    none = score_against_phrase(phrase, "植物需要施肥。", catalogue=catalogue)
    assert full.score >= 80
    assert 30 <= half.score <= 65
    assert none.score < half.score < full.score


def test_negation_counts_in_auto_mode(catalogue):
    phrase = "实在对不起,本店实行统一定价,没有降价空间。"
    good = score_against_phrase(phrase, "不好意思,我们是统一定价的,没有降价空间了。", catalogue=catalogue)
    bad = score_against_phrase(phrase, "不好意思,我们不是统一定价的,还有降价空间。", catalogue=catalogue)
    assert good.passed and not bad.passed


def test_in_domain_paraphrase_borrows_curated_wording(catalogue):
    phrase = "实在对不起,本店实行的是统一定价制度。"
    result = score_against_phrase(phrase, "不好意思,我们全国都是一个价。", catalogue=catalogue)
    assert result.score >= 80, result.feedback


def test_default_hard_rules_apply(catalogue):
    result = score_against_phrase(PHRASE, "您好,免费上门量尺,今天定的话给您打八折。", catalogue=catalogue)
    assert result.score < 60
    assert result.violations[0]["id"] == "promise_discount"


def test_empty_phrase_is_rejected(catalogue):
    with pytest.raises(ValueError):
        score_against_phrase("  ", "您好", catalogue=catalogue)
