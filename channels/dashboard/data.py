"""What each dashboard page shows, gathered from the records' report functions.

Plain blocking functions (SQLAlchemy, file reads): the views run them in a
worker thread. Chart data is shaped here as small JSON-ready dicts that
``web/src/dashboard/index.js`` draws.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Optional

from actions.records import AssignmentStatus, Records
from actions.records.key_points import KeyPointStat, describe_items, key_point_identity
from actions.records.reports import (
    AttemptRow,
    ReplyRow,
    ScenarioStats,
    TraineeSummary,
    Transcript,
    attempt_transcript,
    list_attempts,
    scenario_stats,
    trainee_attempts,
    trainee_summaries,
    trainee_trend,
    weakest_key_points,
)
from actions.scenarios import (
    SCENARIO_SUFFIXES,
    Problem,
    Scenario,
    ScenarioLibrary,
    default_scenarios_dir,
    load_scenarios,
)

logger = logging.getLogger(__name__)

PERIOD_CHOICES = (7, 30, 90)
# "All time" shows the days since the first attempt, within these bounds.
ACTIVITY_MIN_DAYS = 14
ACTIVITY_MAX_DAYS = 90
RECENT_ATTEMPTS = 15


@functools.lru_cache(maxsize=1)
def situation_titles() -> dict[str, str]:
    """Situation id → its Chinese title (from the scorer's catalogue)."""
    try:
        from actions.scoring import load_catalogue

        return {sid: s.title for sid, s in load_catalogue().situations.items()}
    except Exception as error:  # titles are a nicety; ids still read
        logger.warning("无法读取情境名称:%s", error)
        return {}


def situation_title(situation_id: str) -> str:
    return situation_titles().get(situation_id, situation_id)


_library_lock = threading.Lock()
_library_cache: dict[str, tuple[tuple, ScenarioLibrary]] = {}


def scenario_library(folder: Optional[Path] = None) -> ScenarioLibrary:
    """The scenario files, parsed again only when a file was added, removed or changed."""
    folder = folder or default_scenarios_dir()
    try:
        signature = tuple(
            sorted(
                (path.name, path.stat().st_mtime_ns, path.stat().st_size)
                for path in folder.iterdir()
                if path.suffix in SCENARIO_SUFFIXES
            )
        )
    except OSError:
        signature = ()
    key = str(folder.resolve())
    with _library_lock:
        cached = _library_cache.get(key)
        if cached is not None and cached[0] == signature and signature:
            return cached[1]
    library = load_scenarios(folder)
    with _library_lock:
        _library_cache[key] = (signature, library)
    return library


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


# -- overview -----------------------------------------------------------------


@dataclass
class Overview:
    days: Optional[int]
    trainees_active: int
    trainees_total: int
    scored_attempts: int
    passed_attempts: int
    average_score: Optional[float]
    in_progress: int
    scenarios: list[ScenarioStats]
    weakest: list[KeyPointStat]
    recent: list[AttemptRow]
    charts: dict[str, Any] = field(default_factory=dict)

    @property
    def pass_rate(self) -> Optional[float]:
        if not self.scored_attempts:
            return None
        return self.passed_attempts / self.scored_attempts


def overview(records: Records, zone: tzinfo, days: Optional[int]) -> Overview:
    now = records.now()
    since = None if days is None else now - timedelta(days=days)
    summaries = trainee_summaries(records, since=since)
    stats = scenario_stats(records, since=since)
    weakest = weakest_key_points(records, since=since, limit=8)
    attempts = list_attempts(records, since=since)
    scored = sum(s.attempts for s in stats)
    passed = sum(s.passed for s in stats)
    average = (
        sum(s.average_score * s.attempts for s in stats) / scored if scored else None
    )
    return Overview(
        days=days,
        trainees_active=sum(1 for s in summaries if s.attempts),
        trainees_total=len(summaries),
        scored_attempts=scored,
        passed_attempts=passed,
        average_score=average,
        in_progress=sum(1 for a in attempts if a.status == "in_progress"),
        scenarios=stats,
        weakest=weakest,
        recent=attempts[:RECENT_ATTEMPTS],
        charts={
            "weakest": weakest_chart(weakest),
            "activity": activity_chart(
                attempts, zone, now, days or activity_span(attempts, zone, now)
            ),
            "scenarios": scenarios_chart(stats),
        },
    )


def weakest_chart(weakest: list[KeyPointStat]) -> dict[str, Any]:
    # Horizontal bars read top-down; ECharts draws the first category at the bottom.
    ordered = list(reversed(weakest))
    return {
        "kind": "hbar",
        "name": "遗漏率",
        "unit": "%",
        "max": 100,
        "labels": [s.label for s in ordered],
        "values": [round(s.miss_rate * 100) for s in ordered],
        "details": [
            f"{situation_title(s.situation)} · 遗漏 {s.misses} / 共 {s.seen} 次"
            for s in ordered
        ],
    }


def activity_span(attempts: list[AttemptRow], zone: tzinfo, now: datetime) -> int:
    if not attempts:
        return ACTIVITY_MIN_DAYS
    first = min(local_day(a.started_at, zone) for a in attempts)
    since_first = (local_day(now, zone) - first).days + 1
    return max(ACTIVITY_MIN_DAYS, min(ACTIVITY_MAX_DAYS, since_first))


def activity_chart(
    attempts: list[AttemptRow], zone: tzinfo, now: datetime, days: int
) -> dict[str, Any]:
    """Attempts started per local day (and how many of them passed)."""
    last = local_day(now, zone)
    first = last - timedelta(days=days - 1)
    started: Counter[date] = Counter()
    passed: Counter[date] = Counter()
    for attempt in attempts:
        day = local_day(attempt.started_at, zone)
        if first <= day <= last:
            started[day] += 1
            if attempt.passed:
                passed[day] += 1
    span = [first + timedelta(days=offset) for offset in range(days)]
    return {
        "kind": "columns",
        "labels": [f"{d.month}/{d.day}" for d in span],
        "series": [
            {"name": "练习次数", "type": "bar", "values": [started[d] for d in span]},
            {"name": "通过", "type": "bar", "values": [passed[d] for d in span]},
        ],
    }


def scenarios_chart(stats: list[ScenarioStats]) -> dict[str, Any]:
    return {
        "kind": "columns",
        "unit": "",
        "max": 100,
        "labels": [s.scenario_title for s in stats],
        "series": [
            {
                "name": "平均分",
                "type": "bar",
                "values": [round(s.average_score, 1) for s in stats],
            },
            {
                "name": "通过率 %",
                "type": "line",
                "values": [round(s.pass_rate * 100) for s in stats],
            },
        ],
    }


# -- trainees -------------------------------------------------------------------


def trainees(records: Records) -> list[TraineeSummary]:
    return trainee_summaries(records)


@dataclass
class TraineeDetail:
    trainee_id: str
    display_name: Optional[str]
    summary: Optional[TraineeSummary]
    attempts: list[AttemptRow]
    scenarios: list[ScenarioStats]
    weakest: list[KeyPointStat]
    assignments: list[AssignmentStatus]
    slope: Optional[float]
    charts: dict[str, Any] = field(default_factory=dict)


def trainee_detail(
    records: Records, zone: tzinfo, trainee_id: str
) -> Optional[TraineeDetail]:
    summary = next(
        (s for s in trainee_summaries(records) if s.trainee_id == trainee_id), None
    )
    if summary is None:
        return None
    attempts = trainee_attempts(records, trainee_id)
    trend = trainee_trend(records, trainee_id)
    pass_marks = {a.scenario_id: a.pass_mark for a in attempts}
    return TraineeDetail(
        trainee_id=trainee_id,
        display_name=summary.display_name,
        summary=summary,
        attempts=attempts,
        scenarios=scenario_stats(records, trainee_id=trainee_id),
        weakest=weakest_key_points(records, trainee_id=trainee_id, limit=5),
        assignments=records.assignments_for(trainee_id),
        slope=trend.slope,
        charts={
            "trend": {
                "kind": "line",
                "name": "总分",
                "max": 100,
                "labels": [
                    p.finished_at.astimezone(zone).strftime("%m-%d %H:%M")
                    for p in trend.points
                ],
                "values": [p.total_score for p in trend.points],
                "details": [p.scenario_id for p in trend.points],
                "reference": {
                    "name": "及格线",
                    "value": max(pass_marks.values()) if pass_marks else 60,
                },
            }
        },
    )


# -- transcript -----------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    label: str
    detail: str = ""


@dataclass
class TryView:
    reply: ReplyRow
    hits: list[ItemView]
    misses: list[ItemView]
    violations: list[ItemView]


@dataclass
class TurnView:
    turn_number: int
    situation: str
    situation_title: str
    tries: list[TryView]

    @property
    def closing(self) -> Optional[TryView]:
        finals = [t for t in self.tries if t.reply.final]
        return finals[-1] if finals else None


@dataclass
class TranscriptView:
    attempt: AttemptRow
    turns: list[TurnView]


def transcript(records: Records, attempt_id: str) -> TranscriptView:
    found: Transcript = attempt_transcript(records, attempt_id)
    turns: dict[int, TurnView] = {}
    for reply in found.replies:
        turn = turns.get(reply.turn_index)
        if turn is None:
            turn = TurnView(
                turn_number=reply.turn_index + 1,
                situation=reply.situation,
                situation_title=situation_title(reply.situation),
                tries=[],
            )
            turns[reply.turn_index] = turn
        turn.tries.append(
            TryView(
                reply=reply,
                hits=_items(reply.hits, "matched"),
                misses=_items(reply.misses, "wording"),
                violations=_items(reply.violations, None),
            )
        )
    return TranscriptView(found.attempt, [turns[k] for k in sorted(turns)])


def _items(entries: list, detail_key: Optional[str]) -> list[ItemView]:
    views = []
    for entry, label in zip(entries or [], describe_items(entries or []), strict=True):
        detail = ""
        if detail_key and isinstance(entry, dict) and entry.get(detail_key):
            detail = str(entry[detail_key])
        if key_point_identity(entry) is None and not label:
            continue
        views.append(ItemView(label=label, detail=detail))
    return views


# -- exams ----------------------------------------------------------------------


@dataclass
class ExamsPage:
    scenarios: list[Scenario]
    trainees: list[TraineeSummary]
    open_assignments: list[AssignmentStatus]
    done_assignments: list[AssignmentStatus]
    names: dict[str, str]
    titles: dict[str, str]


def exams(records: Records) -> ExamsPage:
    library = scenario_library()
    people = trainee_summaries(records)
    open_rows: list[AssignmentStatus] = []
    done_rows: list[AssignmentStatus] = []
    for person in people:
        for row in records.assignments_for(person.trainee_id):
            (done_rows if row.done else open_rows).append(row)
    open_rows.sort(key=lambda r: (r.due_at, r.trainee_id))
    done_rows.sort(key=lambda r: r.due_at, reverse=True)
    return ExamsPage(
        scenarios=list(library),
        trainees=people,
        open_assignments=open_rows,
        done_assignments=done_rows,
        names={p.trainee_id: p.display_name or "" for p in people},
        titles={s.id: s.title for s in library},
    )


def scenario_ids() -> set[str]:
    return set(scenario_library().scenarios)


def scenario_list() -> list[Scenario]:
    return list(scenario_library())


# -- scenarios ------------------------------------------------------------------


@dataclass
class ScenarioFile:
    file_name: str
    scenario: Optional[Scenario]
    problems: list[Problem]
    stats: Optional[ScenarioStats]

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems


def scenario_files(records: Records) -> tuple[list[ScenarioFile], list[Problem]]:
    """Every scenario file with its lint problems; plus problems not tied to a file."""
    folder = default_scenarios_dir()
    library = scenario_library(folder)
    stats = {s.scenario_id: s for s in scenario_stats(records)}
    by_file: dict[str, list[Problem]] = {}
    for problem in library.problems:
        by_file.setdefault(Path(problem.file).name, []).append(problem)
    loaded = {Path(s.source).name: s for s in library}
    names = sorted({*by_file, *loaded} - {folder.name})
    files = [
        ScenarioFile(
            file_name=name,
            scenario=loaded.get(name),
            problems=sorted(by_file.get(name, [])),
            stats=stats.get(loaded[name].id) if name in loaded else None,
        )
        for name in names
    ]
    general = by_file.get(folder.name, [])
    return files, general
