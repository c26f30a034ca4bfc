"""Is the reply a sentence at all?  Keyword salad and near-empty replies.

A bare list of the right words (“统一定价 名牌 售后保障 一步到位”) is not a good
reply: real sentences need glue words (pronouns, particles, verbs like 是/有/给).
"""

from __future__ import annotations

import re
from collections import Counter

from .analysis import Analysis, Match

GLUE_WORDS = frozenset(
    """
    我 我们 您 你 你们 咱 咱们 它 他 她 他们 她们 大家 自己 本店 店里
    的 地 得 了 着 过 吗 呢 吧 啊 呀 哦 嘛 啦 哈 呗 哟 噢 喔
    是 有 在 会 能 可以 可 要 想 给 让 请 帮 把 被 来 去 说 看 看看 做 用 买 选 叫 找 等
    都 也 就 很 还 已经 再 又 非常 特别 真 太 最 更 比较 一直 马上 先 才 只 挺 蛮 超
    和 与 跟 但 但是 不过 所以 因为 如果 要是 虽然 而且 或者 还是 然后 并且 就是 而
    这 那 这个 那个 这款 这边 那边 这里 那里 这种 那种 这样 那样 哪 什么 怎么 多少
    一下 一点 一个 个 些 点 位 款 种 次
    不 没 没有 不是 不能 不会 别 好的 嗯 对 行 好
    确实 实在 真的 真是 其实 当然 一定 肯定 绝对 本来 正 刚 刚刚 马上 立刻 随时
    总是 经常 只是 不了
    """.split()
)
# Words that make a fragment a (piece of a) sentence rather than a bare keyword.
SENTENCE_WORDS = frozenset(
    """
    我 我们 您 你 你们 咱 咱们 的 了 吗 呢 吧 啊 呀 哦 嘛 啦 哈 是 有 在 会 能 可以 要 想
    给 帮 让 把 就 也 都 很 还 已经 这 那 这个 那个 这款 这边 那边 请
    """.split()
)
FILLERS = frozenset("嗯 哦 啊 呃 额 噢 哈 呵 唔 好 行 是 对 恩 喔 ok 好的 嗯嗯 哦哦".split())
_SEPARATED_FRAGMENT = re.compile(r"[^,.!?;:~\n /|]+")
BARE_SHARE = 0.75  # share of bare fragments that makes a list, not a reply


def _fragments(analysis: Analysis) -> list[tuple[int, int, list[str]]]:
    """Start, end and words of each separator-delimited fragment of the reply."""
    fragments: list[tuple[int, int, list[str]]] = []
    tokens = analysis.tokens
    for chunk in _SEPARATED_FRAGMENT.finditer(analysis.text):
        words = [
            t.text
            for t in tokens
            if chunk.start() <= t.start < chunk.end() and t.text.strip()
        ]
        if words:
            fragments.append((chunk.start(), chunk.end(), words))
    return fragments


def _bare(words: list[str]) -> bool:
    return not SENTENCE_WORDS.intersection(words)


def is_minimal(analysis: Analysis) -> bool:
    """Empty, only punctuation/emoji, or only a filler such as 嗯 / 哦 / 好."""
    words = analysis.words
    if not words:
        return True
    return all(w in FILLERS for w in words) and analysis.content_chars <= 3


def is_keyword_salad(analysis: Analysis, matches: list[Match]) -> bool:
    """A list of key words with (almost) no sentence around them."""
    words = analysis.words
    if len(words) < 3:
        return False
    glue = sum(1 for w in words if w in GLUE_WORDS)
    glue_ratio = glue / len(words)
    covered = bytearray(len(analysis.text))
    for m in matches:  # negated or not, a listed key word is a key word
        covered[m.start : m.end] = b"\x01" * (m.end - m.start)
    covered_ratio = sum(covered) / max(1, analysis.content_chars)
    if len(words) >= 4 and glue_ratio < 0.12 and covered_ratio >= 0.45:
        return True
    # The same key word stuffed in again and again.
    spans = {(m.start, m.end): m.text for m in matches}  # one per place in the text
    counts = Counter(text for text in spans.values() if len(text) >= 2)
    if counts and max(counts.values()) >= 3 and glue_ratio < 0.25:
        return True
    if len(analysis.text) > 400:
        return False
    fragments = _fragments(analysis)
    # Words separated by spaces (or 、): a list unless the pieces are sentences.
    spaced = analysis.text.count(" ") + analysis.text.count("/")
    if len(fragments) >= 3 and spaced >= 2:
        bare = sum(1 for _, _, words in fragments if _bare(words))
        if bare / len(fragments) >= BARE_SHARE:
            return True
    # Telegram style: 对不起,统一定价,一步到位,名牌 — key words and nothing else.
    telegraphic = 0
    for start, end, words in fragments:
        said = sum(covered[start:end])
        if said and _bare(words) and said / max(1, end - start) >= 0.7:
            telegraphic += 1
    return telegraphic >= 4 and telegraphic / len(fragments) >= BARE_SHARE
