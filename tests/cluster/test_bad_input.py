"""Bad input against the running cluster (through nginx, as trainees reach it): the server
stays up, answers each with a clear JSON error or a sensible reply, and the tracker store and the
records hold exactly what was accepted, unchanged."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import aiohttp
import pytest

from benchmarks.load_verify import recorded_replies, tracker_events
from channels.rest import MAX_MESSAGE_CHARS
from tests.e2e.play import good_reply, scenario

pytestmark = pytest.mark.cluster

SCENARIO = "bargain_sofa"
WEBHOOK = "/webhooks/rest/webhook"


def new_sender(prefix: str) -> str:
    return f"B{prefix}{uuid.uuid4().hex[:6]}".upper()


async def raw_post(cluster, data: bytes, content_type: str = "application/json"):
    async with aiohttp.ClientSession() as session:
        async with session.post(
            cluster.url + WEBHOOK,
            data=data,
            headers={"Content-Type": content_type},
            timeout=aiohttp.ClientTimeout(total=60),
        ) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), await resp.read()


async def send(cluster, sender: str, message: str):
    body = json.dumps({"sender": sender, "message": message}).encode()
    status, _, payload = await raw_post(cluster, body)
    return status, json.loads(payload)


def texts(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def stored_user_texts(cluster, sender):
    events = tracker_events(cluster.tracker_db_url, [sender])[sender]
    return [data.get("text") for kind, data in events if kind == "user"]


async def assert_still_serving(cluster):
    status, answer = await send(cluster, new_sender("OK"), "能便宜点吗")
    assert status == 200 and "标准应答" in texts(answer)


BINARY = bytes(range(256)) * 8


BAD_REQUESTS = [
    ("empty body", b"", "application/json", 400, "empty_body"),
    ("binary body", BINARY, "application/octet-stream", 400, "invalid_json"),
    (
        "malformed JSON",
        b'{"sender": "A1", "message": ',
        "application/json",
        400,
        "invalid_json",
    ),
    (
        "form instead of JSON",
        b"sender=A1&message=hi",
        "application/x-www-form-urlencoded",
        400,
        "invalid_json",
    ),
    ("JSON list", b"[1, 2]", "application/json", 400, "not_an_object"),
    ("no sender", b'{"message": "hi"}', "application/json", 400, "missing_sender"),
    ("no message", b'{"sender": "A1"}', "application/json", 400, "missing_message"),
    (
        "message not text",
        b'{"sender": "A1", "message": 12}',
        "application/json",
        400,
        "missing_message",
    ),
    (
        "empty message",
        b'{"sender": "A1", "message": "  \\n "}',
        "application/json",
        400,
        "empty_message",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "content_type", "status", "code"),
    BAD_REQUESTS,
    ids=[case[0] for case in BAD_REQUESTS],
)
async def test_malformed_requests_get_clear_json_errors(
    cluster, report, case, body, content_type, status, code
):
    got, got_type, payload = await raw_post(cluster, body, content_type)
    error = json.loads(payload)
    report(f"{case}: HTTP {got} {error}")
    assert (got, error["error"]) == (status, code)
    assert "application/json" in got_type and error["message"]
    await assert_still_serving(cluster)


async def test_100_kb_message_is_refused_before_it_reaches_the_model(cluster, report):
    sender = new_sender("BIG")
    started = time.monotonic()
    status, error = await send(cluster, sender, "能便宜点吗" * 20480)  # 100 KB of text
    seconds = time.monotonic() - started
    report(
        f"100 KB message: HTTP {status} in {seconds * 1000:.0f} ms: {error['message']}"
    )
    assert status == 413 and error["error"] == "message_too_long"
    assert str(MAX_MESSAGE_CHARS) in error["message"]
    assert stored_user_texts(cluster, sender) == []
    await assert_still_serving(cluster)


async def test_json_with_control_characters_is_stored_clean(cluster, report):
    sender = new_sender("CTL")
    dirty = "能便宜\u0000点吗\u0007\ud800"
    body = json.dumps({"sender": sender, "message": dirty}).encode()
    status, _, payload = await raw_post(cluster, body)
    report(f"NUL, BEL and a lone surrogate in the text: HTTP {status}")
    assert status == 200 and json.loads(payload)
    assert stored_user_texts(cluster, sender) == ["能便宜点吗"]


async def test_wrong_content_type_with_json_body_is_accepted(cluster, report):
    # `curl -d` sends form content type; the README's examples rely on JSON being read anyway.
    sender = new_sender("CT")
    body = json.dumps({"sender": sender, "message": "能便宜点吗"}).encode()
    status, _, payload = await raw_post(cluster, body, "text/plain")
    report(f"JSON body sent as text/plain: HTTP {status}")
    assert status == 200 and "标准应答" in texts(json.loads(payload))


@pytest.mark.parametrize(
    "reply",
    ["😀😀👍🙏", "<script>alert('x')</script>您好,欢迎光临!", "' OR 1=1; DROP TABLE replies; --"],
    ids=["emoji only", "html and script", "sql"],
)
async def test_odd_replies_are_scored_and_recorded_verbatim(cluster, report, reply):
    sender = new_sender("ODD")
    payload = json.dumps({"scenario_id": SCENARIO})
    status, _ = await send(cluster, sender, f"/start_practice{payload}")
    assert status == 200
    status, answer = await send(cluster, sender, reply)
    report(
        f"{reply[:20]!r} as a practice reply: HTTP {status}, {texts(answer)[:30]!r}…"
    )
    assert status == 200 and "得分" in texts(answer)
    assert stored_user_texts(cluster, sender)[-1] == reply
    replies = recorded_replies(cluster.records_db_url, [sender])[sender]
    assert [r[-1] for r in replies] == [reply]


async def test_unknown_scenario_id_names_it_and_shows_the_menu(cluster, report):
    payload = json.dumps({"scenario_id": "no_such_scenario"})
    status, answer = await send(cluster, new_sender("UNK"), f"/start_exam{payload}")
    report(f"unknown scenario id: {texts(answer)[:60]!r}")
    assert status == 200
    assert "没有找到场景“no_such_scenario”" in texts(answer)
    assert any(m.get("buttons") for m in answer)


@pytest.mark.parametrize(
    "message",
    [
        '/start_exam{"scenario_id": "bargain_sofa"',
        "/start_exam{scenario_id: bargain_sofa}",
        '/start_practice{"scenario": "bargain_sofa"}',
    ],
    ids=["unclosed", "not json", "wrong key"],
)
async def test_broken_start_payload_says_what_is_wrong(cluster, report, message):
    status, answer = await send(cluster, new_sender("PAY"), message)
    report(f"{message!r}: {texts(answer)[:50]!r}")
    assert status == 200
    assert "没能读懂场景参数" in texts(answer) or "没有找到场景" in texts(answer)
    assert any(m.get("buttons") for m in answer)


async def test_1000_rapid_messages_from_one_sender(cluster, report):
    """Flood one conversation, 10 requests in flight: every request gets an answer or a clear
    JSON refusal, the server keeps serving another trainee, and the tracker holds exactly the
    answered messages, once each."""
    sender = new_sender("FLOOD")
    outcomes = {}
    queue: asyncio.Queue = asyncio.Queue()
    for n in range(1000):
        queue.put_nowait(n)

    async def worker(session):
        while not queue.empty():
            n = queue.get_nowait()
            message_id = f"flood-{n}"
            body = {"sender": sender, "message": f"能便宜点吗 {n}", "message_id": message_id}
            async with session.post(
                cluster.url + WEBHOOK,
                json=body,
                timeout=aiohttp.ClientTimeout(total=120),
            ) as resp:
                kind = resp.headers.get("Content-Type", "")
                payload = await resp.json() if "json" in kind else await resp.text()
                outcomes[message_id] = (resp.status, payload)

    async def bystander(session):
        # Another trainee practising meanwhile must be served normally.
        other = new_sender("BY")
        payload = json.dumps({"scenario_id": SCENARIO})
        started = time.monotonic()
        async with session.post(
            cluster.url + WEBHOOK,
            json={"sender": other, "message": f"/start_practice{payload}"},
        ) as resp:
            assert resp.status == 200
        turn = scenario(SCENARIO).turns[0]
        async with session.post(
            cluster.url + WEBHOOK,
            json={"sender": other, "message": good_reply(turn.situation, turn.context)},
        ) as resp:
            assert resp.status == 200 and "得分" in texts(await resp.json())
        return time.monotonic() - started

    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(
            *(worker(session) for _ in range(10)), bystander(session)
        )
    seconds = time.monotonic() - started
    answered = {mid for mid, (status, _) in outcomes.items() if status == 200}
    refused: dict = {}
    for status, body in outcomes.values():
        if status != 200:
            key = (
                status,
                body.get("error") if isinstance(body, dict) else str(body)[:60],
            )
            refused[key] = refused.get(key, 0) + 1
    report(
        f"1,000 messages in {seconds:.1f} s: {len(answered)} answered, refused: "
        f"{', '.join(f'{s} {e} ×{n}' for (s, e), n in sorted(refused.items()))}; "
        f"a bystander's start + one reply took {results[-1]:.1f} s"
    )
    assert len(outcomes) == 1000
    clear = {(429, "too_fast"), (429, "busy"), (503, "unavailable")}
    assert set(refused) <= clear, refused
    assert all(body for status, body in outcomes.values() if status == 200)
    events = tracker_events(cluster.tracker_db_url, [sender])[sender]
    stored = [data.get("message_id") for kind, data in events if kind == "user"]
    assert sorted(stored) == sorted(answered), "answered ≠ stored"
    await assert_still_serving(cluster)
