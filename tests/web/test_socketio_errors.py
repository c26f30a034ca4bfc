"""The socket.io channel tells the trainee when a message cannot be handled: the REST channel's
checks (empty, too long, too fast) and any failure of Rasa (Redis, PostgreSQL, action server)
come back to the sending socket as a `message_error` event with a sentence in Chinese."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError

from channels.message_checks import (
    MAX_MESSAGE_CHARS,
    TOO_FAST_TEXT,
    UNAVAILABLE_TEXT,
    SenderRateLimiter,
)
from channels.socketio import MESSAGE_ERROR_EVT
from channels.web.identity import issue_token
from tests.web.harness import serve_channels
from tests.web.test_socketio_channel import (
    REPLY,
    SECRET,
    StubRasa,
    Trainee,
    persistent_channel,
)


class FailingRasa(StubRasa):
    """Answers, except that the message "boom" fails as it does when Redis is down."""

    async def __call__(self, message: UserMessage) -> None:
        if message.text == "boom":
            self.received.append(message)
            raise LockError("Error while acquiring lock. Error:\nConnection refused")
        await super().__call__(message)


class Tab(Trainee):
    """A browser tab that also collects the channel's message errors."""

    def __init__(self) -> None:
        super().__init__()
        self.client.on(MESSAGE_ERROR_EVT, self._collector(MESSAGE_ERROR_EVT))

    async def signed_in(self, url: str, staff_no: str = "A001") -> "Tab":
        await self.join(url, auth={"token": issue_token(staff_no, SECRET)})
        await self.wait_for("session_confirm")
        return self

    def errors(self) -> List[Any]:
        return self.events.get(MESSAGE_ERROR_EVT, [])


async def test_a_normal_message_is_answered_and_keeps_its_id():
    rasa = StubRasa()
    async with serve_channels([persistent_channel()], rasa) as url:
        tab = await Tab().signed_in(url)
        await tab.say("  您好,欢迎光临\u0007 ", message_id="m1")
        (reply,) = await tab.wait_for("bot_uttered")
        await asyncio.sleep(0.1)
        await tab.client.disconnect()
    assert reply["text"] == REPLY["text"]
    assert tab.errors() == []
    (message,) = rasa.received
    assert (message.text, message.message_id) == ("您好,欢迎光临", "m1")


@pytest.mark.parametrize(
    ("payload", "code", "message_id"),
    [
        ({"message": "", "message_id": "m1"}, "empty_message", "m1"),
        ({"message": " \n\t ", "message_id": "m1"}, "empty_message", "m1"),
        ({"message": "\u0000\u0001\u007f", "message_id": "m1"}, "empty_message", "m1"),
        (
            {"message": "好" * (MAX_MESSAGE_CHARS + 1), "message_id": "m1"},
            "message_too_long",
            "m1",
        ),
        ({"message": "好" * 100_000}, "message_too_long", None),
        ({"message": ["您好"], "message_id": "m1"}, "missing_message", "m1"),
        ({"message": 12345}, "missing_message", None),
        ({"message_id": "m1"}, "missing_message", "m1"),
        ({"message": "您好", "message_id": "x" * 65}, "invalid_message_id", None),
        ({"message": "您好", "message_id": 7}, "invalid_message_id", None),
        ("您好", "missing_message", None),
        (["您好"], "missing_message", None),
        (None, "missing_message", None),
        (b"\x00\xff\xfebinary", "missing_message", None),
        (("您好", "再见"), "missing_message", None),  # two arguments
    ],
)
async def test_a_bad_payload_gets_a_reason_and_reaches_no_one(
    payload, code, message_id
):
    rasa = StubRasa()
    async with serve_channels([persistent_channel()], rasa) as url:
        tab = await Tab().signed_in(url)
        await tab.client.emit("user_uttered", payload)
        (error,) = await tab.wait_for(MESSAGE_ERROR_EVT)
        # The socket still works after the refusal.
        await tab.say("您好")
        await tab.wait_for("bot_uttered")
        await tab.client.disconnect()
    assert (error["code"], error["message_id"]) == (code, message_id)
    assert any("\u4e00" <= char <= "\u9fff" for char in error["message"])
    assert [m.text for m in rasa.received] == ["您好"]


async def test_too_long_says_how_long_and_the_limit():
    async with serve_channels([persistent_channel()], StubRasa()) as url:
        tab = await Tab().signed_in(url)
        await tab.say("好" * 1200)
        (error,) = await tab.wait_for(MESSAGE_ERROR_EVT)
        await tab.client.disconnect()
    assert "1200" in error["message"] and str(MAX_MESSAGE_CHARS) in error["message"]


async def test_bad_metadata_is_dropped_not_raised():
    rasa = StubRasa()
    async with serve_channels([persistent_channel()], rasa) as url:
        tab = await Tab().signed_in(url)
        await tab.say("第一句", metadata="[" * 100_000)
        await tab.say("第二句", metadata=json.dumps({"page": "chat"}))
        await tab.wait_for("bot_uttered", count=2)
        await tab.client.disconnect()
    assert tab.errors() == []
    assert [m.metadata for m in rasa.received] == [{}, {"page": "chat"}]


async def test_a_flood_gets_too_fast_per_staff_number():
    rasa = StubRasa()
    channel = persistent_channel()
    channel.rate_limiter = SenderRateLimiter(rate=0.001, burst=3)
    async with serve_channels([channel], rasa) as url:
        tab = await Tab().signed_in(url)
        colleague = await Tab().signed_in(url, "B002")
        for n in range(5):
            await tab.say(f"第{n}句", message_id=f"m{n}")
        errors = await tab.wait_for(MESSAGE_ERROR_EVT, count=2)
        await tab.wait_for("bot_uttered", count=3)
        await colleague.say("您好")
        await colleague.wait_for("bot_uttered")
        await asyncio.sleep(0.1)
        for each in (tab, colleague):
            await each.client.disconnect()
    assert errors == [
        {"code": "too_fast", "message": TOO_FAST_TEXT, "message_id": f"m{n}"}
        for n in (3, 4)
    ]
    assert len(tab.events["bot_uttered"]) == 3 and colleague.errors() == []
    assert [m.text for m in rasa.received] == ["第0句", "第1句", "第2句", "您好"]


async def test_a_failure_inside_rasa_asks_the_sender_to_resend(caplog):
    rasa = FailingRasa()
    async with serve_channels([persistent_channel()], rasa) as url:
        tab = await Tab().signed_in(url)
        other_tab = await Tab().signed_in(url)  # the same trainee in a second tab
        with caplog.at_level(logging.ERROR, logger="channels.socketio"):
            await tab.say("boom", message_id="m1")
            (error,) = await tab.wait_for(MESSAGE_ERROR_EVT)
        await tab.say("您好", message_id="m2")
        await tab.wait_for("bot_uttered")
        await other_tab.wait_for("bot_uttered")
        await asyncio.sleep(0.1)
        for each in (tab, other_tab):
            await each.client.disconnect()
    assert error == {
        "code": "unavailable",
        "message": UNAVAILABLE_TEXT,
        "message_id": "m1",
    }
    assert "重新发送" in error["message"]
    assert other_tab.errors() == []  # only the tab holding the text is told
    (record,) = [r for r in caplog.records if r.name == "channels.socketio"]
    assert record.exc_info and isinstance(record.exc_info[1], LockError)
    assert [m.text for m in rasa.received] == ["boom", "您好"]
