"""The end report of one attempt, built from the records (trainer overrides included).

Shared by the chat report (actions.practice_actions, as text) and the web page's
report card (channels.web, as JSON), so both always show the same numbers.
No Rasa imports: the Rasa server's web connector uses it too.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions import feedback
from actions.records import Records, reports
from actions.scoring import load_catalogue


def report_data(store: Records, attempt_id: str) -> feedback.ReportData:
    transcript = reports.attempt_transcript(store, attempt_id)
    attempt = transcript.attempt
    situations = load_catalogue().situations
    key_points = []
    for stat in reports.attempt_key_points(store, attempt_id):
        situation = situations.get(stat.situation)
        wording = (
            next(
                (
                    kp.wording
                    for kp in situation.key_points
                    if kp.id == stat.key_point_id
                ),
                "",
            )
            if situation
            else ""
        )
        key_points.append(
            feedback.KeyPointTally(
                label=stat.label,
                wording=wording,
                manual_ref=situation.manual_ref if situation else "",
                hits=stat.hits,
                total=stat.seen,
            )
        )
    return feedback.ReportData(
        title=attempt.scenario_title,
        mode=attempt.mode,
        status=attempt.status,
        total=attempt.total_score,
        passed=attempt.passed,
        pass_mark=attempt.pass_mark,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        per_situation=[
            (
                situations[s.situation].title
                if s.situation in situations
                else s.situation,
                s.average_score,
            )
            for s in reports.attempt_situations(store, attempt_id)
        ],
        key_points=key_points,
        violations=[v["label"] for r in transcript.replies for v in r.violations],
    )


def report_text(store: Records, attempt_id: str) -> str:
    return feedback.format_report(report_data(store, attempt_id))


def _iso(moment) -> Optional[str]:
    return moment.isoformat() if moment is not None else None


def report_json(store: Records, attempt_id: str) -> Dict[str, Any]:
    """The same report as plain JSON data for the web report card and its charts."""
    data = report_data(store, attempt_id)
    transcript = reports.attempt_transcript(store, attempt_id)
    situations = load_catalogue().situations
    turns: List[Dict[str, Any]] = []
    for reply in transcript.replies:
        situation = situations.get(reply.situation)
        latest = reply.overrides[-1] if reply.overrides else None
        turns.append(
            {
                "turn": reply.turn_index + 1,
                "try": reply.try_index + 1,
                "situation": situation.title if situation else reply.situation,
                "customer_line": reply.customer_line,
                "reply": reply.reply,
                "score": reply.effective_score,
                "original_score": reply.score,
                "final": reply.final,
                "hint_used": reply.hint_used,
                "override_comment": latest.comment if latest else None,
            }
        )
    return {
        "attempt_id": attempt_id,
        "scenario_id": transcript.attempt.scenario_id,
        "title": data.title,
        "mode": data.mode,
        "status": data.status,
        "status_text": feedback.STATUS_TEXT.get(data.status, data.status),
        "total": data.total,
        "passed": data.passed,
        "pass_mark": data.pass_mark,
        "started_at": _iso(data.started_at),
        "finished_at": _iso(data.finished_at),
        "duration": feedback.duration_text(data.started_at, data.finished_at),
        "per_situation": [
            {"title": title, "score": score} for title, score in data.per_situation
        ],
        "key_points": [
            {
                "label": tally.label,
                "hits": tally.hits,
                "total": tally.total,
                "wording": tally.wording,
                "manual_ref": tally.manual_ref,
            }
            for tally in data.key_points
        ],
        "violations": list(dict.fromkeys(data.violations)),
        "improvements": feedback.improvements(data),
        "turns": turns,
    }
