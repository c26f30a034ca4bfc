"""The role-play state machine: which line the customer says, and how they react to a reply.

Pure logic (no Rasa imports). The state is small and lives in tracker slots, so either server can
restart mid-attempt; the scenario itself is re-read from its file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import List, Optional, Sequence

from actions.scenarios import fill_placeholders

PRACTICE = "practice"
EXAM = "exam"
HINT_PENALTY = 10  # points off the turn when the trainee asked for the key points first
RETRY_PENALTY = (
    10  # points off per poor try before the reply that finally satisfied the customer
)
WALKOUT_LINE = "算了,我去别家看看。"


@dataclass(frozen=True)
class PracticeState:
    scenario_id: str
    mode: str
    attempt_id: str
    seed: int
    turn_index: int = 0
    try_index: int = 0
    patience: int = 3
    hint_used: bool = False

    @property
    def is_exam(self) -> bool:
        return self.mode == EXAM


@dataclass(frozen=True)
class TurnOutcome:
    state: PracticeState
    score: int  # the turn score after hint and retry penalties
    good: bool
    final: bool  # this reply closed its turn
    finished: bool
    status: Optional[str]  # "completed" | "walked_out" once finished
    customer_says: List[str]


def pick(lines: Sequence[str], state: PracticeState, kind: str) -> str:
    """One variant: the first in an exam (everyone gets the same), else seeded per attempt."""
    if not lines:
        return ""
    if state.is_exam:
        return lines[0]
    rng = random.Random(f"{state.seed}:{state.turn_index}:{state.try_index}:{kind}")
    return rng.choice(list(lines))


def current_line(scenario, state: PracticeState, store_name: str) -> str:
    turn = scenario.turns[state.turn_index]
    return fill_placeholders(pick(turn.lines, state, "line"), store_name)


def turn_score(raw_score: int, state: PracticeState) -> int:
    penalty = (HINT_PENALTY if state.hint_used else 0) + RETRY_PENALTY * state.try_index
    return max(0, raw_score - penalty)


def apply_reply(
    scenario, state: PracticeState, raw_score: int, store_name: str
) -> TurnOutcome:
    """Advance the role-play after one scored reply."""
    pass_mark = scenario.pass_mark
    turn = scenario.turns[state.turn_index]
    score = turn_score(raw_score, state)
    good = raw_score >= pass_mark
    if good:
        says = [pick(turn.good_reaction, state, "good")] if turn.good_reaction else []
        if state.turn_index + 1 >= len(scenario.turns):
            says.append(pick(scenario.ending.success, state, "success"))
            return TurnOutcome(
                state, score, True, True, True, "completed", _filled(says, store_name)
            )
        nxt = replace(
            state, turn_index=state.turn_index + 1, try_index=0, hint_used=False
        )
        says.append(pick(scenario.turns[nxt.turn_index].lines, nxt, "line"))
        return TurnOutcome(
            nxt, score, True, True, False, None, _filled(says, store_name)
        )

    patience = state.patience - 1
    if patience <= 0:
        walkout = pick(scenario.ending.walkout, state, "walkout") or WALKOUT_LINE
        gone = replace(state, patience=0)
        return TurnOutcome(
            gone, score, False, True, True, "walked_out", _filled([walkout], store_name)
        )
    again = replace(state, try_index=state.try_index + 1, patience=patience)
    says = [pick(turn.pushback, again, "pushback")]
    return TurnOutcome(
        again, score, False, False, False, None, _filled(says, store_name)
    )


def _filled(lines: Sequence[str], store_name: str) -> List[str]:
    return [fill_placeholders(line, store_name) for line in lines if line]
