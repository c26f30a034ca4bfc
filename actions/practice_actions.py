"""Rasa glue for practice and exams: start, ask, score each reply, hint, restart, stop, report.

The role-play rules live in actions.practice, the wording in actions.feedback; this module only
moves data between the tracker, the scorer, the scenario files and the records database.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import feedback, practice
from actions.attempt_report import report_text
from actions.practice import EXAM, PRACTICE, PracticeState
from actions.scenarios import Scenario
from actions.scoring import load_catalogue, score_reply
from actions.services import (
    records,
    scenario_library,
    store_name,
    wait_until_warm,
    warm_up_in_background,
)

logger = logging.getLogger(__name__)
warm_up_in_background()

PRACTICE_BUTTONS = [
    {"title": "提示", "payload": "/request_hint"},
    {"title": "重来", "payload": "/restart_practice"},
    {"title": "结束", "payload": "/stop_practice"},
]
EXAM_BUTTONS = [{"title": "结束", "payload": "/stop_practice"}]
NOT_SAVED_TEXT = "抱歉,系统刚才没能保存这句回答(不计分),请重新发送一次。"
NOT_STARTED_TEXT = "抱歉,系统暂时无法开始练习,请稍后重新发送。"
NO_PRACTICE_TEXT = "现在没有进行中的练习。"
STATE_SLOTS = ("attempt_id", "turn_index", "try_index", "patience", "hint_used")


def state_from(tracker: Tracker) -> Optional[PracticeState]:
    attempt_id = tracker.get_slot("attempt_id")
    scenario_id = tracker.get_slot("scenario_id")
    if not tracker.get_slot("practice_active") or not attempt_id or not scenario_id:
        return None
    return PracticeState(
        scenario_id=scenario_id,
        mode=tracker.get_slot("practice_mode") or PRACTICE,
        attempt_id=attempt_id,
        seed=_seed(attempt_id),
        turn_index=int(tracker.get_slot("turn_index") or 0),
        try_index=int(tracker.get_slot("try_index") or 0),
        patience=int(tracker.get_slot("patience") or 0),
        hint_used=bool(tracker.get_slot("hint_used")),
    )


def running_practice(
    dispatcher: CollectingDispatcher, tracker: Tracker, missing_text: str
) -> Optional[Tuple[PracticeState, Scenario]]:
    """The running practice and its scenario; else tells the trainee `missing_text`.

    The scenario is missing when its file was removed or broken mid-attempt.
    """
    state = state_from(tracker)
    scenario = scenario_library().scenarios.get(state.scenario_id) if state else None
    if state is None or scenario is None:
        dispatcher.utter_message(text=missing_text)
        return None
    return state, scenario


def state_slots(state: PracticeState) -> Dict[Text, Any]:
    return {
        "practice_active": True,
        "practice_mode": state.mode,
        "scenario_id": state.scenario_id,
        "attempt_id": state.attempt_id,
        "turn_index": float(state.turn_index),
        "try_index": float(state.try_index),
        "patience": float(state.patience),
        "hint_used": state.hint_used,
    }


def cleared_slots() -> List[EventType]:
    return [SlotSet("practice_active", False), SlotSet("trainee_reply", None)] + [
        SlotSet(name, None) for name in STATE_SLOTS + ("customer_line",)
    ]


def _seed(attempt_id: str) -> int:
    return uuid.UUID(attempt_id).int % (2**31)


def scenario_menu(dispatcher: CollectingDispatcher, mode: str, note: str = "") -> None:
    library = scenario_library()
    intent = "start_exam" if mode == EXAM else "start_practice"
    buttons = [
        {
            "title": f"【{s.difficulty}】{s.title}",
            "payload": f"/{intent}"
            + json.dumps({"scenario_id": s.id}, ensure_ascii=False),
        }
        for s in library.scenarios.values()
    ]
    if not buttons:
        dispatcher.utter_message(text="暂时没有可用的练习场景,请联系培训师。")
        return
    what = "考试" if mode == EXAM else "练习"
    dispatcher.utter_message(text=f"{note}请选择一个{what}场景:", buttons=buttons)


def persona_intro(scenario, mode: str) -> str:
    c = scenario.customer
    lines = [
        f"【{'考试' if mode == EXAM else '练习'}】{scenario.title}({scenario.difficulty})",
        f"顾客:{c.avatar} {c.name},{c.mood}",
        scenario.description,
    ]
    if scenario.products:
        lines.append(
            "商品:" + ";".join(f"{p.name} ¥{p.price:g}" for p in scenario.products)
        )
    if mode == EXAM:
        lines.append("考试中没有提示和逐句点评,全部回答完后统一出成绩。")
    else:
        lines.append("请以导购身份回答顾客。每句都会点评打分;可随时输入“提示”“重来”“结束”。")
    return "\n".join(lines)


def customer_payload(scenario, kind: str, **fields: Any) -> Dict[str, Any]:
    """Structured data beside the text, for clients that draw their own cards (web widget)."""
    c = scenario.customer
    return {
        "type": kind,
        "scenario_id": scenario.id,
        "name": c.name,
        "avatar": c.avatar,
        **fields,
    }


def intro_payload(scenario, state: PracticeState) -> Dict[str, Any]:
    return customer_payload(
        scenario,
        "intro",
        title=scenario.title,
        difficulty=scenario.difficulty,
        mood=scenario.customer.mood,
        description=scenario.description,
        products=[{"name": p.name, "price": p.price} for p in scenario.products],
        mode=state.mode,
        attempt_id=state.attempt_id,
        patience_max=int(scenario.patience),
        turns=len(scenario.turns),
    )


def begin_attempt(
    dispatcher: CollectingDispatcher, tracker: Tracker, scenario, mode: str
) -> List[EventType]:
    """Open a new attempt in the records and put its state into the slots."""
    store = records()
    trainee = tracker.sender_id
    store.ensure_trainee(trainee, channel=(tracker.get_latest_input_channel() or None))
    attempt_id = str(uuid.uuid4())
    catalogue = load_catalogue()
    store.start_attempt(
        trainee,
        scenario.id,
        scenario.title,
        mode,
        _seed(attempt_id),
        catalogue.version,
        int(scenario.pass_mark),
        len(scenario.turns),
        # an exam attaches itself to the trainee's open assignment for this scenario
        attempt_id=attempt_id,
    )
    state = PracticeState(
        scenario_id=scenario.id,
        mode=mode,
        attempt_id=attempt_id,
        seed=_seed(attempt_id),
        patience=int(scenario.patience),
    )
    dispatcher.utter_message(
        text=persona_intro(scenario, mode),
        json_message=intro_payload(scenario, state),
    )
    line = practice.current_line(scenario, state, store_name())
    slots = {**state_slots(state), "customer_line": line, "trainee_reply": None}
    return [SlotSet(name, value) for name, value in slots.items()]


class ActionStartPractice(Action):
    def name(self) -> Text:
        return "action_start_practice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        mode = EXAM if intent == "start_exam" else PRACTICE
        scenario_id = next(tracker.get_latest_entity_values("scenario_id"), None)
        if scenario_id is not None and not isinstance(scenario_id, str):
            scenario_id = json.dumps(scenario_id, ensure_ascii=False)
        library = scenario_library()
        if not scenario_id or scenario_id not in library.scenarios:
            note = start_note(scenario_id, tracker.latest_message.get("text") or "")
            scenario_menu(dispatcher, mode, note)
            return [SlotSet("practice_active", False)]
        try:
            events = _close_running(tracker, "stopped")
            return events + begin_attempt(
                dispatcher, tracker, library.scenarios[scenario_id], mode
            )
        except SQLAlchemyError:
            logger.exception("attempt of %s not started", tracker.sender_id)
            dispatcher.utter_message(text=NOT_STARTED_TEXT)
            return cleared_slots()


def start_note(scenario_id: Optional[str], text: str) -> str:
    """Why the menu is shown instead of a scenario: unknown id or an unreadable payload."""
    if scenario_id:
        return f"没有找到场景“{scenario_id}”。"
    if text.lstrip().startswith("/") and "{" in text:
        # Rasa drops a payload that is not valid JSON and keeps only the intent.
        return '没能读懂场景参数,正确写法如 {"scenario_id": "bargain_sofa"}。'
    return ""


def _close_running(tracker: Tracker, status: str) -> List[EventType]:
    attempt_id = tracker.get_slot("attempt_id")
    if tracker.get_slot("practice_active") and attempt_id:
        records().finish_attempt(attempt_id, status)
    return []


class ActionAskTraineeReply(Action):
    """The form's question: what the customer says now."""

    def name(self) -> Text:
        return "action_ask_trainee_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        running = running_practice(dispatcher, tracker, "这次练习的场景已不可用,请重新选择。")
        if running is None:
            return cleared_slots() + [SlotSet("requested_slot", None)]
        state, scenario = running
        c = scenario.customer
        line = tracker.get_slot("customer_line") or practice.current_line(
            scenario, state, store_name()
        )
        hearts = "❤" * state.patience
        progress = f"第{state.turn_index + 1}/{len(scenario.turns)}轮 · 耐心 {hearts}"
        dispatcher.utter_message(
            text=f"{c.avatar} {c.name}:{line}\n({progress})",
            buttons=EXAM_BUTTONS if state.is_exam else PRACTICE_BUTTONS,
            json_message=customer_payload(
                scenario,
                "customer",
                line=line,
                mode=state.mode,
                attempt_id=state.attempt_id,
                patience=state.patience,
                patience_max=int(scenario.patience),
                turn=state.turn_index + 1,
                turns=len(scenario.turns),
            ),
        )
        return []


class ValidatePracticeForm(FormValidationAction):
    """Scores each reply, gives feedback and moves the customer on; the form ends with the role-play."""

    def name(self) -> Text:
        return "validate_practice_form"

    async def validate_trainee_reply(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        running = running_practice(dispatcher, tracker, "这次练习的场景已不可用,练习结束。")
        if running is None:
            return {"trainee_reply": slot_value, "practice_active": False}
        state, scenario = running
        reply = str(slot_value or "").strip()
        if not reply or reply.startswith("/"):
            dispatcher.utter_message(text="请以导购的身份,用一句话回答顾客。")
            return {"trainee_reply": None}

        turn = scenario.turns[state.turn_index]
        wait_until_warm()
        result = score_reply(
            turn.situation,
            reply,
            context=dict(turn.context) or None,
            pass_mark=scenario.pass_mark,
        ).to_dict()
        outcome = practice.apply_reply(scenario, state, result["score"], store_name())
        try:
            records().record_reply(
                state.attempt_id,
                state.turn_index,
                state.try_index,
                turn.situation,
                tracker.get_slot("customer_line") or "",
                reply,
                outcome.score,
                result.get("hits"),
                result.get("misses"),
                result.get("violations"),
                state.hint_used,
                outcome.final,
            )
            if outcome.finished:
                records().finish_attempt(state.attempt_id, outcome.status)
        except SQLAlchemyError:
            # Database unreachable (e.g. restarting): nothing moves on, the trainee resends;
            # record_reply is keyed by (attempt, turn, try), so the resend never counts twice.
            logger.exception("reply of %s not stored", tracker.sender_id)
            dispatcher.utter_message(text=NOT_SAVED_TEXT)
            return {"trainee_reply": None}
        if not state.is_exam:
            penalties = _penalties(state)
            dispatcher.utter_message(
                text=feedback.feedback_card(
                    result, outcome.score, scenario.pass_mark, penalties
                ),
                json_message=feedback.feedback_payload(
                    result, outcome.score, scenario.pass_mark, penalties
                ),
            )
        if outcome.finished:
            c = scenario.customer
            for line in outcome.customer_says:
                dispatcher.utter_message(
                    text=f"{c.avatar} {c.name}:{line}",
                    json_message=customer_payload(
                        scenario,
                        "customer_line",
                        line=line,
                        outcome=outcome.status,
                        attempt_id=state.attempt_id,
                    ),
                )
            return {"trainee_reply": reply, "practice_active": False}
        return {
            **state_slots(outcome.state),
            "customer_line": " ".join(outcome.customer_says),
            "trainee_reply": None,
        }


def _penalties(state: PracticeState) -> List[str]:
    notes = []
    if state.hint_used:
        notes.append(f"用了提示 -{practice.HINT_PENALTY}")
    if state.try_index:
        notes.append(
            f"第{state.try_index + 1}次作答 -{practice.RETRY_PENALTY * state.try_index}"
        )
    return notes


class ActionPracticeHint(Action):
    def name(self) -> Text:
        return "action_practice_hint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        running = running_practice(dispatcher, tracker, NO_PRACTICE_TEXT)
        if running is None:
            return []
        state, scenario = running
        if state.is_exam:
            dispatcher.utter_message(text="考试中不能使用提示,请直接作答。")
            return []
        situation = load_catalogue().situations[
            scenario.turns[state.turn_index].situation
        ]
        points = "\n".join(
            f"{i}. {kp.label}:{kp.wording}"
            for i, kp in enumerate(situation.key_points, 1)
        )
        dispatcher.utter_message(
            text=f"提示(本轮扣{practice.HINT_PENALTY}分)——{situation.title}的要点:\n{points}\n"
            f"手册出处:{situation.manual_ref}",
            json_message={
                "type": "hint",
                "penalty": practice.HINT_PENALTY,
                "title": situation.title,
                "points": [
                    {"label": kp.label, "wording": kp.wording}
                    for kp in situation.key_points
                ],
                "manual_ref": situation.manual_ref,
            },
        )
        return [SlotSet("hint_used", True)]


class ActionRestartPractice(Action):
    def name(self) -> Text:
        return "action_restart_practice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        running = running_practice(dispatcher, tracker, NO_PRACTICE_TEXT)
        if running is None:
            return []
        state, scenario = running
        records().finish_attempt(state.attempt_id, "stopped")
        dispatcher.utter_message(text="好的,我们从头再来一次。")
        return begin_attempt(dispatcher, tracker, scenario, state.mode)


def report_for(attempt_id: str) -> str:
    """The end report, from what the records hold (overrides included)."""
    return report_text(records(), attempt_id)


def report_payload(attempt_id: str) -> Dict[str, Any]:
    # The web widget fetches the report's numbers itself (only the trainee's own).
    return {"type": "report", "attempt_id": attempt_id}


def after_report_buttons(scenario_id: Optional[str], mode: str) -> List[Dict[str, str]]:
    buttons = []
    if scenario_id:
        intent = "start_exam" if mode == EXAM else "start_practice"
        payload = json.dumps({"scenario_id": scenario_id}, ensure_ascii=False)
        buttons.append({"title": "再来一次", "payload": f"/{intent}{payload}"})
    buttons += [
        {"title": "换个场景", "payload": "/start_practice"},
        {"title": "我的成绩", "payload": "/my_results"},
    ]
    return buttons


class ActionStopPractice(Action):
    def name(self) -> Text:
        return "action_stop_practice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        state = state_from(tracker)
        if state is None:
            # Needs no scenario: a practice whose file is gone can still be stopped.
            dispatcher.utter_message(text=NO_PRACTICE_TEXT)
            return cleared_slots()
        records().finish_attempt(state.attempt_id, "stopped")
        dispatcher.utter_message(text="好的,本次练习已结束。")
        dispatcher.utter_message(
            text=report_for(state.attempt_id),
            buttons=after_report_buttons(state.scenario_id, state.mode),
            json_message=report_payload(state.attempt_id),
        )
        return cleared_slots()


class ActionPracticeReport(Action):
    def name(self) -> Text:
        return "action_practice_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        attempt_id = tracker.get_slot("attempt_id")
        if attempt_id:
            dispatcher.utter_message(
                text=report_for(attempt_id),
                buttons=after_report_buttons(
                    tracker.get_slot("scenario_id"), tracker.get_slot("practice_mode")
                ),
                json_message=report_payload(attempt_id),
            )
        return cleared_slots()
