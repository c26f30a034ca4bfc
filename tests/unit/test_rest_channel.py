"""The checked REST channel: request validation, clear errors, one turn per conversation,
rate limit and the resend of a message that was stored after all."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import rasa_patches
from channels.rest import (
    MAX_MESSAGE_CHARS,
    CheckedRestInput,
    RequestProblem,
    SenderRateLimiter,
    parse_request,
    replies_after,
)
from tests.web.harness import serve_channels


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("raw", "code", "status"),
    [
        (b"", "empty_body", 400),
        (b"   ", "empty_body", 400),
        (b"\xff\xfe\x00binary", "invalid_json", 400),
        (b'{"sender": "A1", "message": ', "invalid_json", 400),
        (b"sender=A1&message=hi", "invalid_json", 400),
        (b'["A1", "hi"]', "not_an_object", 400),
        (body(message="hi"), "missing_sender", 400),
        (body(sender="", message="hi"), "missing_sender", 400),
        (body(sender="A 1", message="hi"), "invalid_sender", 400),
        (body(sender="A" * 129, message="hi"), "invalid_sender", 400),
        (body(sender=True, message="hi"), "missing_sender", 400),
        (body(sender="A1"), "missing_message", 400),
        (body(sender="A1", message=["hi"]), "missing_message", 400),
        (body(sender="A1", message=" \n\t "), "empty_message", 400),
        (body(sender="A1", message="\u0000\u0001"), "empty_message", 400),
        (
            body(sender="A1", message="好" * (MAX_MESSAGE_CHARS + 1)),
            "message_too_long",
            413,
        ),
        (body(sender="A1", message="hi", message_id=""), "invalid_message_id", 400),
        (
            body(sender="A1", message="hi", message_id="x" * 65),
            "invalid_message_id",
            400,
        ),
    ],
)
def test_bad_requests_are_refused_with_a_reason(raw, code, status):
    with pytest.raises(RequestProblem) as problem:
        parse_request(raw)
    assert (problem.value.code, problem.value.status) == (code, status)
    assert problem.value.message  # a sentence for people, in Chinese


@pytest.mark.parametrize(
    ("message", "stored"),
    [
        ("能便宜点吗", "能便宜点吗"),
        ("  能便宜点吗\n", "能便宜点吗"),
        ("能便宜\u0000点吗\u0007", "能便宜点吗"),
        ("能便宜点吗\ud800", "能便宜点吗"),
        ("第一句\n第二句\t!", "第一句\n第二句\t!"),
        ("😀👍", "😀👍"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("好" * MAX_MESSAGE_CHARS, "好" * MAX_MESSAGE_CHARS),
    ],
)
def test_good_requests_keep_the_text_minus_control_characters(message, stored):
    incoming = parse_request(body(sender="A1", message=message))
    assert incoming.text == stored and incoming.sender == "A1"


def test_numeric_sender_metadata_and_resend_flags():
    incoming = parse_request(
        body(sender=1001, message="hi", message_id="m1", resend=True, metadata={"a": 1})
    )
    assert (incoming.sender, incoming.message_id, incoming.resend) == (
        "1001",
        "m1",
        True,
    )
    assert incoming.metadata == {"a": 1}
    assert parse_request(body(sender="A1", message="hi", resend="yes")).resend is False


def test_rate_limiter_allows_a_burst_then_the_rate():
    now = [0.0]
    limiter = SenderRateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.allow("A1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("B2")  # other senders have their own bucket
    now[0] += 0.5
    assert limiter.allow("A1") and not limiter.allow("A1")
    now[0] += 10
    assert [limiter.allow("A1") for _ in range(4)] == [True, True, True, False]


def test_rate_limiter_forgets_idle_senders():
    now = [0.0]
    limiter = SenderRateLimiter(rate=1.0, burst=2, clock=lambda: now[0], max_senders=3)
    for sender in ("A", "B", "C"):
        limiter.allow(sender)
    now[0] += 5
    limiter.allow("D")
    assert set(limiter._buckets) == {"D"}


def test_replies_after_returns_the_answers_of_that_message_only():
    events = [
        {"event": "user", "text": "first", "message_id": "m1"},
        {"event": "bot", "text": "answer 1", "data": {"buttons": [{"title": "t"}]}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "second", "message_id": "m2"},
        {"event": "bot", "text": "answer 2a", "data": {}},
        {"event": "bot", "text": None, "data": {"custom": {"type": "hint"}}},
    ]
    assert replies_after(events, "m1") == [
        {"text": "answer 1", "buttons": [{"title": "t"}]}
    ]
    assert replies_after(events, "m2") == [
        {"text": "answer 2a"},
        {"custom": {"type": "hint"}},
    ]
    assert replies_after(events, "m3") is None


class FakeStore:
    def __init__(self, tracker=None):
        self.tracker = tracker

    async def retrieve(self, sender_id):
        return self.tracker


class FakeAgent:
    def __init__(self, ready=True, tracker=None):
        self.ready = ready
        self.tracker_store = FakeStore(tracker)

    def is_ready(self):
        return self.ready


@pytest.fixture
def channel(monkeypatch):
    # Rasa's classes are patched only inside `rasa run` (tests/unit/test_rasa_patches.py).
    monkeypatch.setattr(rasa_patches, "install", lambda: None)
    return CheckedRestInput()


async def post(base, payload, session):
    async with session.post(base + "/webhooks/rest/webhook", json=payload) as resp:
        return resp.status, await resp.json()


async def test_webhook_answers_and_reports_failures(channel):
    seen = []

    async def on_new_message(message):
        seen.append((message.sender_id, message.text, message.message_id))
        if message.text == "boom":
            raise RuntimeError("Redis is down")
        await message.output_channel.send_text_message(message.sender_id, "好的")

    async with serve_channels([channel], on_new_message, FakeAgent()) as base:
        async with aiohttp.ClientSession() as session:
            ok = await post(base, {"sender": "A1", "message": "你好"}, session)
            failed = await post(base, {"sender": "A1", "message": "boom"}, session)
            bad = await post(base, {"sender": "A1"}, session)
    assert ok == (200, [{"recipient_id": "A1", "text": "好的"}])
    assert failed[0] == 503 and failed[1]["error"] == "unavailable"
    assert "重新发送" in failed[1]["message"]
    assert bad[0] == 400 and bad[1]["error"] == "missing_message"
    assert [s[:2] for s in seen] == [("A1", "你好"), ("A1", "boom")]
    assert all(s[2] for s in seen)  # every message gets an id


async def test_webhook_refuses_while_the_model_is_loading(channel):
    async with serve_channels([channel], agent=FakeAgent(ready=False)) as base:
        async with aiohttp.ClientSession() as session:
            status, error = await post(base, {"sender": "A1", "message": "hi"}, session)
    assert status == 503 and error["error"] == "not_ready"


async def test_one_message_per_conversation_at_a_time(channel):
    release = asyncio.Event()

    async def on_new_message(message):
        if message.text == "slow":
            await release.wait()
        await message.output_channel.send_text_message(message.sender_id, message.text)

    async with serve_channels([channel], on_new_message, FakeAgent()) as base:
        async with aiohttp.ClientSession() as session:
            slow = asyncio.create_task(
                post(base, {"sender": "A1", "message": "slow"}, session)
            )
            await asyncio.sleep(0.2)
            busy = await post(base, {"sender": "A1", "message": "again"}, session)
            other = await post(base, {"sender": "B2", "message": "hi"}, session)
            release.set()
            first = await slow
            after = await post(base, {"sender": "A1", "message": "again"}, session)
    assert busy[0] == 429 and busy[1]["error"] == "busy"
    assert other[0] == 200 and first[0] == 200 and after[0] == 200


async def test_flood_gets_too_fast(channel):
    channel.rate_limiter = SenderRateLimiter(rate=0.001, burst=3)

    async def on_new_message(message):
        await message.output_channel.send_text_message(message.sender_id, "ok")

    async with serve_channels([channel], on_new_message, FakeAgent()) as base:
        async with aiohttp.ClientSession() as session:
            statuses = [
                (await post(base, {"sender": "A1", "message": f"m{n}"}, session))[0]
                for n in range(5)
            ]
    assert statuses == [200, 200, 200, 429, 429]


async def test_resend_of_a_stored_message_returns_its_stored_answer(channel):
    tracker = DialogueStateTracker.from_events(
        "A1",
        [
            UserUttered("能便宜点吗", message_id="m1"),
            BotUttered("实在对不起", data={"buttons": [{"title": "提示"}]}),
        ],
    )
    handled = []

    async def on_new_message(message):
        handled.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "new")

    agent = FakeAgent(tracker=tracker)
    async with serve_channels([channel], on_new_message, agent) as base:
        async with aiohttp.ClientSession() as session:
            stored = await post(
                base,
                {
                    "sender": "A1",
                    "message": "能便宜点吗",
                    "message_id": "m1",
                    "resend": True,
                },
                session,
            )
            fresh = await post(
                base,
                {"sender": "A1", "message": "再问", "message_id": "m2", "resend": True},
                session,
            )
    assert stored == (
        200,
        [{"recipient_id": "A1", "text": "实在对不起", "buttons": [{"title": "提示"}]}],
    )
    assert fresh == (200, [{"recipient_id": "A1", "text": "new"}])
    assert handled == ["再问"]  # the stored one was not handled twice
