"""The REST channel, with clear answers to bad requests and outages.

Rasa's stock channel answers 200 with an empty list when Redis, PostgreSQL or the action glue
fail, an HTML page to malformed JSON, files a message without sender under "default", and lets a
100 KB message hold the replica's event loop for seconds. This one keeps the URL
(`/webhooks/rest/webhook`) and the reply format, and answers every problem with JSON a client can
show: `{"error": "<code>", "message": "<中文说明>"}`.

A client that did not get an answer may resend with the same `message_id` and `"resend": true`:
if the first request was stored after all (a replica died before answering), the stored replies
are returned instead of handling the message twice.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# A trainee answers in a sentence or two; NLU and scoring of 1,000 characters take ~0.1 s,
# of 100 KB over 10 s during which the replica serves nobody else.
MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
MAX_MESSAGE_ID_CHARS = 64
# C0 controls (NUL cannot even be stored in PostgreSQL text) except tab and newline, and
# lone UTF-16 surrogates ("\ud800" is valid JSON but not encodable as UTF-8).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
# Per sender and replica: a person types a sentence every few seconds; a script flooding one
# conversation would make every turn of it slower (Rasa reloads the whole session each turn).
RATE_PER_SECOND = 2.0
RATE_BURST = 20
_SENDER_PATTERN = re.compile(r"^[^\s\x00-\x1f\x7f]+$")

FORMAT_HINT = '格式:{"sender": "学员工号", "message": "要说的话"},Content-Type: application/json。'
NOT_READY_TEXT = "陪练服务正在启动,请稍后再发送。"
TOO_FAST_TEXT = "发送太快了,请稍等几秒再发。"
BUSY_TEXT = "上一条消息还在处理,请收到回复后再发送。"
UNAVAILABLE_TEXT = "服务暂时不可用,这条消息没有处理完,请稍后重新发送。"


class RequestProblem(Exception):
    """A request the channel refuses, with its HTTP status and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IncomingRequest:
    sender: str
    text: str
    message_id: Optional[str]
    resend: bool
    input_channel: Optional[str]
    metadata: Optional[Dict[str, Any]]


def parse_request(body: bytes) -> IncomingRequest:
    """Check a webhook body; raises RequestProblem with the reason in Chinese."""
    try:
        data = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError) as error:
        raise RequestProblem(
            400, "invalid_json", "请求内容不是 UTF-8 编码的 JSON。" + FORMAT_HINT
        ) from error
    if data is None:
        raise RequestProblem(400, "empty_body", "请求内容是空的。" + FORMAT_HINT)
    if not isinstance(data, dict):
        raise RequestProblem(400, "not_an_object", "请求内容必须是 JSON 对象。" + FORMAT_HINT)
    return IncomingRequest(
        sender=_sender(data.get("sender")),
        text=_message(data.get("message")),
        message_id=_message_id(data.get("message_id")),
        resend=data.get("resend") is True,
        input_channel=_optional_text(data.get("input_channel")),
        metadata=data.get("metadata")
        if isinstance(data.get("metadata"), dict)
        else None,
    )


def _sender(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise RequestProblem(400, "missing_sender", "缺少 sender(学员工号)。" + FORMAT_HINT)
    value = value.strip()
    if len(value) > MAX_SENDER_CHARS or not _SENDER_PATTERN.match(value):
        raise RequestProblem(
            400,
            "invalid_sender",
            f"sender 必须是不含空格和控制字符、不超过 {MAX_SENDER_CHARS} 个字符的工号。",
        )
    return value


def _message(value: Any) -> str:
    if not isinstance(value, str):
        raise RequestProblem(
            400, "missing_message", "缺少 message(要发送的文字)。" + FORMAT_HINT
        )
    text = _CONTROL_CHARS.sub("", value).strip()
    if not text:
        raise RequestProblem(400, "empty_message", "消息是空的,请输入要说的话。")
    if len(text) > MAX_MESSAGE_CHARS:
        raise RequestProblem(
            413,
            "message_too_long",
            f"消息太长了({len(text)} 字),请控制在 {MAX_MESSAGE_CHARS} 字以内,一两句话即可。",
        )
    return text


def _message_id(value: Any) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_MESSAGE_ID_CHARS:
        raise RequestProblem(
            400,
            "invalid_message_id",
            f"message_id 必须是不超过 {MAX_MESSAGE_ID_CHARS} 个字符的字符串。",
        )
    return value


def _optional_text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


class SenderRateLimiter:
    """Token bucket per sender: `burst` messages at once, then `rate` per second."""

    def __init__(
        self,
        rate: float = RATE_PER_SECOND,
        burst: int = RATE_BURST,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = 50_000,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_senders = max_senders
        self._buckets: Dict[str, Tuple[float, float]] = {}

    def allow(self, sender: str) -> bool:
        now = self.clock()
        tokens, last = self._buckets.get(sender, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[sender] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self.max_senders:
            self._forget_full_buckets(now)
        return allowed

    def _forget_full_buckets(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket.
        refill = self.burst / self.rate
        self._buckets = {
            sender: (tokens, last)
            for sender, (tokens, last) in self._buckets.items()
            if now - last < refill
        }


def problem_response(status: int, code: str, message: str) -> HTTPResponse:
    headers = {"Retry-After": "5"} if status in (429, 503) else None
    return response.json(
        {"error": code, "message": message},
        status=status,
        headers=headers,
        dumps=lambda obj, **_: json.dumps(obj, ensure_ascii=False),
    )


def replies_after(
    events: List[Dict[str, Any]], message_id: str
) -> Optional[List[Dict]]:
    """The bot messages that followed the user message `message_id`, as the webhook sent them."""
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if replies is not None:
                break
            if event.get("message_id") == message_id:
                replies = []
        elif kind == "bot" and replies is not None:
            data = event.get("data") or {}
            message = {
                "text": event.get("text"),
                "image": data.get("image"),
                "buttons": data.get("buttons"),
                "attachment": data.get("attachment"),
                "custom": data.get("custom"),
            }
            replies.append({k: v for k, v in message.items() if v is not None})
    return replies


class CheckedRestInput(RestInput):
    """`channels.rest.CheckedRestInput` in credentials.yml; serves `/webhooks/rest/webhook`."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        super().__init__()
        self.rate_limiter = SenderRateLimiter()
        self.in_flight: Set[str] = set()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        from channels import rasa_patches

        rasa_patches.install()
        webhook = Blueprint("checked_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming = parse_request(request.body or b"")
            except RequestProblem as problem:
                return problem_response(problem.status, problem.code, problem.message)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return problem_response(503, "not_ready", NOT_READY_TEXT)
            if not self.rate_limiter.allow(incoming.sender):
                return problem_response(429, "too_fast", TOO_FAST_TEXT)
            # One message per conversation at a time on this replica: a trainee waits for the
            # answer, and Rasa's conversation lock expires (TICKET_LOCK_LIFETIME) counting from
            # when a message starts waiting, so a long queue would let two turns overlap.
            if incoming.sender in self.in_flight:
                return problem_response(429, "busy", BUSY_TEXT)
            self.in_flight.add(incoming.sender)
            try:
                return await self._handle(request, incoming, on_new_message)
            finally:
                self.in_flight.discard(incoming.sender)

        return webhook

    async def _handle(
        self,
        request: Request,
        incoming: IncomingRequest,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
    ) -> HTTPResponse:
        if incoming.resend and incoming.message_id:
            stored = await self._stored_replies(request, incoming)
            if stored is not None:
                return response.json(stored)
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    incoming.text,
                    collector,
                    incoming.sender,
                    input_channel=incoming.input_channel or self.name(),
                    metadata=incoming.metadata,
                    message_id=incoming.message_id or uuid.uuid4().hex,
                )
            )
        except Exception:  # every failure (Redis, PostgreSQL, model) is a clear 503
            logger.exception("REST message from %s failed", incoming.sender)
            return problem_response(503, "unavailable", UNAVAILABLE_TEXT)
        return response.json(collector.messages)

    @staticmethod
    async def _stored_replies(
        request: Request, incoming: IncomingRequest
    ) -> Optional[List[Dict[str, Any]]]:
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return None
        try:
            tracker = await agent.tracker_store.retrieve(incoming.sender)
        except Exception:  # the normal path below reports the outage
            return None
        if tracker is None:
            return None
        events = [event.as_dict() for event in tracker.events]
        replies = replies_after(events, incoming.message_id)
        if replies is None:
            return None
        for reply in replies:
            reply["recipient_id"] = incoming.sender
        return replies
