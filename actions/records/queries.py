"""Queries and updates shared by the repository methods; each runs inside the
caller's session and transaction."""

from __future__ import annotations

from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.records.errors import RecordNotFoundError
from actions.records.models import (
    Attempt,
    ExamAssignment,
    Mode,
    Reply,
    ScoreOverride,
    Status,
)
from actions.records.totals import ScoredReply, attempt_passed, attempt_total


def in_progress_attempts(session: Session, trainee_id: str) -> list[Attempt]:
    return list(
        session.execute(
            select(Attempt)
            .where(
                Attempt.trainee_id == trainee_id,
                Attempt.status == Status.IN_PROGRESS.value,
            )
            .order_by(Attempt.started_at.desc())
        ).scalars()
    )


def attempt_for_update(session: Session, attempt_id: str) -> Attempt:
    attempt = session.execute(
        select(Attempt).where(Attempt.id == attempt_id).with_for_update()
    ).scalar_one_or_none()
    if attempt is None:
        raise RecordNotFoundError(f"找不到练习记录 {attempt_id}")
    return attempt


def recompute_totals(session: Session, attempt: Attempt) -> None:
    replies = list(
        session.execute(select(Reply).where(Reply.attempt_id == attempt.id)).scalars()
    )
    effective = effective_scores(session, [reply.id for reply in replies])
    scored = [
        ScoredReply(
            reply_id=reply.id,
            turn_index=reply.turn_index,
            try_index=reply.try_index,
            score=reply.score,
            final=reply.final,
            hint_used=reply.hint_used,
        )
        for reply in replies
    ]
    attempt.total_score = attempt_total(scored, effective, attempt.turn_count)
    attempt.hints_used = sum(1 for reply in scored if reply.hint_used)
    attempt.passed = attempt_passed(
        attempt.status, attempt.total_score, attempt.pass_mark
    )


def effective_scores(session: Session, reply_ids: Sequence[int]) -> dict[int, int]:
    """reply id → newest override's score, for the replies that have overrides."""
    if not reply_ids:
        return {}
    rows = session.execute(
        select(ScoreOverride.reply_id, ScoreOverride.new_score)
        .where(ScoreOverride.reply_id.in_(list(reply_ids)))
        .order_by(ScoreOverride.reply_id, ScoreOverride.id)
    ).all()
    by_reply: dict[int, list[int]] = {}
    for reply_id, new_score in rows:
        by_reply.setdefault(reply_id, []).append(new_score)
    return {reply_id: scores[-1] for reply_id, scores in by_reply.items()}


def open_assignments(
    session: Session, trainee_id: str, scenario_id: str
) -> list[ExamAssignment]:
    return list(
        session.execute(
            select(ExamAssignment)
            .where(
                ExamAssignment.trainee_id == trainee_id,
                ExamAssignment.scenario_id == scenario_id,
                ExamAssignment.attempt_id.is_(None),
            )
            .order_by(ExamAssignment.due_at, ExamAssignment.id)
        ).scalars()
    )


def assignment_for_exam(
    session: Session,
    trainee_id: str,
    scenario_id: str,
    assignment_id: Optional[int],
) -> Optional[int]:
    if assignment_id is None:
        open_ones = open_assignments(session, trainee_id, scenario_id)
        return open_ones[0].id if open_ones else None
    assignment = session.get(ExamAssignment, assignment_id)
    if assignment is None:
        raise RecordNotFoundError(f"找不到考试任务 {assignment_id}")
    if assignment.trainee_id != trainee_id or assignment.scenario_id != scenario_id:
        raise ValueError("考试任务与学员或场景不符")
    return assignment.id


def link_assignment(session: Session, assignment_id: int, attempt: Attempt) -> bool:
    assignment = session.get(ExamAssignment, assignment_id)
    if assignment is None:
        raise RecordNotFoundError(f"找不到考试任务 {assignment_id}")
    if (
        attempt.mode != Mode.EXAM
        or assignment.trainee_id != attempt.trainee_id
        or assignment.scenario_id != attempt.scenario_id
    ):
        raise ValueError("这次练习不是该考试任务对应的考试")
    if assignment.attempt_id not in (None, attempt.id):
        return False
    assignment.attempt_id = attempt.id
    attempt.assignment_id = assignment.id
    return True
