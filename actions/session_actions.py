"""Session start: an attempt left open by an expired session is closed cleanly, never lost."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.practice_actions import cleared_slots
from actions.services import records


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        carried: List[EventType] = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name != "requested_slot"
        ]
        attempt_id = tracker.get_slot("attempt_id")
        if tracker.get_slot("practice_active") and attempt_id:
            # The form does not survive a new session: close the attempt with what was answered.
            records().finish_attempt(attempt_id, "abandoned")
            dispatcher.utter_message(
                text="上次的练习因长时间未回复已自动结束,已答部分的成绩已保存。输入“开始练习”可以重新开始。"
            )
            carried += cleared_slots()
        return events + carried + [ActionExecuted("action_listen")]
