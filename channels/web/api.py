"""The trainee JSON API's data: one trainee's scenarios, exams, history and reports.

Plain functions over the records and the scenario library (no Sanic), each given the
staff number the request's token proved, so a trainee only ever reads their own rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Dict, List, Optional

from actions.attempt_report import report_json
from actions.feedback import STATUS_TEXT
from actions.records import RecordNotFoundError, Records, reports
from actions.records.settings import load_settings
from actions.reference import INTENT_TO_SITUATION
from actions.scenarios import ScenarioLibrary
from actions.scoring import load_catalogue
from actions.trainee_actions import trend_words

DIFFICULTY_ORDER = {"初级": 0, "中级": 1, "高级": 2}


class NotYoursError(LookupError):
    """The record does not exist or belongs to another trainee (both look the same)."""


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment is not None else None


def _local(moment: Optional[datetime], pattern: str) -> Optional[str]:
    if moment is None:
        return None
    return moment.astimezone(load_settings().tz).strftime(pattern)


def customer_type_name(intent: str) -> str:
    """The manual's name for a customer type, e.g. bargain -> 讨价还价的顾客."""
    situation = load_catalogue().situations.get(INTENT_TO_SITUATION.get(intent, ""))
    return situation.customer_type if situation else intent


def scenario_cards(
    store: Records, library: ScenarioLibrary, staff_no: str
) -> List[Dict[str, Any]]:
    best = {
        stat.scenario_id: stat
        for stat in reports.scenario_stats(store, trainee_id=staff_no)
    }
    tried = Counter(
        row.scenario_id for row in reports.trainee_attempts(store, staff_no)
    )
    cards = []
    for scenario in library:
        stat = best.get(scenario.id)
        customer = scenario.customer
        cards.append(
            {
                "id": scenario.id,
                "title": scenario.title,
                "difficulty": scenario.difficulty,
                "description": scenario.description,
                "customer": {
                    "name": customer.name,
                    "avatar": customer.avatar,
                    "mood": customer.mood,
                    "type": customer.type,
                    "type_name": customer_type_name(customer.type),
                },
                "turns": len(scenario.turns),
                "pass_mark": scenario.pass_mark,
                "my_best": stat.best_score if stat else None,
                "my_passed": stat.passed if stat else 0,
                "my_attempts": tried.get(scenario.id, 0),
            }
        )
    cards.sort(key=lambda card: DIFFICULTY_ORDER.get(card["difficulty"], 9))
    return cards


def assignments(
    store: Records, library: ScenarioLibrary, staff_no: str
) -> List[Dict[str, Any]]:
    items = []
    for item in store.assignments_for(staff_no):
        scenario = library.get(item.scenario_id)
        items.append(
            {
                "id": item.id,
                "scenario_id": item.scenario_id,
                "title": scenario.title if scenario else item.scenario_id,
                "available": scenario is not None,
                "due_at": _iso(item.due_at),
                "due_text": _local(item.due_at, "%Y-%m-%d %H:%M"),
                "done": item.done,
                "overdue": item.overdue,
                "attempt_id": item.attempt_id,
            }
        )
    return items


def history(store: Records, staff_no: str) -> Dict[str, Any]:
    attempts = reports.trainee_attempts(store, staff_no)
    trend = reports.trainee_trend(store, staff_no)
    weakest = reports.weakest_key_points(
        store, trainee_id=staff_no, limit=3, min_seen=2
    )
    return {
        "attempts": [
            {
                "attempt_id": row.attempt_id,
                "scenario_id": row.scenario_id,
                "title": row.scenario_title,
                "mode": row.mode,
                "status": row.status,
                "status_text": STATUS_TEXT.get(row.status, row.status),
                "started_at": _iso(row.started_at),
                "started_text": _local(row.started_at, "%m-%d %H:%M"),
                "finished_at": _iso(row.finished_at),
                "total": row.total_score,
                "passed": row.passed,
                "pass_mark": row.pass_mark,
            }
            for row in attempts
        ],
        "trend": {
            "points": [
                {
                    "finished_at": _iso(point.finished_at),
                    "label": _local(point.finished_at, "%m-%d"),
                    "total": point.total_score,
                    "scenario_id": point.scenario_id,
                }
                for point in trend.points
            ],
            "slope": trend.slope,
            "words": trend_words(trend.slope),
        },
        "weakest": [
            {"label": stat.label, "miss_rate": round(stat.miss_rate, 3)}
            for stat in weakest
        ],
    }


def attempt_report(store: Records, staff_no: str, attempt_id: str) -> Dict[str, Any]:
    try:
        attempt = store.get_attempt(attempt_id)
    except RecordNotFoundError as error:
        raise NotYoursError(attempt_id) from error
    if attempt.trainee_id != staff_no:
        raise NotYoursError(attempt_id)
    return report_json(store, attempt_id)
