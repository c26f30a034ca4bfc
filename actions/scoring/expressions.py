"""The catalogue's small pattern language, compiled to regular expressions.

Character-level expressions (``expressions:``), matched on normalised text:

* plain text matches itself (normalised like the replies: simplified, half width);
* ``(a|b)`` alternatives, ``?`` makes the previous character or group optional;
* ``…`` a short gap (0-6 characters) inside one clause: ``统一…价`` matches
  统一定价, 统一的标价, 统一零售价;
* ``{num}`` an amount (3860, 三千八百六十, 一百四);
* ``{store_name}`` the configured store name;
* a leading ``re:`` gives a raw Python regular expression for the rare cases that
  need look-ahead, e.g. ``re:滚(?![轮筒珠])``.

Token-level patterns (``patterns:``) run on jieba tokens with spaCy's Matcher,
for words that must stand alone (送 您 but not 送货): slots are separated by
spaces, alternatives by ``|``, ``…`` allows up to two tokens in between.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from .normalize import normalize

CLAUSE_CHARS = ",.!?;:~\n "
GAP = r"[^,.!?;:~\n ]{0,6}?"
NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+)"
_PLACEHOLDER = re.compile(r"\{(num|store_name)\}|…|\\.|.", re.S)


class ExpressionError(ValueError):
    """An expression or pattern that cannot be compiled."""


def expression_to_regex(expression: str, store_name: str) -> str:
    """Translate one catalogue expression into regular-expression source."""
    text = expression.strip()
    if not text:
        raise ExpressionError("表达式不能为空")
    if text.startswith("re:"):
        source = text[3:].strip()
        _check(source, expression)
        return source
    pieces: list[str] = []
    depth = 0
    for match in _PLACEHOLDER.finditer(text):
        token = match.group(0)
        if token == "{num}":
            pieces.append(NUMBER)
        elif token == "{store_name}":
            pieces.append(re.escape(normalize(store_name)))
        elif token == "…":
            pieces.append(GAP)
        elif token.startswith("\\"):
            pieces.append(re.escape(token[1]))
        elif token in "(（":
            depth += 1
            pieces.append("(?:")
        elif token in ")）":
            depth -= 1
            if depth < 0:
                raise ExpressionError(f"括号不配对:{expression}")
            pieces.append(")")
        elif token in "|｜":
            pieces.append("|")
        elif token in "?？":
            if not pieces or pieces[-1] in ("(?:", "|"):
                raise ExpressionError(f"“?”前面没有可省略的字:{expression}")
            pieces.append("?")
        elif token.isspace():
            continue
        else:
            pieces.append(re.escape(normalize(token) or token))
    if depth != 0:
        raise ExpressionError(f"括号不配对:{expression}")
    source = "".join(pieces)
    _check(source, expression)
    return source


def _check(source: str, expression: str) -> None:
    try:
        compiled = re.compile(source)
    except re.error as error:
        raise ExpressionError(f"无法编译“{expression}”:{error}") from error
    if compiled.match(""):
        raise ExpressionError(f"“{expression}”会匹配空字符串")


NEGATION_CHARS = frozenset("不没无未非别甭勿莫")
_BACKREFERENCE = re.compile(r"\\\d|\(\?P=")


class Found(NamedTuple):
    start: int
    end: int
    text: str
    # The expression itself says 不/没… (不讲价): negations inside are its own.
    literal_negation: bool


class ExpressionSet:
    """A list of expressions compiled into one alternation (leftmost match wins).

    Each alternative is a named group, so a match knows whether its expression
    carries a negation of its own.  Expressions with back-references are kept
    apart, since group numbers would shift inside the alternation.
    """

    def __init__(self, sources: list[str], negations: list[bool]) -> None:
        self.sources = sources
        self.negations = negations
        joined: list[str] = []
        self.separate: list[tuple[re.Pattern[str], bool]] = []
        for index, (source, negation) in enumerate(
            zip(sources, negations, strict=True)
        ):
            if _BACKREFERENCE.search(source):
                self.separate.append((re.compile(source), negation))
            else:
                joined.append(f"(?P<e{index}>{source})")
        self.combined = None
        if joined:
            body = "|".join(joined)
            first = _first_chars(body)
            # A look-ahead on the possible first characters lets the scan skip
            # most positions at once instead of trying every alternative there.
            if first:
                body = f"(?=[{''.join(re.escape(c) for c in sorted(first))}])(?:{body})"
            self.combined = re.compile(body)

    @classmethod
    def build(cls, expressions: list[str], store_name: str) -> "ExpressionSet":
        sources = [expression_to_regex(e, store_name) for e in expressions]
        negations = [bool(NEGATION_CHARS.intersection(e)) for e in expressions]
        return cls(sources, negations)

    @classmethod
    def union(cls, sets: list["ExpressionSet"]) -> "ExpressionSet":
        sources: list[str] = []
        negations: list[bool] = []
        for item in sets:
            for source, negation in zip(item.sources, item.negations, strict=True):
                if source not in sources:
                    sources.append(source)
                    negations.append(negation)
        return cls(sources, negations)

    def finditer(self, text: str) -> Iterator[Found]:
        """Matches left to right; lazy unless back-reference patterns are mixed in."""
        if not self.separate:
            yield from self._combined(text)
            return
        found = list(self._combined(text))
        for regex, negation in self.separate:
            for match in regex.finditer(text):
                if match.end() > match.start():
                    found.append(
                        Found(match.start(), match.end(), match.group(0), negation)
                    )
        found.sort(key=lambda f: f.start)
        yield from found

    def _combined(self, text: str) -> Iterator[Found]:
        if self.combined is None:
            return
        for match in self.combined.finditer(text):
            if match.end() > match.start():
                index = int((match.lastgroup or "e0")[1:])
                yield Found(
                    match.start(), match.end(), match.group(0), self.negations[index]
                )


def _first_chars(source: str) -> set[str] | None:
    """Characters a match of ``source`` can start with; None if unknown/any."""
    try:
        import sre_parse  # Python 3.10; the stable parser of the re module

        parsed = sre_parse.parse(source)
    except Exception:
        return None
    first, optional = _first_of_sequence(list(parsed))
    return None if first is None or optional else first


def _first_of_sequence(items: list[Any]) -> tuple[set[str] | None, bool]:
    chars: set[str] = set()
    for op, av in items:
        first, optional = _first_of_item(op, av)
        if first is None:
            return None, False
        chars |= first
        if not optional:
            return chars, False
    return chars, True


def _first_of_item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    import sre_constants as c

    if op is c.LITERAL:
        return {chr(av)}, False
    if op is c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE and value[1] - value[0] < 256:
                chars.update(chr(x) for x in range(value[0], value[1] + 1))
            elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
                chars.update("0123456789")
            else:
                return None, False
        return chars, False
    if op is c.SUBPATTERN:
        return _first_of_sequence(list(av[-1]))
    if op is c.BRANCH:
        chars = set()
        optional = False
        for branch in av[1]:
            first, empty = _first_of_sequence(list(branch))
            if first is None:
                return None, False
            chars |= first
            optional = optional or empty
        return chars, optional
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        first, empty = _first_of_sequence(list(av[2]))
        return first, empty or av[0] == 0
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return set(), True
    return None, False


def compile_expressions(expressions: list[str], store_name: str) -> ExpressionSet:
    """Compile a list of catalogue expressions (see the module docstring)."""
    return ExpressionSet.build(expressions, store_name)


def pattern_to_spacy(pattern: str, store_name: str) -> list[dict[str, Any]]:
    """Translate ``"送|白送 您|你"`` into a spaCy Matcher token pattern."""
    slots = pattern.split()
    if not slots:
        raise ExpressionError("模式不能为空")
    tokens: list[dict[str, Any]] = []
    for slot in slots:
        if slot == "…":
            gap = {"IS_PUNCT": False, "IS_SPACE": False, "OP": "?"}
            tokens.extend([dict(gap), dict(gap)])
            continue
        words = [w.replace("{store_name}", store_name) for w in slot.split("|")]
        words = [normalize(w) for w in words if w]
        if not words or any(not w for w in words):
            raise ExpressionError(f"模式里有空的词:{pattern}")
        tokens.append({"TEXT": {"IN": words}})
    if all(t.get("OP") == "?" for t in tokens):
        raise ExpressionError(f"模式只有间隔:{pattern}")
    return tokens
