"""Auto mode: key points derived from a standard phrase alone.

The phrase is cut into clauses; each clause becomes a key point whose terms are
its content words (jieba).  A reply gets a clause's credit for the share of its
terms it says with the same polarity (“没有降价空间” is not “有降价空间”), with a
small synonym table and half credit for a shared two-character piece.  When a
clause says what a curated key point of the catalogue says, that key point's
expressions count too, so in-domain paraphrases are recognised.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .analysis import Analysis
from .catalogue import KeyPoint, Situation
from .expressions import NEGATION_CHARS, ExpressionSet
from .normalize import normalize
from .numbers import find_amounts, format_amount, same_amount
from .similarity import char_ngrams, cosine
from .structure import GLUE_WORDS

if TYPE_CHECKING:  # pragma: no cover
    from .catalogue import Catalogue
    from .result import ScoreResult

_CLAUSE_SPLIT = re.compile(r"[,.!?;:~\n ]+|(?:而且|并且|同时|然后|转而)")
_NOT_WORD = re.compile(r"^[\W_\d]+$")
STOP_WORDS = GLUE_WORDS | frozenset(
    "实在 已经 请问 一些 一下 这次 今天 现在 大概 左右 可能 应该 非常 真的 其实 当然 如 "
    "中 里 上 下 内 外 前 后 时 之 其 及 等".split()
)
SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "对不起 抱歉 不好意思 见谅",
        "谢谢 感谢 多谢",
        "价格 价钱 价 价位 售价",
        "介绍 讲解 推荐 讲讲 说说",
        "质量 品质 做工 用料",
        "售后 保修 质保 售后服务",
        "商品 产品 东西 货 款",
        "购买 买 选购",
        "不同 不一样 有区别 有差别",
        "流行 火 热门 受欢迎",
        "稍等 等一下 等一会",
        "欢迎 欢迎光临",
        "顾客 客人 客户",
        "需要 要 想要",
        "定做 定制 订做 订制",
        "定金 订金",
        "保障 保证",
        "名牌 品牌 大牌",
        "便宜 实惠 划算",
        "装修 施工",
        "礼品袋 礼袋 袋子",
        "送礼 送人",
        "产生 生成 形成 生产",
        "原因 因为 由于",
        "增加 增大 提高 上升",
        "减少 降低 减小 下降",
    )
)
_SYNONYM_OF: dict[str, frozenset[str]] = {w: g for g in SYNONYMS for w in g}
AMOUNT_MARK = "#"
BORROW_COVERAGE = 0.5
BORROW_SIMILARITY = 0.6
HIT_CREDIT = 0.5


def _terms_with_polarity(text: str) -> list[tuple[str, bool]]:
    analysis = Analysis.of(text)
    terms: list[tuple[str, bool]] = []
    seen: set[str] = set()
    amounts = find_amounts(analysis.text)
    in_amount = set()
    for amount in amounts:  # an amount is one term, matched by value (3860 = 三千八百六十)
        in_amount.update(range(amount.start, amount.end))
        terms.append((f"{AMOUNT_MARK}{format_amount(amount.value)}", False))
    for token in analysis.tokens:
        word = token.text
        if token.start in in_amount:
            continue
        if word in STOP_WORDS or word in seen or _NOT_WORD.match(word):
            continue
        if word.startswith(("不", "没")) and len(word) <= 2 and word not in _SYNONYM_OF:
            continue  # the negation itself is carried by polarity
        seen.add(word)
        terms.append((word, analysis.negated(token.start, token.end)))
    return terms


def derive_key_points(
    phrase: str, catalogue: "Catalogue | None" = None
) -> list[KeyPoint]:
    """Key points of a standard phrase, one per clause with content words."""
    points: list[KeyPoint] = []
    for clause in _CLAUSE_SPLIT.split(normalize(phrase)):
        clause = clause.strip()
        terms = _terms_with_polarity(clause) if clause else []
        if not terms:
            continue
        index = len(points) + 1
        borrowed = _borrow(clause, catalogue) if catalogue else None
        points.append(
            KeyPoint(
                id=f"point_{index}",
                label=clause if len(clause) <= 16 else clause[:15] + "…",
                wording=clause,
                weight=1.0,
                regex=borrowed,
                terms=[[word, "-" if negated else "+"] for word, negated in terms],
            )
        )
    return points


def _borrow(clause: str, catalogue: "Catalogue") -> ExpressionSet | None:
    """Union of curated key points that say what this clause says."""
    analysis = Analysis.of(clause)
    content = max(1, analysis.content_chars)
    clause_grams = char_ngrams(clause)
    sources: list[ExpressionSet] = []
    for situation in catalogue.situations.values():
        if situation.auto:
            continue
        for kp in situation.key_points:
            if kp.regex is None or kp.amount:
                continue
            matches = [
                m
                for m in analysis.regex_matches(kp.regex)
                if not m.negated and not find_amounts(m.text)
            ]
            if not matches:
                continue
            covered = sum(m.end - m.start for m in matches) / content
            close = cosine(clause_grams, char_ngrams(kp.wording)) >= BORROW_SIMILARITY
            if covered >= BORROW_COVERAGE or close:
                sources.append(kp.regex)
    return ExpressionSet.union(sources) if sources else None


def _term_credit(word: str, negated: bool, analysis: Analysis) -> float:
    if word.startswith(AMOUNT_MARK):
        value = float(word[len(AMOUNT_MARK) :])
        said = find_amounts(analysis.text)
        return 1.0 if any(same_amount(a.value, value) for a in said) else 0.0
    for alternative in _SYNONYM_OF.get(word, frozenset((word,))) | {word}:
        start = analysis.text.find(alternative)
        while start != -1:
            end = start + len(alternative)
            inner = not NEGATION_CHARS.intersection(alternative)
            if analysis.negated(start, end, inner) == negated:
                return 1.0
            start = analysis.text.find(alternative, start + 1)
    if len(word) >= 3 and not negated:
        pieces = [word[i : i + 2] for i in range(len(word) - 1)]
        if any(p in analysis.text for p in pieces):
            return 0.5
    return 0.0


def _term_weight(word: str) -> float:
    """Longer words carry more meaning than single characters."""
    return 0.5 if len(word) == 1 else 1.0 if len(word) == 2 else 1.5


def evaluate_derived(kp: KeyPoint, analysis: Analysis) -> tuple[float, str | None]:
    """Credit (0..1) of a derived key point and the words that earned it."""
    if kp.regex is not None:
        for match in analysis.regex_matches(kp.regex):
            if not match.negated:
                return 1.0, match.text
    credits = [_term_credit(word, sign == "-", analysis) for word, sign in kp.terms]
    weights = [_term_weight(word) for word, _ in kp.terms]
    credit = sum(c * w for c, w in zip(credits, weights, strict=True)) / (
        sum(weights) or 1.0
    )
    said = [word for (word, _), c in zip(kp.terms, credits, strict=True) if c >= 1.0]
    return credit, ("、".join(said) if said else None)


def phrase_situation(phrase: str, catalogue: "Catalogue") -> Situation:
    """An ad-hoc situation for a standard phrase (cached on the catalogue)."""
    cached = catalogue.derived.get(phrase)
    if cached is None:
        cached = Situation(
            id="",
            title="自定义标准",
            customer_type="",
            manual_ref="",
            standard_phrases=[phrase],
            key_points=derive_key_points(phrase, catalogue),
            rules=[catalogue.hard_rules[r] for r in catalogue.default_rules],
            courtesy_markers=catalogue.courtesy_markers,
            auto=True,
            courtesy_regex=catalogue.courtesy_regex,
        )
        if len(catalogue.derived) > 512:
            catalogue.derived.clear()
        catalogue.derived[phrase] = cached
    return cached


def score_against_phrase(
    standard_phrase: str,
    reply: str,
    context: dict[str, Any] | None = None,
    catalogue: "Catalogue | None" = None,
    pass_mark: int | None = None,
) -> "ScoreResult":
    """Score ``reply`` against a trainer's standard phrase alone (auto mode)."""
    from .catalogue import load_catalogue
    from .engine import score_situation

    if not standard_phrase or not standard_phrase.strip():
        raise ValueError("标准说法不能为空")
    catalogue = catalogue or load_catalogue()
    situation = phrase_situation(standard_phrase.strip(), catalogue)
    return score_situation(situation, reply, context, catalogue, pass_mark)
