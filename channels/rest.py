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
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.message_checks import (
    MAX_MESSAGE_CHARS,  # noqa: F401 (re-exported: clients and tests import it from here)
    NOT_READY_TEXT,
    TOO_FAST_TEXT,
    UNAVAILABLE_TEXT,
    RequestProblem,
    SenderRateLimiter,
    check_message_id,
    clean_text,
)

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
_SENDER_PATTERN = re.compile(r"^[^\s\x00-\x1f\x7f]+$")

FORMAT_HINT = '格式:{"sender": "学员工号", "message": "要说的话"},Content-Type: application/json。'
BUSY_TEXT = "上一条消息还在处理,请收到回复后再发送。"


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
        message_id=check_message_id(data.get("message_id")),
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
    return clean_text(value)


def _optional_text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


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
