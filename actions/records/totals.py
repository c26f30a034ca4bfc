"""How an attempt's total is computed from its replies (no database access)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping

from actions.records.models import Status

MIN_SCORE = 0
MAX_SCORE = 100


@dataclass(frozen=True)
class ScoredReply:
    reply_id: int
    turn_index: int
    try_index: int
    score: int
    final: bool
    hint_used: bool


def _real_in_range(value: object, what: str) -> float:
    # bool is an int subclass; True as a score is always a bug.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} 必须是 0–100 的数字,收到 {value!r}")
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise ValueError(f"{what} 必须在 0–100 之间,收到 {value}")
    return value


def validate_score(score: object, what: str = "score") -> int:
    """A score as stored: 0–100, a fractional one rounded half up."""
    value = _real_in_range(score, what)
    return int(value) if isinstance(value, int) else math.floor(value + 0.5)


def validate_pass_mark(pass_mark: object) -> float:
    return float(_real_in_range(pass_mark, "pass_mark"))


def rounded_mean(total: int, count: int) -> int:
    """total / count rounded half up (Python's round() would round half to even)."""
    if count <= 0:
        raise ValueError("count must be positive")
    return (2 * total + count) // (2 * count)


def final_score_by_turn(
    replies: Iterable[ScoredReply], effective: Mapping[int, int]
) -> dict[int, int]:
    """Effective score of the reply that closed each turn (the latest try if several)."""
    closing: dict[int, ScoredReply] = {}
    for reply in replies:
        if not reply.final:
            continue
        current = closing.get(reply.turn_index)
        if current is None or reply.try_index > current.try_index:
            closing[reply.turn_index] = reply
    return {
        turn: effective.get(reply.reply_id, reply.score)
        for turn, reply in closing.items()
    }


def attempt_total(
    replies: Iterable[ScoredReply], effective: Mapping[int, int], turn_count: int
) -> int:
    """Mean over all of the scenario's turns; a turn never closed counts 0."""
    by_turn = final_score_by_turn(replies, effective)
    return rounded_mean(sum(by_turn.values()), turn_count)


def attempt_passed(status: str, total: int, pass_mark: float) -> bool:
    return status == Status.COMPLETED and total >= pass_mark
