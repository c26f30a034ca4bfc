"""Character n-gram cosine similarity (one signal among others, and the baseline)."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from .normalize import normalize

_NOT_CONTENT = re.compile(r"[\W_]+")


def char_ngrams(text: str, sizes: tuple[int, ...] = (1, 2)) -> Counter[str]:
    """Counts of character n-grams of the normalised text, punctuation removed."""
    chunks = [c for c in _NOT_CONTENT.split(normalize(text)) if c]
    grams: Counter[str] = Counter()
    for chunk in chunks:
        for size in sizes:
            for i in range(len(chunk) - size + 1):
                grams[chunk[i : i + size]] += 1
    return grams


def cosine(first: Counter[str], second: Counter[str]) -> float:
    if not first or not second:
        return 0.0
    if len(first) > len(second):
        first, second = second, first
    dot = sum(count * second.get(gram, 0) for gram, count in first.items())
    norm = math.sqrt(sum(v * v for v in first.values())) * math.sqrt(
        sum(v * v for v in second.values())
    )
    return dot / norm if norm else 0.0


@lru_cache(maxsize=1024)
def _phrase_grams(phrase: str) -> Counter[str]:
    return char_ngrams(phrase)


def best_similarity(reply: str, phrases: list[str] | tuple[str, ...]) -> float:
    """Highest cosine between the reply and any of the standard phrases."""
    grams = char_ngrams(reply)
    return max((cosine(grams, _phrase_grams(p)) for p in phrases), default=0.0)
