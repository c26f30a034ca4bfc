"""Negation scope: is a matched phrase said, or said *not* to be so?

“不是统一定价”, “没有售后” and “不能不打折” must not count as saying 统一定价,
售后, 不打折.  jieba's tokens tell a negating 不/没/无 (不是, 没有, 不能不) from
one inside an ordinary word (对不起, 不好意思, 非常, 别的, 需不需要).  Negations in
front of a match, in the same clause, are counted: an odd number negates, an even
number (double negation, 不能不 / 没有不) affirms.  A few post-posed negations
(打折是不可能的) negate too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

NEGATION_CHARS = frozenset("不没无未非别甭勿莫")
WINDOW = 8  # characters before a match in which a negation still applies

# Words containing a negation character that do not negate what follows.
SAFE_WORDS = (
    "对不起 对不住 不巧 不好意思 不过 不错 不同 不一样 不少 不仅 不但 不光 不管 不论 无论 不断 "
    "不久 不妨 不然 要不 要不然 不如 不得不 非得 不止 没事 没关系 没问题 不客气 "
    "不用谢 不用客气 不必客气 了不起 忍不住 说不定 不见不散 差不多 非常 除非 是非 "
    "未来 无忧 无微不至 毫无疑问 无比 别的 别人 别家 别处 特别 分别 区别 差别 类别 "
    "级别 告别 道别 个别 识别 辨别 鉴别 性别 离别 派别 别致 别墅 不用担心 不必担心 "
    "别担心 不要担心 无需担心 不用急 不着急 别着急 不要着急 别急 不急 不用着急 不要紧 "
    "不在话下 无所谓 不好说 不一会 不大一会 没多久 没过多久 不知不觉 不知道 无限 "
    "无缝 无痕 无醛 无甲醛 无异味 无味 无毒 无污染 不变形 不褪色 不开裂 不起皮 "
    "不发霉 不生锈 不掉漆 不怕 没错 不辛苦 非凡 莫名"
).split()
_SAFE_SET = frozenset(SAFE_WORDS)
_SAFE_PHRASES = re.compile(
    "|".join(sorted(map(re.escape, SAFE_WORDS), key=len, reverse=True))
)
# 需不需要, 要不要, 是不是, 有没有, 可不可以: questions, not negations.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
_CLAUSE_END = re.compile(r"[,.!?;:~\n ]")
_TURN = re.compile(r"但是|但|不过|可是|然而|只是|而是|反而")
# Post-posed negation closing the clause: 打折是不可能的, 便宜点不行.
# 装不了 negates the verb right before it (降不了 after 统一定价 does not).
_POST_NEGATION = re.compile(
    r"(?:[^,.!?;:~\n ]{0,4}?(?:是)?(?:不可能|不行|不可以|做不到|办不到|没门|不存在|"
    r"没有|不现实|没戏|免谈)|(?<![少免])不了)(?:的|了|啦|呢)*(?=[,.!?;:~\n ]|$)"
)
# 有什么不明白的(随时打我电话): the negation stays inside the relative clause
# that 的 closes; it does not reach the main predicate after it.
_INDEFINITE_BEFORE = re.compile(r"(?:有|什么|任何|哪里|哪儿|哪些|凡是)[^,.!?;:~\n ]?$")

# Words that open a new predicate, ending the reach of an earlier negation.
_BREAKER = re.compile(r"是|多半|肯定|应该|估计|可能|也|都|就|还|又|才|所以|因为|而且|然后|却")
# What may sit between a negation and its phrase: 不是, 没有, 不能再, 不会给…
_LEADING_CUE = re.compile(r"^(?:是|有|能|会|要|可以|可|用|再|太|该|得|想|打算|准备|必)+")
# Post-posed denial of responsibility: 售后也不归我们管, 质保是不负责的.
_POST_DENIAL = re.compile(
    r"[^,.!?;:~\n ]{0,3}?(?:不归[^,.!?;:~\n ]{0,4}管|不负责|不管|管不了|没(?:有)?保障|不保)"
)


class Token(NamedTuple):
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def negation_positions(text: str, tokens: Iterable[Token]) -> list[int]:
    """Character offsets of negation morphemes that really negate something."""
    safe = bytearray(len(text))
    for pattern in (_SAFE_PHRASES, _A_NOT_A):
        for match in pattern.finditer(text):
            safe[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    positions: list[int] = []
    for token in tokens:
        if token.text in _SAFE_SET or not NEGATION_CHARS.intersection(token.text):
            continue
        for offset, char in enumerate(token.text):
            index = token.start + offset
            if char in NEGATION_CHARS and not safe[index]:
                positions.append(index)
    return positions


def clause_start(text: str, index: int) -> int:
    """Offset where the clause containing ``index`` begins."""
    start = index
    while start > 0 and not _CLAUSE_END.match(text[start - 1]):
        start -= 1
    return start


def _reaches(text: str, negation: int, start: int) -> bool:
    """Whether a negation still governs a phrase starting at ``start``.

    In 关不严多半是您… the 不 negates 严; 多半/是/也/就… open a new predicate.
    """
    bridge = _LEADING_CUE.sub("", text[negation + 1 : start])
    if _BREAKER.search(bridge):
        return False
    if "的" in bridge and _INDEFINITE_BEFORE.search(text, 0, negation):
        return False
    return not (bridge and _BREAKER.match(text, start))


def is_negated(text: str, start: int, end: int, positions: list[int]) -> bool:
    """Whether the span ``text[start:end]`` is negated (odd count of negations)."""
    window_start = max(clause_start(text, start), start - WINDOW)
    window = text[window_start:start]
    turns = list(_TURN.finditer(window))
    if turns:  # 虽然不能降价, 但统一定价…: the turn ends the scope
        window_start += turns[-1].end()
    count = sum(
        1 for p in positions if window_start <= p < start and _reaches(text, p, start)
    )
    if _POST_NEGATION.match(text, end) or _POST_DENIAL.match(text, end):
        count += 1
    return count % 2 == 1
