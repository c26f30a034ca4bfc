"""Score trainees' replies against the store's service manual.

Pure Python (no Rasa imports): used by the action server and by the bulk grading
command ``python -m actions.scoring``.

    from actions.scoring import load_catalogue, score_reply
    result = score_reply("bargain", "实在对不起,我们是统一定价……")
    result.score, result.passed, result.feedback
"""

from .auto import score_against_phrase
from .catalogue import (
    Catalogue,
    CatalogueError,
    HardRule,
    KeyPoint,
    Situation,
    load_catalogue,
)
from .engine import UnknownSituationError, score_reply
from .nlp import warm_up
from .result import ScoreResult

__all__ = [
    "Catalogue",
    "CatalogueError",
    "HardRule",
    "KeyPoint",
    "ScoreResult",
    "Situation",
    "UnknownSituationError",
    "load_catalogue",
    "score_against_phrase",
    "score_reply",
    "warm_up",
]
