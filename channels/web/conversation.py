"""The current practice's messages from the tracker, so a reloaded page shows them again."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from rasa.shared.core.events import BotUttered, Event, SessionStarted, UserUttered

MAX_MESSAGES = 200


def bot_message(message: Dict[str, Any]) -> Dict[str, Any]:
    """A stored bot message in the shape the socket.io channel sends it."""
    shown: Dict[str, Any] = {"from": "bot"}
    if message.get("text"):
        shown["text"] = message["text"]
    buttons = message.get("quick_replies") or message.get("buttons") or []
    if buttons:
        shown["quick_replies"] = [
            {"title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in buttons
        ]
    if message.get("custom"):
        shown["custom"] = message["custom"]
    return shown


def current_practice(events: Iterable[Event]) -> List[Dict[str, Any]]:
    """Messages from the start of the latest practice (its intro card) to now."""
    messages: List[Dict[str, Any]] = []
    for event in events:
        if isinstance(event, SessionStarted):
            messages = []
        elif isinstance(event, UserUttered) and event.text:
            messages.append({"from": "user", "text": event.text})
        elif isinstance(event, BotUttered):
            shown = bot_message(event.message())
            custom = shown.get("custom")
            if isinstance(custom, dict) and custom.get("type") == "intro":
                # The trainee's start command came just before: keep nothing older.
                messages = []
            if len(shown) > 1:
                messages.append(shown)
    return messages[-MAX_MESSAGES:]


async def conversation(agent: Any, staff_no: str) -> Dict[str, Any]:
    """{"active": is a practice running, "messages": its messages so far}."""
    tracker: Optional[Any] = None
    if agent is not None and getattr(agent, "tracker_store", None) is not None:
        tracker = await agent.tracker_store.retrieve(staff_no)
    if tracker is None or not tracker.get_slot("practice_active"):
        return {"active": False, "messages": []}
    return {
        "active": True,
        "scenario_id": tracker.get_slot("scenario_id"),
        "mode": tracker.get_slot("practice_mode"),
        "messages": current_practice(tracker.events),
    }
