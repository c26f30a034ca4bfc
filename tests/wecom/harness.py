"""Serves the WeCom connector's blueprint on a real 127.0.0.1 socket, in-process.

`serve_blueprint` mounts it under /webhooks/wecom exactly as `rasa run` does, so
the tests speak HTTP to the same routes WeCom would call.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from tests.harness_server import new_app, serve_app

WEBHOOK_PREFIX = "/webhooks/wecom"

BotReply = Dict[str, Any]  # {"text": …} or {"text": …, "buttons": [...]}
Responder = Callable[[UserMessage], List[BotReply]]


def echo_responder(message: UserMessage) -> List[BotReply]:
    return [{"text": f"收到：{message.text}"}]


@dataclass
class StubRasa:
    """Stands in for `agent.handle_message`: records messages, answers via the
    message's output channel like Rasa does, optionally held by a gate."""

    responder: Responder = echo_responder
    gate: Optional[asyncio.Event] = None
    received: List[UserMessage] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.gate is not None:
            await self.gate.wait()
        for reply in self.responder(message):
            if reply.get("buttons"):
                await message.output_channel.send_text_with_buttons(
                    message.sender_id, reply["text"], reply["buttons"]
                )
            else:
                await message.output_channel.send_text_message(
                    message.sender_id, reply["text"]
                )

    @property
    def texts(self) -> List[str]:
        return [message.text for message in self.received]


@asynccontextmanager
async def serve_blueprint(blueprint: Blueprint) -> AsyncIterator[str]:
    """Yields the base URL of a Sanic app serving `blueprint` on a free port."""
    app = new_app("wecom_test")
    app.blueprint(blueprint, url_prefix=WEBHOOK_PREFIX)
    async with serve_app(app) as url:
        yield url
