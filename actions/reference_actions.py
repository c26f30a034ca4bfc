"""Rasa glue for reference mode: answer a customer line, or ask which customer type was meant."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.reference import (
    INTENT_TO_SITUATION,
    fallback_choices,
    format_reference_answer,
)
from actions.scoring import load_catalogue


class ActionReferenceAnswer(Action):
    def name(self) -> Text:
        return "action_reference_answer"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        intent = tracker.latest_message.get("intent", {})
        situation_id = INTENT_TO_SITUATION.get(intent.get("name"))
        if situation_id is None:
            dispatcher.utter_message(text="抱歉,我没认出这是哪类顾客,请换个说法试试。")
            return []
        situation = load_catalogue().situations[situation_id]
        # A button press (/bargain) carries confidence 1.0: no point in showing it.
        confidence = intent.get("confidence")
        text = tracker.latest_message.get("text") or ""
        shown = None if text.startswith("/") else confidence
        dispatcher.utter_message(text=format_reference_answer(situation, shown))
        return []


class ActionReferenceFallback(Action):
    def name(self) -> Text:
        return "action_reference_fallback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = [
            {"title": title, "payload": payload}
            for title, payload in fallback_choices(ranking, load_catalogue())
        ]
        dispatcher.utter_message(
            text="这句话我不太确定属于哪类顾客。请选一个最接近的类型,我给您对应的标准话术:",
            buttons=buttons,
        )
        return []
