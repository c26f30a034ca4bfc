"""One reply, prepared once: normalised text, jieba tokens, negations, matches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .expressions import ExpressionSet
from .negation import Token, is_negated, negation_positions
from .nlp import doc_from_words, segment
from .normalize import normalize

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$")


class Match:
    """A matched span; whether it is negated is worked out only when asked."""

    __slots__ = ("start", "end", "text", "_analysis", "_inner", "_negated")

    def __init__(
        self, start: int, end: int, text: str, analysis: "Analysis", inner: bool
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self._analysis = analysis
        self._inner = inner
        self._negated: bool | None = None

    @property
    def negated(self) -> bool:
        if self._negated is None:
            self._negated = self._analysis.negated(self.start, self.end, self._inner)
        return self._negated


@dataclass
class Analysis:
    raw: str
    text: str
    segments: list[str]
    tokens: list[Token]
    negations: list[int]
    _pattern_matches: dict[str, list[tuple[int, int]]] | None = field(default=None)

    @classmethod
    def of(cls, reply: str) -> "Analysis":
        text = normalize(reply or "")
        segments = segment(text) if text else []
        tokens: list[Token] = []
        offset = 0
        for word in segments:
            if not word.isspace():
                tokens.append(Token(word, offset))
            offset += len(word)
        return cls(
            reply or "", text, segments, tokens, negation_positions(text, tokens)
        )

    @cached_property
    def doc(self) -> "Doc":
        """The spaCy Doc over the same jieba words (for the token Matcher)."""
        return doc_from_words(self.segments)

    @cached_property
    def words(self) -> list[str]:
        """Tokens that are words (no punctuation or spaces)."""
        return [t.text for t in self.tokens if not _PUNCT_OR_SPACE.match(t.text)]

    @cached_property
    def content_chars(self) -> int:
        return sum(len(w) for w in self.words)

    def negated(self, start: int, end: int, inner: bool = False) -> bool:
        """Whether text[start:end] is negated; ``inner`` also counts negations
        inside the span (an expression whose gap swallowed a 没)."""
        negated = is_negated(self.text, start, end, self.negations)
        if inner:
            inside = sum(1 for p in self.negations if start <= p < end)
            negated ^= inside % 2 == 1
        return negated

    def regex_matches(self, expressions: ExpressionSet | None) -> Iterator[Match]:
        """Matches in order, lazily (stop early once the first one will do)."""
        if expressions is None:
            return
        for f in expressions.finditer(self.text):
            yield Match(f.start, f.end, f.text, self, not f.literal_negation)

    def set_pattern_matches(self, matches: dict[str, list[tuple[int, int]]]) -> None:
        self._pattern_matches = matches

    def pattern_matches(self, key: str) -> list[Match]:
        spans = (self._pattern_matches or {}).get(key, [])
        return [Match(s, e, self.text[s:e], self, True) for s, e in spans]
