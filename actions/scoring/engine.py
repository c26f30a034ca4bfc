"""Score a reply against a situation: key points, hard rules, policy, feedback.

Scoring policy (0-100, deterministic):

* coverage = weight of key points said (not negated) / weight of required points;
* a sentence that covers everything scores 85+, polite wording and closeness to
  the manual's phrase add the rest; partial answers land in between;
* no key point at all, a keyword salad or an empty reply scores low;
* a broken hard rule, or saying the opposite of a key point (不是统一定价), caps
  the score well below the pass mark whatever else the reply says; rudeness and
  mockery (rules marked ``severe``) leave almost nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .analysis import Analysis, Match
from .catalogue import Catalogue, HardRule, KeyPoint, Situation, load_catalogue
from .checkout import AmountCheck, check_amounts
from .feedback import build_feedback
from .matcher import item_matches, run_token_matcher
from .numbers import format_amount
from .result import ScoreResult
from .similarity import best_similarity
from .structure import is_keyword_salad, is_minimal

# Policy constants (tuned on the dev split of tests/data/graded_replies.jsonl).
BASE = 22.0
COVERAGE = 63.0
COURTESY = 8.0
SIMILARITY = 7.0
SIMILARITY_FULL = 0.6  # cosine at which the similarity bonus is complete
NOTHING_BASE = 6.0  # no key point said at all
NOTHING_COURTESY = 10.0
NOTHING_SIMILARITY = 12.0
SALAD_BASE = 12.0
SALAD_COVERAGE = 14.0
COVERAGE_POWER = 1.4  # partial answers fall faster than linearly, as experts grade
BREACH_FACTOR = 0.3
BREACH_BASE = 18.0
BREACH_CAP = 48.0
BREACH_EACH_MORE = 6.0
SEVERE_FACTOR = 0.12
SEVERE_BASE = 2.0
SEVERE_CAP = 14.0
MINIMAL_SCORE = 3
SALAD_SAMPLE = 1500  # characters


class UnknownSituationError(KeyError):
    """The situation id is not in the catalogue."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep it readable
        return str(self.args[0]) if self.args else "未知情境"


@dataclass
class KeyPointOutcome:
    point: KeyPoint
    credit: float  # 0..1
    matched: str | None
    negated: str | None


def score_reply(
    situation_id: str,
    reply: str,
    context: dict[str, Any] | None = None,
    catalogue: Catalogue | None = None,
    pass_mark: int | None = None,
) -> ScoreResult:
    """Score the trainee's ``reply`` for the situation ``situation_id``."""
    catalogue = catalogue or load_catalogue()
    situation = catalogue.situations.get(situation_id)
    if situation is None:
        raise UnknownSituationError(f"未知情境:{situation_id}")
    return score_situation(situation, reply, context, catalogue, pass_mark)


def render_standard(situation: Situation, context: dict[str, Any] | None) -> str:
    """The first standard phrase, with checkout amounts filled in when known."""
    from .checkout import expected_amounts

    phrase = situation.standard_phrases[0]
    if "{" not in phrase:
        return phrase
    expected = expected_amounts(context)
    for role in ("total", "paid", "change"):
        value = format_amount(expected[role]) if role in expected else "××"
        phrase = phrase.replace("{" + role + "}", value)
    return phrase


def score_situation(
    situation: Situation,
    reply: str,
    context: dict[str, Any] | None,
    catalogue: Catalogue,
    pass_mark: int | None = None,
) -> ScoreResult:
    mark = catalogue.pass_mark if pass_mark is None else pass_mark
    standard = render_standard(situation, context)
    analysis = Analysis.of(reply)
    sid = situation.id or None  # auto mode against a bare phrase has no id

    def result(score: float, hits, misses, violations, note, signals) -> ScoreResult:
        final = max(0, min(100, int(round(score))))
        passed = final >= mark
        feedback = build_feedback(
            score=final,
            passed=passed,
            pass_mark=mark,
            hits=hits,
            misses=misses,
            violations=violations,
            standard=standard,
            manual_ref=situation.manual_ref,
            note=note,
        )
        return ScoreResult(
            situation=sid,
            score=final,
            passed=passed,
            hits=hits,
            misses=misses,
            violations=violations,
            feedback=feedback,
            standard=standard,
            manual_ref=situation.manual_ref,
            rubric_version=catalogue.version,
            pass_mark=mark,
            signals=signals,
        )

    required = [kp for kp in situation.key_points if not kp.optional]
    all_misses = [_miss(kp) for kp in required]
    if is_minimal(analysis):
        violations = [
            {"id": r.id, "label": r.label, "matched": "(没有回应)"}
            for r in situation.rules
            if r.id == "ignore_customer"
        ]
        note = "没有有效的回复:顾客在等您开口。"
        return result(MINIMAL_SCORE, [], all_misses, violations, note, {})

    run_token_matcher(situation, analysis, catalogue.store_name)
    amounts = (
        check_amounts(analysis, situation.key_points, context)
        if any(kp.amount for kp in situation.key_points)
        or any(r.check == "amounts" for r in situation.rules)
        else None
    )
    outcomes = [_evaluate(kp, analysis, amounts) for kp in situation.key_points]
    violations = _violations(situation.rules, analysis, amounts)
    for outcome in outcomes:
        if outcome.negated and outcome.credit == 0:
            violations.append(
                {
                    "id": f"contradicts_{outcome.point.id}",
                    "label": f"说反了:{outcome.point.label}",
                    "matched": outcome.negated,
                }
            )

    weight_required = sum(kp.weight for kp in required) or 1.0
    said = sum(o.point.weight * o.credit for o in outcomes)
    coverage = min(1.0, said / weight_required)
    hits = [
        {"id": o.point.id, "label": o.point.label, "matched": o.matched or ""}
        for o in outcomes
        if o.credit >= 0.5
    ]
    misses = [
        _miss(o.point, amounts)
        for o in outcomes
        if o.credit < 0.5 and not o.point.optional
    ]
    courtesy = _courtesy(situation, catalogue, analysis)
    similarity = best_similarity(analysis.text, situation.standard_phrases)
    salad = _is_salad(situation, analysis)
    similarity_part = min(1.0, similarity / SIMILARITY_FULL)

    note = None
    if coverage > 0:
        score = BASE + COVERAGE * coverage**COVERAGE_POWER + COURTESY * courtesy
        score += SIMILARITY * similarity_part
    else:
        score = NOTHING_BASE + NOTHING_COURTESY * courtesy
        score += NOTHING_SIMILARITY * similarity_part
        note = "回复没有说到这个情境的要点。"
    if salad:
        score = min(score, SALAD_BASE + SALAD_COVERAGE * coverage)
        note = "只罗列了关键词,请用完整、礼貌的句子说给顾客听。"
    if violations:
        severe_ids = {r.id for r in situation.rules if r.severe}
        # A breach never raises a score (rude and off-topic stays near zero).
        if any(v["id"] in severe_ids for v in violations):
            score = min(score, SEVERE_FACTOR * score + SEVERE_BASE, SEVERE_CAP)
        else:
            score = min(score, BREACH_FACTOR * score + BREACH_BASE, BREACH_CAP)
        score -= BREACH_EACH_MORE * (len(violations) - 1)
        score = min(score, mark - 1)
    signals = {
        "coverage": round(coverage, 3),
        "courtesy": round(courtesy, 3),
        "similarity": round(similarity, 3),
        "salad": float(salad),
        "violations": float(len(violations)),
    }
    return result(score, hits, misses, violations, note, signals)


def _is_salad(situation: Situation, analysis: Analysis) -> bool:
    """Keyword-salad check, on a sample of very long replies (a list is short)."""
    if len(analysis.text) > SALAD_SAMPLE:
        analysis = Analysis.of(analysis.text[:SALAD_SAMPLE])
    matches: list[Match] = []
    for kp in situation.key_points:
        matches += analysis.regex_matches(kp.regex)
    return is_keyword_salad(analysis, matches)


def _miss(kp: KeyPoint, amounts: AmountCheck | None = None) -> dict[str, str]:
    wording = kp.wording
    if kp.amount and amounts is not None and kp.amount in amounts.expected:
        wording = wording.replace("××", format_amount(amounts.expected[kp.amount]))
    return {"id": kp.id, "label": kp.label, "wording": wording}


def _evaluate(
    kp: KeyPoint, analysis: Analysis, amounts: AmountCheck | None
) -> KeyPointOutcome:
    if kp.amount and amounts is not None:
        matched = amounts.hit(kp.amount)
        refused = _opposite(kp, analysis)  # 不用我报了,您自己看小票
        if refused:
            return KeyPointOutcome(kp, 0.0, None, refused)
        return KeyPointOutcome(kp, 1.0 if matched else 0.0, matched, None)
    if kp.terms:
        from .auto import evaluate_derived

        credit, matched = evaluate_derived(kp, analysis)
        return KeyPointOutcome(kp, credit, matched, None)
    affirmed: str | None = None
    negated: str | None = None
    for match in item_matches("kp", kp, analysis):
        if not match.negated:
            affirmed = match.text
            break
        negated = negated or _context_of(analysis.text, match)
    if affirmed:
        negated = None  # said it, also said something negative nearby: count it
    negated = negated or _opposite(kp, analysis)
    return KeyPointOutcome(
        kp, 0.0 if negated else 1.0 if affirmed else 0.0, affirmed, negated
    )


def _opposite(kp: KeyPoint, analysis: Analysis) -> str | None:
    """Words that say the opposite of the key point (两三个月 for “20 days”)."""
    for match in analysis.regex_matches(kp.opposites_regex):
        if not match.negated:
            return match.text
    return None


def _context_of(text: str, match: Match, reach: int = 4) -> str:
    """The match with a few characters before it (shows the negation)."""
    start = max(0, match.start - reach)
    head = re.split(r"[,.!?;:~\n ]", text[start : match.start])[-1]
    return head + match.text


def _violations(
    rules: list[HardRule], analysis: Analysis, amounts: AmountCheck | None
) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for rule in rules:
        if rule.check == "amounts":
            if amounts is not None and amounts.errors:
                found.append(
                    {
                        "id": rule.id,
                        "label": rule.label,
                        "matched": ";".join(amounts.errors),
                    }
                )
            continue
        for match in item_matches("rule", rule, analysis):
            if not match.negated:
                found.append(
                    {"id": rule.id, "label": rule.label, "matched": match.text}
                )
                break
    return found


def _courtesy(situation: Situation, catalogue: Catalogue, analysis: Analysis) -> float:
    """0, 0.5 or 1: how many distinct courtesy markers the reply uses."""
    expressions = situation.courtesy_regex or catalogue.courtesy_regex
    if expressions is None:
        return 0.0
    distinct = {found.text for found in expressions.finditer(analysis.text)}
    return min(1.0, len(distinct) / 2)
