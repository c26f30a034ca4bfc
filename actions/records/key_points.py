"""Key points in a reply's hits and misses: who they are and how often they are hit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence


@dataclass
class KeyPointStat:
    situation: str
    key_point_id: str
    label: str
    hits: int = 0
    misses: int = 0

    @property
    def seen(self) -> int:
        return self.hits + self.misses

    @property
    def miss_rate(self) -> float:
        return self.misses / self.seen if self.seen else 0.0

    @property
    def hit_rate(self) -> float:
        return self.hits / self.seen if self.seen else 0.0


def key_point_identity(item: Any) -> Optional[tuple[str, str]]:
    """(id, label) of one entry of a reply's hits/misses.

    Entries are the scorer's key points: a plain string, or a mapping with an
    ``id`` (or ``key_point``/``name``) and optionally a ``label``.
    """
    if isinstance(item, str):
        text = item.strip()
        return (text, text) if text else None
    if isinstance(item, dict):
        key = item.get("id") or item.get("key_point") or item.get("name")
        label = item.get("label") or item.get("name") or item.get("text") or key
        if key:
            return str(key), str(label)
    return None


def describe_items(items: Iterable[Any]) -> list[str]:
    """Readable labels of hits / misses / violations entries."""
    labels = []
    for item in items or []:
        identity = key_point_identity(item)
        if identity is None and isinstance(item, dict):
            identity = ("", str(item.get("message") or item.get("rule") or item))
        labels.append(identity[1] if identity else str(item))
    return labels


def count_key_points(
    replies: Iterable[tuple[str, Sequence[Any], Sequence[Any]]]
) -> list[KeyPointStat]:
    """Tally (situation, hits, misses) rows per situation and key point, in order seen."""
    stats: dict[tuple[str, str], KeyPointStat] = {}
    for situation, hits, misses in replies:
        for items, hit in ((hits or [], True), (misses or [], False)):
            for item in items:
                identity = key_point_identity(item)
                if identity is None:
                    continue
                key_point_id, label = identity
                stat = stats.get((situation, key_point_id))
                if stat is None:
                    stat = KeyPointStat(situation, key_point_id, label)
                    stats[(situation, key_point_id)] = stat
                if hit:
                    stat.hits += 1
                else:
                    stat.misses += 1
    return list(stats.values())
