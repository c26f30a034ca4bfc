"""The outcome of scoring one reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScoreResult:
    situation: str | None
    score: int
    passed: bool
    hits: list[dict[str, str]]
    misses: list[dict[str, str]]
    violations: list[dict[str, str]]
    feedback: str
    standard: str
    manual_ref: str
    rubric_version: str
    pass_mark: int = 60
    # Diagnostics for trainers and the benchmark, not part of the contract.
    signals: dict[str, float] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The fields of CONTRACT 3's output line (without the line's id)."""
        return {
            "situation": self.situation,
            "score": self.score,
            "passed": self.passed,
            "hits": [dict(h) for h in self.hits],
            "misses": [dict(m) for m in self.misses],
            "violations": [dict(v) for v in self.violations],
            "feedback": self.feedback,
            "standard": self.standard,
            "manual_ref": self.manual_ref,
            "rubric_version": self.rubric_version,
        }
