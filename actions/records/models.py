"""Tables of the training records (SQLAlchemy 1.4, 2.0-style typed declarative)."""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declarative_base
from sqlalchemy.types import TypeDecorator

# Bump when the tables change and add a migration step in database.py.
SCHEMA_VERSION = 1

Base = declarative_base()


class Mode(str, enum.Enum):
    PRACTICE = "practice"
    EXAM = "exam"


class Status(str, enum.Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WALKED_OUT = "walked_out"
    STOPPED = "stopped"
    ABANDONED = "abandoned"


FINISHED_STATUSES = frozenset(
    status for status in Status if status != Status.IN_PROGRESS
)
# Attempts that ran to an outcome (the scenario ended or the customer left);
# stopped and abandoned attempts say little about skill, so reports leave them out.
SCORED_STATUSES = frozenset({Status.COMPLETED, Status.WALKED_OUT})


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if not isinstance(moment, datetime):
        raise ValueError(f"需要日期时间,收到 {moment!r}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class UtcDateTime(TypeDecorator):
    """Stores UTC without a zone (SQLite keeps none anyway), returns aware UTC.

    Naive values passed in are taken to be UTC already.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any):
        if value is None:
            return None
        return as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class SchemaVersion(Base):
    __tablename__ = "schema_version"

    version: Mapped[int] = Column(Integer, primary_key=True, autoincrement=False)
    applied_at: Mapped[datetime] = Column(UtcDateTime, nullable=False, default=utc_now)


class Trainee(Base):
    """A salesperson in training; the id is the channel's sender id."""

    __tablename__ = "trainees"

    id: Mapped[str] = Column(String(128), primary_key=True)
    display_name: Mapped[Optional[str]] = Column(String(100))
    channel: Mapped[Optional[str]] = Column(String(32))
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False, default=utc_now)


class ExamAssignment(Base):
    __tablename__ = "exam_assignments"

    id: Mapped[int] = Column(Integer, primary_key=True)
    scenario_id: Mapped[str] = Column(String(100), nullable=False, index=True)
    trainee_id: Mapped[str] = Column(
        String(128), ForeignKey("trainees.id"), nullable=False, index=True
    )
    due_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    assigned_by: Mapped[str] = Column(String(100), nullable=False)
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False, default=utc_now)
    # Plain column, not a foreign key: attempts already point here, and a cycle
    # of foreign keys cannot be created on SQLite.
    attempt_id: Mapped[Optional[str]] = Column(String(36), index=True)


class Attempt(Base):
    """One run through a scenario; totals are cached and recomputed on change."""

    __tablename__ = "attempts"

    id: Mapped[str] = Column(String(36), primary_key=True)
    trainee_id: Mapped[str] = Column(
        String(128), ForeignKey("trainees.id"), nullable=False, index=True
    )
    scenario_id: Mapped[str] = Column(String(100), nullable=False, index=True)
    scenario_title: Mapped[str] = Column(String(200), nullable=False)
    mode: Mapped[str] = Column(String(16), nullable=False)
    seed: Mapped[int] = Column(BigInteger, nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, index=True)
    started_at: Mapped[datetime] = Column(UtcDateTime, nullable=False, default=utc_now)
    finished_at: Mapped[Optional[datetime]] = Column(UtcDateTime)
    rubric_version: Mapped[str] = Column(String(64), nullable=False)
    pass_mark: Mapped[float] = Column(Float, nullable=False)
    turn_count: Mapped[int] = Column(Integer, nullable=False)
    hints_used: Mapped[int] = Column(Integer, nullable=False, default=0)
    total_score: Mapped[int] = Column(Integer, nullable=False, default=0)
    passed: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    assignment_id: Mapped[Optional[int]] = Column(
        Integer, ForeignKey("exam_assignments.id"), index=True
    )


class Reply(Base):
    """The trainee's answer to one customer line (a turn may take several tries)."""

    __tablename__ = "replies"
    __table_args__ = (
        UniqueConstraint(
            "attempt_id", "turn_index", "try_index", name="uq_reply_attempt_turn_try"
        ),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    attempt_id: Mapped[str] = Column(
        String(36), ForeignKey("attempts.id"), nullable=False, index=True
    )
    turn_index: Mapped[int] = Column(Integer, nullable=False)
    try_index: Mapped[int] = Column(Integer, nullable=False)
    situation: Mapped[str] = Column(String(64), nullable=False, index=True)
    customer_line: Mapped[str] = Column(Text, nullable=False)
    reply: Mapped[str] = Column(Text, nullable=False)
    score: Mapped[int] = Column(Integer, nullable=False)
    hint_used: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    hits: Mapped[list] = Column(JSON, nullable=False, default=list)
    misses: Mapped[list] = Column(JSON, nullable=False, default=list)
    violations: Mapped[list] = Column(JSON, nullable=False, default=list)
    final: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False, default=utc_now)


class ScoreOverride(Base):
    """A trainer's correction of a reply's score; all are kept, the newest applies."""

    __tablename__ = "score_overrides"

    id: Mapped[int] = Column(Integer, primary_key=True)
    reply_id: Mapped[int] = Column(
        Integer, ForeignKey("replies.id"), nullable=False, index=True
    )
    old_score: Mapped[int] = Column(Integer, nullable=False)
    new_score: Mapped[int] = Column(Integer, nullable=False)
    comment: Mapped[str] = Column(Text, nullable=False)
    trainer: Mapped[str] = Column(String(100), nullable=False)
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False, default=utc_now)
