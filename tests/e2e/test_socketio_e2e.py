"""A trainee plays over socket.io against the real servers: cards' data arrives, a new
connection (page reload) resumes the same practice, and the report API shows the result."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List

import socketio

from actions.records import Records, reports
from tests.e2e.play import POOR_REPLY, good_reply, scenario

SCENARIO = "bargain_sofa"
# python-engineio's websocket client needs aiohttp >= 3.10 (Rasa pins 3.9).
POLLING = ["polling"]


def login(stack, staff_no: str, name: str = "测试学员") -> str:
    status, body = stack.post("/web/api/login", {"staff_no": staff_no, "name": name})
    assert status == 200, body
    token = json.loads(body)["token"]
    assert token.split(".")[0] == staff_no
    return token


def api_get(stack, path: str, token: str) -> Dict[str, Any]:
    req = urllib.request.Request(
        stack.url + path, headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


class Tab:
    """One browser tab's socket.io connection."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.messages: List[Dict[str, Any]] = []
        self.confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", self._on_confirm)

    async def _on_bot(self, message: Dict[str, Any]) -> None:
        self.messages.append(message)

    async def _on_confirm(self, _: Any = None) -> None:
        self.confirmed.set()

    async def open(self, url: str, token: str) -> "Tab":
        await self.client.connect(
            url, socketio_path="/socket.io", auth={"token": token}, transports=POLLING
        )
        await self.client.emit("session_request", {"token": token})
        await asyncio.wait_for(self.confirmed.wait(), 30)
        return self

    async def say(self, text: str, expect: str, timeout: float = 90) -> List[dict]:
        """Sends a message and returns the bot messages up to one of custom type `expect`."""
        start = len(self.messages)
        await self.client.emit("user_uttered", {"message": text})
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            new = self.messages[start:]
            if any(kind(m) == expect for m in new):
                await asyncio.sleep(0.3)  # let the rest of the turn arrive
                return self.messages[start:]
            assert asyncio.get_running_loop().time() < deadline, (expect, new)
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.client.disconnect()


def kind(message: Dict[str, Any]) -> str:
    custom = message.get("custom")
    return custom.get("type", "") if isinstance(custom, dict) else ""


def of_kind(messages: List[dict], wanted: str) -> List[dict]:
    return [m["custom"] for m in messages if kind(m) == wanted]


async def test_socketio_practice_resumes_after_reload_and_reports(stack):
    staff_no = "W" + uuid.uuid4().hex[:6].upper()
    token = login(stack, staff_no)
    play = scenario(SCENARIO)
    tab = await Tab().open(stack.url, token)
    start = json.dumps({"scenario_id": SCENARIO})
    opening = await tab.say(f"/start_practice{start}", expect="customer")
    (intro,) = of_kind(opening, "intro")
    (customer,) = of_kind(opening, "customer")
    assert intro["title"] == play.title and intro["mode"] == "practice"
    assert (customer["turn"], customer["turns"]) == (1, len(play.turns))
    assert customer["patience"] == customer["patience_max"] == play.patience
    assert customer["line"] in play.turns[0].lines
    asking = next(m for m in opening if kind(m) == "customer")
    # Text, buttons and card data travel in one event.
    assert customer["line"] in asking["text"]
    assert [b["payload"] for b in asking["quick_replies"]] == [
        "/request_hint",
        "/restart_practice",
        "/stop_practice",
    ]

    poor = await tab.say(POOR_REPLY, expect="customer")
    (feedback,) = of_kind(poor, "feedback")
    assert feedback["passed"] is False and feedback["misses"]
    assert feedback["standard"] and feedback["manual_ref"]
    assert of_kind(poor, "customer")[0]["patience"] == play.patience - 1

    # Reload: the old tab goes away, a new connection with the same token takes over.
    await tab.close()
    resumed = api_get(stack, "/web/api/conversation", token)
    assert resumed["active"] is True and resumed["scenario_id"] == SCENARIO
    kinds = [kind(m) or m.get("from") for m in resumed["messages"]]
    assert kinds == ["intro", "customer", "user", "feedback", "customer"]
    assert resumed["messages"][2]["text"] == POOR_REPLY

    tab = await Tab().open(stack.url, token)
    last: List[dict] = []
    for index, turn in enumerate(play.turns):
        expect = "report" if index == len(play.turns) - 1 else "customer"
        last = await tab.say(good_reply(turn.situation, turn.context), expect=expect)
        (feedback,) = of_kind(last, "feedback")
        assert feedback["passed"] is True, feedback
    (report_card,) = of_kind(last, "report")
    await tab.close()

    report = api_get(
        stack, f"/web/api/attempts/{report_card['attempt_id']}/report", token
    )
    assert report["passed"] is True and report["status"] == "completed"
    assert len(report["improvements"]) >= 1 and report["key_points"]
    (attempt,) = reports.trainee_attempts(Records(stack.records_url), staff_no)
    assert attempt.attempt_id == report_card["attempt_id"]
    assert attempt.total_score == report["total"]
    assert api_get(stack, "/web/api/conversation", token)["active"] is False


async def test_another_trainee_cannot_read_the_report(stack):
    owner = login(stack, "O" + uuid.uuid4().hex[:6].upper())
    tab = await Tab().open(stack.url, owner)
    start = json.dumps({"scenario_id": SCENARIO})
    await tab.say(f"/start_practice{start}", expect="customer")
    stopped = await tab.say("/stop_practice", expect="report")
    await tab.close()
    (card,) = of_kind(stopped, "report")
    intruder = login(stack, "I" + uuid.uuid4().hex[:6].upper())
    req = urllib.request.Request(
        f"{stack.url}/web/api/attempts/{card['attempt_id']}/report",
        headers={"Authorization": f"Bearer {intruder}"},
    )
    try:
        urllib.request.urlopen(req, timeout=30)
        raise AssertionError("another trainee's report was served")
    except urllib.error.HTTPError as error:
        assert error.code == 404
