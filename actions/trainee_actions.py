"""What a trainee can ask about themselves: results with trend, and assigned exams."""

from __future__ import annotations

import json
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.records import reports
from actions.services import records, scenario_library

RECENT = 5


def trend_words(slope: float | None) -> str:
    if slope is None:
        return "再多练几次就能看到趋势了。"
    if slope > 1:
        return f"成绩在上升(平均每次 +{slope:.1f} 分),继续加油!"
    if slope < -1:
        return f"最近成绩有所下降(平均每次 {slope:.1f} 分),建议回看报告里的改进建议。"
    return "成绩比较稳定。"


class ActionMyResults(Action):
    def name(self) -> Text:
        return "action_my_results"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        store = records()
        trainee = tracker.sender_id
        attempts = reports.trainee_attempts(store, trainee)
        if not attempts:
            dispatcher.utter_message(
                text="您还没有练习记录。输入“开始练习”来第一次练习吧!",
                buttons=[{"title": "开始练习", "payload": "/start_practice"}],
            )
            return []
        lines = ["【我的成绩】"]
        for stat in reports.scenario_stats(store, trainee_id=trainee):
            lines.append(
                f" · {stat.scenario_title}:练{stat.attempts}次,最好 {stat.best_score} 分,"
                f"通过 {stat.passed} 次"
            )
        lines.append("最近几次:")
        for row in attempts[:RECENT]:
            mark = "✔" if row.passed else "✘"
            when = row.started_at.strftime("%m-%d %H:%M")
            mode = "考试" if row.mode == "exam" else "练习"
            lines.append(
                f" {when} {mode} {row.scenario_title} {row.total_score}分 {mark}"
            )
        lines.append(trend_words(reports.trainee_trend(store, trainee).slope))
        weakest = reports.weakest_key_points(
            store, trainee_id=trainee, limit=3, min_seen=2
        )
        if weakest:
            lines.append(
                "最常漏掉的要点:" + "、".join(f"{k.label}({k.miss_rate:.0%})" for k in weakest)
            )
        dispatcher.utter_message(text="\n".join(lines))
        return []


class ActionMyAssignments(Action):
    def name(self) -> Text:
        return "action_my_assignments"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        assignments = records().assignments_for(tracker.sender_id)
        if not assignments:
            dispatcher.utter_message(text="目前没有布置给您的考试。可以先去练习巩固一下。")
            return []
        library = scenario_library()
        lines, buttons = ["【我的考试】"], []
        for item in assignments:
            scenario = library.get(item.scenario_id)
            title = scenario.title if scenario else item.scenario_id
            due = item.due_at.strftime("%Y-%m-%d")
            status = "已完成" if item.done else ("⚠ 已逾期" if item.overdue else "待完成")
            lines.append(f" · {title}(截止 {due})— {status}")
            if not item.done and scenario:
                payload = json.dumps({"scenario_id": scenario.id}, ensure_ascii=False)
                buttons.append(
                    {"title": f"开始考试:{title}", "payload": f"/start_exam{payload}"}
                )
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []
