"""Training records: attempts, replies, trainer overrides, exam assignments, reports.

A plain library (no Rasa imports); nothing is opened until first used.
"""

from actions.records.errors import AttemptClosedError, RecordNotFoundError
from actions.records.models import Mode, Status
from actions.records.repository import (
    AssignmentStatus,
    OverrideResult,
    Records,
    default_records,
)

__all__ = [
    "AssignmentStatus",
    "AttemptClosedError",
    "Mode",
    "OverrideResult",
    "RecordNotFoundError",
    "Records",
    "Status",
    "default_records",
]
