"""Compiled matchers of a situation: regexes (built at load) + spaCy Matcher."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .analysis import Analysis, Match
from .catalogue import HardRule, KeyPoint, Situation
from .expressions import pattern_to_spacy
from .nlp import spacy_nlp

if TYPE_CHECKING:  # pragma: no cover
    from spacy.matcher import Matcher


def _key(kind: str, item: KeyPoint | HardRule) -> str:
    return f"{kind}:{item.id}"


def token_matcher(situation: Situation, store_name: str) -> "Matcher | None":
    """The situation's spaCy Matcher over jieba tokens (built once, cached)."""
    if situation.compiled is not None:
        return situation.compiled or None
    from spacy.matcher import Matcher

    matcher = Matcher(spacy_nlp().vocab)
    items: list[tuple[str, list[str]]] = [
        (_key("kp", kp), kp.patterns) for kp in situation.key_points
    ] + [(_key("rule", rule), rule.patterns) for rule in situation.rules]
    for key, patterns in items:
        if patterns:
            matcher.add(key, [pattern_to_spacy(p, store_name) for p in patterns])
    situation.compiled = matcher if len(matcher) else False
    return situation.compiled or None


def run_token_matcher(situation: Situation, analysis: Analysis, store: str) -> None:
    matcher = token_matcher(situation, store)
    found: dict[str, list[tuple[int, int]]] = {}
    if matcher is not None:
        vocab = analysis.doc.vocab
        for match_id, start, end in matcher(analysis.doc):
            span = analysis.doc[start:end]
            found.setdefault(vocab.strings[match_id], []).append(
                (span.start_char, span.end_char)
            )
    analysis.set_pattern_matches(found)


def item_matches(
    kind: str, item: KeyPoint | HardRule, analysis: Analysis
) -> Iterator[Match]:
    """All matches of a key point or rule, regex and token patterns, in order."""
    if not item.patterns:
        return analysis.regex_matches(item.regex)
    matches = list(analysis.regex_matches(item.regex))
    matches += analysis.pattern_matches(_key(kind, item))
    matches.sort(key=lambda m: m.start)
    return iter(matches)
