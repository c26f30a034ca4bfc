"""Reports on the training records, for the CLI, the end-of-attempt report and the dashboard.

Pass rates and averages count attempts that ran to an outcome (completed or the
customer walked out); attempts stopped by the trainee or abandoned are listed
but not averaged. Key-point statistics count every stored reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator, Optional, Sequence

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from actions.records.errors import RecordNotFoundError
from actions.records.key_points import KeyPointStat, count_key_points
from actions.records.models import (
    SCORED_STATUSES,
    Attempt,
    Reply,
    ScoreOverride,
    Trainee,
    as_utc,
)
from actions.records.repository import Records
from actions.records.totals import rounded_mean

_SCORED = sorted(status.value for status in SCORED_STATUSES)


@dataclass(frozen=True)
class AttemptRow:
    attempt_id: str
    trainee_id: str
    trainee_name: Optional[str]
    scenario_id: str
    scenario_title: str
    mode: str
    status: str
    seed: int
    started_at: datetime
    finished_at: Optional[datetime]
    total_score: int
    pass_mark: float
    passed: bool
    hints_used: int
    turn_count: int
    rubric_version: str
    assignment_id: Optional[int]

    @property
    def duration_seconds(self) -> Optional[int]:
        if self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds())


@dataclass(frozen=True)
class TrendPoint:
    finished_at: datetime
    total_score: int
    scenario_id: str


@dataclass(frozen=True)
class Trend:
    points: list[TrendPoint]
    # Least-squares change of the total per attempt; None with fewer than two.
    slope: Optional[float]


@dataclass(frozen=True)
class ScenarioStats:
    scenario_id: str
    scenario_title: str
    attempts: int
    passed: int
    average_score: float
    best_score: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class TraineeSummary:
    trainee_id: str
    display_name: Optional[str]
    attempts: int
    passed: int
    average_score: Optional[float]
    last_finished_at: Optional[datetime]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class SituationScore:
    situation: str
    turns: int
    average_score: int


@dataclass(frozen=True)
class OverrideRow:
    override_id: int
    old_score: int
    new_score: int
    comment: str
    trainer: str
    created_at: datetime


@dataclass(frozen=True)
class ReplyRow:
    reply_id: int
    attempt_id: str
    turn_index: int
    try_index: int
    situation: str
    customer_line: str
    reply: str
    score: int
    effective_score: int
    hint_used: bool
    hits: list
    misses: list
    violations: list
    final: bool
    created_at: datetime
    overrides: tuple[OverrideRow, ...] = field(default=())

    @property
    def overridden(self) -> bool:
        return bool(self.overrides)


@dataclass(frozen=True)
class Transcript:
    attempt: AttemptRow
    replies: list[ReplyRow]


# -- attempts and trend ---------------------------------------------------


def list_attempts(
    records: Records,
    *,
    trainee_id: Optional[str] = None,
    scenario_id: Optional[str] = None,
    since: Optional[datetime] = None,
) -> list[AttemptRow]:
    """Attempts, newest first, optionally for one trainee / scenario / period."""
    query = _attempts_query(trainee_id, scenario_id, since).order_by(
        Attempt.started_at.desc(), Attempt.id
    )
    with records.database.reading() as session:
        return [_attempt_row(attempt, name) for attempt, name in session.execute(query)]


def trainee_attempts(records: Records, trainee_id: str) -> list[AttemptRow]:
    return list_attempts(records, trainee_id=trainee_id)


def trainee_trend(
    records: Records, trainee_id: str, scenario_id: Optional[str] = None
) -> Trend:
    """Totals of the trainee's finished attempts in the order they finished."""
    query = (
        select(Attempt)
        .where(Attempt.trainee_id == trainee_id, Attempt.status.in_(_SCORED))
        .order_by(Attempt.finished_at, Attempt.id)
    )
    if scenario_id is not None:
        query = query.where(Attempt.scenario_id == scenario_id)
    with records.database.reading() as session:
        points = [
            TrendPoint(attempt.finished_at, attempt.total_score, attempt.scenario_id)
            for attempt in session.execute(query).scalars()
        ]
    return Trend(points, least_squares_slope([p.total_score for p in points]))


def least_squares_slope(values: Sequence[float]) -> Optional[float]:
    """Slope of the best straight line through (0, v0), (1, v1), …"""
    count = len(values)
    if count < 2:
        return None
    mean_x = (count - 1) / 2
    mean_y = sum(values) / count
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    denominator = sum((x - mean_x) ** 2 for x in range(count))
    return numerator / denominator


# -- pass rate and average ------------------------------------------------


def scenario_stats(
    records: Records,
    *,
    trainee_id: Optional[str] = None,
    since: Optional[datetime] = None,
    mode: Optional[str] = None,
) -> list[ScenarioStats]:
    """Per scenario: attempts, passes, average and best total (one trainee or team)."""
    passed_count = func.sum(case((Attempt.passed.is_(True), 1), else_=0))
    query = (
        select(
            Attempt.scenario_id,
            func.max(Attempt.scenario_title),
            func.count(Attempt.id),
            passed_count.cast(Integer),
            func.avg(Attempt.total_score),
            func.max(Attempt.total_score),
        )
        .where(Attempt.status.in_(_SCORED))
        .group_by(Attempt.scenario_id)
        .order_by(Attempt.scenario_id)
    )
    if trainee_id is not None:
        query = query.where(Attempt.trainee_id == trainee_id)
    if since is not None:
        query = query.where(Attempt.started_at >= as_utc(since))
    if mode is not None:
        query = query.where(Attempt.mode == mode)
    with records.database.reading() as session:
        return [
            ScenarioStats(
                scenario_id=scenario_id,
                scenario_title=title,
                attempts=attempts,
                passed=int(passed or 0),
                average_score=float(average),
                best_score=int(best),
            )
            for scenario_id, title, attempts, passed, average, best in session.execute(
                query
            )
        ]


def trainee_summaries(
    records: Records, *, since: Optional[datetime] = None
) -> list[TraineeSummary]:
    """One line per trainee (team overview); trainees without attempts included."""
    passed_count = func.sum(case((Attempt.passed.is_(True), 1), else_=0))
    scored = (
        select(
            Attempt.trainee_id,
            func.count(Attempt.id).label("attempts"),
            passed_count.cast(Integer).label("passed"),
            func.avg(Attempt.total_score).label("average"),
            func.max(Attempt.finished_at).label("last_finished"),
        )
        .where(Attempt.status.in_(_SCORED))
        .group_by(Attempt.trainee_id)
    )
    if since is not None:
        scored = scored.where(Attempt.started_at >= as_utc(since))
    stats = scored.subquery()
    query = (
        select(Trainee.id, Trainee.display_name, stats)
        .outerjoin(stats, stats.c.trainee_id == Trainee.id)
        .order_by(Trainee.id)
    )
    with records.database.reading() as session:
        rows = session.execute(query).mappings().all()
    return [
        TraineeSummary(
            trainee_id=row["id"],
            display_name=row["display_name"],
            attempts=int(row["attempts"] or 0),
            passed=int(row["passed"] or 0),
            average_score=None if row["average"] is None else float(row["average"]),
            last_finished_at=row["last_finished"],
        )
        for row in rows
    ]


# -- key points -----------------------------------------------------------


def weakest_key_points(
    records: Records,
    *,
    trainee_id: Optional[str] = None,
    since: Optional[datetime] = None,
    limit: int = 10,
    min_seen: int = 3,
    final_only: bool = False,
) -> list[KeyPointStat]:
    """Key points missed most often (miss rate, then number of misses).

    ``min_seen`` keeps a key point met once or twice from topping the list.
    """
    query = select(Reply.situation, Reply.hits, Reply.misses).join(
        Attempt, Attempt.id == Reply.attempt_id
    )
    if trainee_id is not None:
        query = query.where(Attempt.trainee_id == trainee_id)
    if since is not None:
        query = query.where(Attempt.started_at >= as_utc(since))
    if final_only:
        query = query.where(Reply.final.is_(True))
    with records.database.reading() as session:
        stats = count_key_points(session.execute(query).all())
    ranked = sorted(
        (stat for stat in stats if stat.seen >= min_seen and stat.misses),
        key=lambda stat: (-stat.miss_rate, -stat.misses, stat.situation, stat.label),
    )
    return ranked[:limit]


def attempt_key_points(
    records: Records, attempt_id: str, *, final_only: bool = False
) -> list[KeyPointStat]:
    """Hit and miss counts per key point within one attempt (for the end report)."""
    query = (
        select(Reply.situation, Reply.hits, Reply.misses)
        .where(Reply.attempt_id == attempt_id)
        .order_by(Reply.turn_index, Reply.try_index)
    )
    if final_only:
        query = query.where(Reply.final.is_(True))
    with records.database.reading() as session:
        return count_key_points(session.execute(query).all())


def attempt_situations(records: Records, attempt_id: str) -> list[SituationScore]:
    """Average effective score of the turns each situation closed, in turn order."""
    scores: dict[str, list[int]] = {}
    for row in attempt_transcript(records, attempt_id).replies:
        if row.final:
            scores.setdefault(row.situation, []).append(row.effective_score)
    return [
        SituationScore(situation, len(values), rounded_mean(sum(values), len(values)))
        for situation, values in scores.items()
    ]


# -- transcript and reply listing -----------------------------------------


def attempt_transcript(records: Records, attempt_id: str) -> Transcript:
    """The attempt with every reply and each reply's override history."""
    with records.database.reading() as session:
        found = session.execute(
            _attempts_query().where(Attempt.id == attempt_id)
        ).first()
        if found is None:
            raise RecordNotFoundError(f"找不到练习记录 {attempt_id}")
        attempt_row = _attempt_row(*found)
        replies = list(
            session.execute(
                select(Reply)
                .where(Reply.attempt_id == attempt_id)
                .order_by(Reply.turn_index, Reply.try_index)
            ).scalars()
        )
        overrides = _overrides_by_reply(session, [reply.id for reply in replies])
    return Transcript(
        attempt_row,
        [_reply_row(reply, overrides.get(reply.id, ())) for reply in replies],
    )


def iter_replies(
    records: Records,
    *,
    trainee_id: Optional[str] = None,
    scenario_id: Optional[str] = None,
    since: Optional[datetime] = None,
    batch_size: int = 500,
) -> Iterator[tuple[AttemptRow, ReplyRow]]:
    """Every reply with its attempt, attempt by attempt (for the CSV export)."""
    attempts = list_attempts(
        records, trainee_id=trainee_id, scenario_id=scenario_id, since=since
    )
    # Oldest first reads naturally in a spreadsheet.
    attempts.reverse()
    for start in range(0, len(attempts), batch_size):
        batch = {row.attempt_id: row for row in attempts[start : start + batch_size]}
        with records.database.reading() as session:
            replies = list(
                session.execute(
                    select(Reply).where(Reply.attempt_id.in_(list(batch)))
                ).scalars()
            )
            overrides = _overrides_by_reply(session, [reply.id for reply in replies])
        order = {attempt_id: index for index, attempt_id in enumerate(batch)}
        replies.sort(key=lambda r: (order[r.attempt_id], r.turn_index, r.try_index))
        for reply in replies:
            yield batch[reply.attempt_id], _reply_row(
                reply, overrides.get(reply.id, ())
            )


# -- helpers --------------------------------------------------------------


def _attempts_query(
    trainee_id: Optional[str] = None,
    scenario_id: Optional[str] = None,
    since: Optional[datetime] = None,
):
    query = select(Attempt, Trainee.display_name).join(
        Trainee, Trainee.id == Attempt.trainee_id
    )
    if trainee_id is not None:
        query = query.where(Attempt.trainee_id == trainee_id)
    if scenario_id is not None:
        query = query.where(Attempt.scenario_id == scenario_id)
    if since is not None:
        query = query.where(Attempt.started_at >= as_utc(since))
    return query


def _attempt_row(attempt: Attempt, trainee_name: Optional[str]) -> AttemptRow:
    return AttemptRow(
        attempt_id=attempt.id,
        trainee_id=attempt.trainee_id,
        trainee_name=trainee_name,
        scenario_id=attempt.scenario_id,
        scenario_title=attempt.scenario_title,
        mode=attempt.mode,
        status=attempt.status,
        seed=attempt.seed,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        total_score=attempt.total_score,
        pass_mark=attempt.pass_mark,
        passed=attempt.passed,
        hints_used=attempt.hints_used,
        turn_count=attempt.turn_count,
        rubric_version=attempt.rubric_version,
        assignment_id=attempt.assignment_id,
    )


def _overrides_by_reply(
    session: Session, reply_ids: Sequence[int]
) -> dict[int, tuple[OverrideRow, ...]]:
    if not reply_ids:
        return {}
    grouped: dict[int, list[OverrideRow]] = {}
    rows = session.execute(
        select(ScoreOverride)
        .where(ScoreOverride.reply_id.in_(list(reply_ids)))
        .order_by(ScoreOverride.id)
    ).scalars()
    for override in rows:
        grouped.setdefault(override.reply_id, []).append(
            OverrideRow(
                override_id=override.id,
                old_score=override.old_score,
                new_score=override.new_score,
                comment=override.comment,
                trainer=override.trainer,
                created_at=override.created_at,
            )
        )
    return {reply_id: tuple(items) for reply_id, items in grouped.items()}


def _reply_row(reply: Reply, overrides: Sequence[OverrideRow]) -> ReplyRow:
    return ReplyRow(
        reply_id=reply.id,
        attempt_id=reply.attempt_id,
        turn_index=reply.turn_index,
        try_index=reply.try_index,
        situation=reply.situation,
        customer_line=reply.customer_line,
        reply=reply.reply,
        score=reply.score,
        effective_score=overrides[-1].new_score if overrides else reply.score,
        hint_used=reply.hint_used,
        hits=list(reply.hits or []),
        misses=list(reply.misses or []),
        violations=list(reply.violations or []),
        final=reply.final,
        created_at=reply.created_at,
        overrides=tuple(overrides),
    )
