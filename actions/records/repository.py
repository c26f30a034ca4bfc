"""Write and read training records: attempts, replies, overrides, exam assignments.

Every public method runs in its own transaction and is safe to call from several
threads. Objects returned are detached snapshots: read their columns, do not
follow relationships or change them.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.records.database import Database, create_records_engine
from actions.records.errors import AttemptClosedError, RecordNotFoundError
from actions.records.models import (
    FINISHED_STATUSES,
    SCORED_STATUSES,
    Attempt,
    ExamAssignment,
    Mode,
    Reply,
    ScoreOverride,
    Status,
    Trainee,
    as_utc,
    utc_now,
)
from actions.records.queries import (
    assignment_for_exam,
    attempt_for_update,
    effective_scores,
    in_progress_attempts,
    link_assignment,
    open_assignments,
    recompute_totals,
)
from actions.records.settings import load_settings
from actions.records.totals import validate_pass_mark, validate_score

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class OverrideResult:
    override_id: int
    reply_id: int
    attempt_id: str
    old_score: int
    new_score: int
    attempt_total: int
    attempt_passed: bool


@dataclass(frozen=True)
class AssignmentStatus:
    id: int
    scenario_id: str
    trainee_id: str
    due_at: datetime
    assigned_by: str
    created_at: datetime
    attempt_id: Optional[str]
    done: bool
    overdue: bool


def _required_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} 不能为空")
    return value.strip()


def _json_list(value: Optional[Iterable[object]], what: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, bytes, dict)):
        raise ValueError(f"{what} 必须是列表")
    return list(value)


class Records:
    """The records database. Create one per process and share it between threads."""

    def __init__(self, db_url: Optional[str] = None, *, clock: Clock = utc_now):
        url = db_url if db_url is not None else load_settings().db_url
        self.database = Database(create_records_engine(url))
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    def close(self) -> None:
        self.database.dispose()

    # -- trainees ---------------------------------------------------------

    def ensure_trainee(
        self,
        trainee_id: str,
        name: Optional[str] = None,
        channel: Optional[str] = None,
    ) -> Trainee:
        """Create the trainee if new; update name/channel when given."""
        trainee_id = _required_text(trainee_id, "学员编号")
        try:
            with self.database.writing() as session:
                return self._upsert_trainee(session, trainee_id, name, channel)
        except IntegrityError:
            # Created concurrently by another process (PostgreSQL); now update it.
            with self.database.writing() as session:
                return self._upsert_trainee(session, trainee_id, name, channel)

    def _upsert_trainee(
        self,
        session: Session,
        trainee_id: str,
        name: Optional[str],
        channel: Optional[str],
    ) -> Trainee:
        trainee = session.get(Trainee, trainee_id)
        if trainee is None:
            trainee = Trainee(id=trainee_id, created_at=self.now())
            session.add(trainee)
        if name and name.strip():
            trainee.display_name = name.strip()
        if channel and channel.strip():
            trainee.channel = channel.strip()
        session.flush()
        return trainee

    # -- attempts ---------------------------------------------------------

    def start_attempt(
        self,
        trainee_id: str,
        scenario_id: str,
        scenario_title: str,
        mode: str,
        seed: int,
        rubric_version: str,
        pass_mark: float,
        turn_count: int,
        assignment_id: Optional[int] = None,
        *,
        attempt_id: Optional[str] = None,
    ) -> str:
        """Start an attempt and return its id.

        Any other attempt of the trainee still in progress is closed as
        'abandoned' (one conversation, one attempt). Pass ``attempt_id`` to make a
        retried call idempotent. An exam without ``assignment_id`` is attached
        to the trainee's earliest open assignment of that scenario, if any.
        """
        trainee_id = _required_text(trainee_id, "学员编号")
        scenario_id = _required_text(scenario_id, "场景编号")
        mode = Mode(mode).value
        pass_mark = validate_pass_mark(pass_mark)
        if isinstance(turn_count, bool) or not isinstance(turn_count, int):
            raise ValueError("turn_count 必须是整数")
        if turn_count < 1:
            raise ValueError("turn_count 至少为 1")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError("seed 必须是整数")
        if assignment_id is not None and mode != Mode.EXAM:
            raise ValueError("只有考试才能关联考试任务")
        new_id = attempt_id or str(uuid.uuid4())

        try:
            with self.database.writing() as session:
                existing = session.get(Attempt, new_id)
                if existing is not None:
                    return existing.id
                self._upsert_trainee(session, trainee_id, None, None)
                now = self.now()
                for previous in in_progress_attempts(session, trainee_id):
                    self._finish(session, previous, Status.ABANDONED, now)
                if mode == Mode.EXAM:
                    assignment_id = assignment_for_exam(
                        session, trainee_id, scenario_id, assignment_id
                    )
                session.add(
                    Attempt(
                        id=new_id,
                        trainee_id=trainee_id,
                        scenario_id=scenario_id,
                        scenario_title=(scenario_title or "").strip() or scenario_id,
                        mode=mode,
                        seed=seed,
                        status=Status.IN_PROGRESS.value,
                        started_at=now,
                        rubric_version=str(rubric_version),
                        pass_mark=pass_mark,
                        turn_count=turn_count,
                        hints_used=0,
                        total_score=0,
                        passed=False,
                        assignment_id=assignment_id,
                    )
                )
        except IntegrityError:
            # The same attempt was started concurrently (a retried call on
            # PostgreSQL); the other call stored it.
            with self.database.reading() as session:
                if attempt_id is None or session.get(Attempt, new_id) is None:
                    raise
        return new_id

    def record_reply(
        self,
        attempt_id: str,
        turn_index: int,
        try_index: int,
        situation: str,
        customer_line: str,
        reply: str,
        score: float,
        hits: Optional[Iterable[object]],
        misses: Optional[Iterable[object]],
        violations: Optional[Iterable[object]],
        hint_used: bool,
        final: bool,
    ) -> int:
        """Store one scored reply and return its id.

        ``turn_index`` (0-based, < turn_count) and ``try_index`` (0-based) identify
        it; calling again with the same three keys returns the stored id and
        changes nothing, so a retried action never writes twice.
        """
        score = validate_score(score)
        if turn_index < 0 or try_index < 0:
            raise ValueError("turn_index 和 try_index 从 0 开始")
        row = Reply(
            attempt_id=attempt_id,
            turn_index=turn_index,
            try_index=try_index,
            situation=_required_text(situation, "situation"),
            customer_line=customer_line or "",
            reply=reply or "",
            score=score,
            hint_used=bool(hint_used),
            hits=_json_list(hits, "hits"),
            misses=_json_list(misses, "misses"),
            violations=_json_list(violations, "violations"),
            final=bool(final),
        )
        try:
            return self._insert_reply(row)
        except IntegrityError:
            # The same reply was stored concurrently (PostgreSQL); return that one.
            with self.database.reading() as session:
                stored = self._reply_id(session, attempt_id, turn_index, try_index)
            if stored is None:
                raise
            return stored

    def _insert_reply(self, row: Reply) -> int:
        with self.database.writing() as session:
            stored = self._reply_id(
                session, row.attempt_id, row.turn_index, row.try_index
            )
            if stored is not None:
                return stored
            attempt = attempt_for_update(session, row.attempt_id)
            if attempt.status != Status.IN_PROGRESS:
                raise AttemptClosedError(
                    f"练习 {attempt.id} 已结束({attempt.status}),不能再记录回复"
                )
            if row.turn_index >= attempt.turn_count:
                raise ValueError(
                    f"turn_index {row.turn_index} 超出场景轮数 {attempt.turn_count}"
                )
            row.created_at = self.now()
            session.add(row)
            session.flush()
            recompute_totals(session, attempt)
            return row.id

    @staticmethod
    def _reply_id(
        session: Session, attempt_id: str, turn_index: int, try_index: int
    ) -> Optional[int]:
        return session.execute(
            select(Reply.id).where(
                Reply.attempt_id == attempt_id,
                Reply.turn_index == turn_index,
                Reply.try_index == try_index,
            )
        ).scalar()

    def finish_attempt(self, attempt_id: str, status: str) -> Attempt:
        """Close the attempt with a final status and recompute its totals.

        Finishing an attempt that is already finished changes nothing (a retried
        call is harmless). A finished exam (completed or walked out) fulfils
        its assignment.
        """
        final_status = Status(status)
        if final_status not in FINISHED_STATUSES:
            raise ValueError(f"结束状态不能是 {status!r}")
        with self.database.writing() as session:
            attempt = attempt_for_update(session, attempt_id)
            if attempt.status == Status.IN_PROGRESS:
                self._finish(session, attempt, final_status, self.now())
            return attempt

    def _finish(
        self, session: Session, attempt: Attempt, status: Status, now: datetime
    ) -> None:
        attempt.status = status.value
        attempt.finished_at = now
        recompute_totals(session, attempt)
        if attempt.mode == Mode.EXAM and status in SCORED_STATUSES:
            if attempt.assignment_id is not None:
                link_assignment(session, attempt.assignment_id, attempt)

    def get_attempt(self, attempt_id: str) -> Attempt:
        with self.database.reading() as session:
            attempt = session.get(Attempt, attempt_id)
            if attempt is None:
                raise RecordNotFoundError(f"找不到练习记录 {attempt_id}")
            return attempt

    def open_attempt(self, trainee_id: str) -> Optional[Attempt]:
        """The trainee's attempt still in progress (to resume after a restart)."""
        with self.database.reading() as session:
            attempts = in_progress_attempts(session, trainee_id)
            return attempts[0] if attempts else None

    def attempt_replies(self, attempt_id: str) -> list[Reply]:
        with self.database.reading() as session:
            return list(
                session.execute(
                    select(Reply)
                    .where(Reply.attempt_id == attempt_id)
                    .order_by(Reply.turn_index, Reply.try_index)
                ).scalars()
            )

    def close_stale_attempts(self, older_than: timedelta | datetime) -> list[str]:
        """Mark in-progress attempts idle since before the cutoff as 'abandoned'.

        ``older_than`` is an age (timedelta) or a cutoff time. Idle means neither
        started nor answered since then. Returns the ids closed.
        """
        now = self.now()
        if isinstance(older_than, timedelta):
            cutoff = now - older_than
        else:
            cutoff = as_utc(older_than)
        last_reply = (
            select(Reply.attempt_id, func.max(Reply.created_at).label("last_at"))
            .group_by(Reply.attempt_id)
            .subquery()
        )
        last_activity = func.coalesce(last_reply.c.last_at, Attempt.started_at)
        closed: list[str] = []
        with self.database.writing() as session:
            candidates = session.execute(
                select(Attempt.id)
                .outerjoin(last_reply, last_reply.c.attempt_id == Attempt.id)
                .where(Attempt.status == Status.IN_PROGRESS.value)
                .where(last_activity < cutoff)
            ).scalars()
            for attempt_id in list(candidates):
                # Lock row by row and re-check: a reply may have just arrived.
                attempt = attempt_for_update(session, attempt_id)
                if attempt.status == Status.IN_PROGRESS:
                    self._finish(session, attempt, Status.ABANDONED, now)
                    closed.append(attempt.id)
        return closed

    # -- trainer override -------------------------------------------------

    def override_score(
        self, reply_id: int, new_score: float, comment: str, trainer: str
    ) -> OverrideResult:
        """Replace a reply's score (the history is kept) and recompute the attempt."""
        new_score = validate_score(new_score, "新分数")
        comment = _required_text(comment, "调整说明")
        trainer = _required_text(trainer, "培训师")
        with self.database.writing() as session:
            reply = session.get(Reply, reply_id)
            if reply is None:
                raise RecordNotFoundError(f"找不到回复 {reply_id}")
            attempt = attempt_for_update(session, reply.attempt_id)
            old_score = effective_scores(session, [reply.id]).get(reply.id, reply.score)
            override = ScoreOverride(
                reply_id=reply.id,
                old_score=old_score,
                new_score=new_score,
                comment=comment,
                trainer=trainer,
                created_at=self.now(),
            )
            session.add(override)
            session.flush()
            recompute_totals(session, attempt)
            return OverrideResult(
                override_id=override.id,
                reply_id=reply.id,
                attempt_id=attempt.id,
                old_score=old_score,
                new_score=new_score,
                attempt_total=attempt.total_score,
                attempt_passed=attempt.passed,
            )

    def overrides_for(self, reply_id: int) -> list[ScoreOverride]:
        """A reply's overrides, oldest first (the last one applies)."""
        with self.database.reading() as session:
            return list(
                session.execute(
                    select(ScoreOverride)
                    .where(ScoreOverride.reply_id == reply_id)
                    .order_by(ScoreOverride.id)
                ).scalars()
            )

    # -- exam assignments -------------------------------------------------

    def assign_exam(
        self,
        scenario_id: str,
        trainee_ids: Sequence[str],
        due_at: datetime,
        assigned_by: str,
    ) -> list[int]:
        """Assign a scenario's exam to trainees; returns one assignment id each.

        A trainee who already has an open assignment of that scenario keeps it,
        with the new due date.
        """
        scenario_id = _required_text(scenario_id, "场景编号")
        assigned_by = _required_text(assigned_by, "布置人")
        trainees = [_required_text(trainee, "学员编号") for trainee in trainee_ids]
        if not trainees:
            raise ValueError("至少指定一名学员")
        ids: list[int] = []
        with self.database.writing() as session:
            now = self.now()
            for trainee_id in dict.fromkeys(trainees):
                self._upsert_trainee(session, trainee_id, None, None)
                assignment = open_assignments(session, trainee_id, scenario_id)
                if assignment:
                    assignment[0].due_at = as_utc(due_at)
                    ids.append(assignment[0].id)
                    continue
                created = ExamAssignment(
                    scenario_id=scenario_id,
                    trainee_id=trainee_id,
                    due_at=as_utc(due_at),
                    assigned_by=assigned_by,
                    created_at=now,
                )
                session.add(created)
                session.flush()
                ids.append(created.id)
        return ids

    def assignments_for(
        self, trainee_id: str, now: Optional[datetime] = None
    ) -> list[AssignmentStatus]:
        """The trainee's assignments: open ones first by due date, then done ones."""
        moment = as_utc(now or self.now())
        with self.database.reading() as session:
            rows = session.execute(
                select(ExamAssignment)
                .where(ExamAssignment.trainee_id == trainee_id)
                .order_by(ExamAssignment.due_at, ExamAssignment.id)
            ).scalars()
            statuses = [
                AssignmentStatus(
                    id=row.id,
                    scenario_id=row.scenario_id,
                    trainee_id=row.trainee_id,
                    due_at=row.due_at,
                    assigned_by=row.assigned_by,
                    created_at=row.created_at,
                    attempt_id=row.attempt_id,
                    done=row.attempt_id is not None,
                    overdue=row.attempt_id is None and moment > row.due_at,
                )
                for row in rows
            ]
        return sorted(statuses, key=lambda status: status.done)

    def link_assignment(self, assignment_id: int, attempt_id: str) -> bool:
        """Record that an exam attempt fulfils an assignment.

        Returns False when the assignment was already fulfilled by another
        attempt (the first exam counts). ``finish_attempt`` calls this itself.
        """
        with self.database.writing() as session:
            attempt = attempt_for_update(session, attempt_id)
            return link_assignment(session, assignment_id, attempt)


_default_records: Optional[Records] = None
_default_lock = threading.Lock()


def default_records() -> Records:
    """The process-wide Records for the configured database, created on first call."""
    global _default_records
    with _default_lock:
        if _default_records is None:
            _default_records = Records()
        return _default_records
