"""Serves channel blueprints on a real 127.0.0.1 socket, in-process, mounted as `rasa run` does."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage

from tests.harness_server import new_app, serve_app

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


async def ignore(_: UserMessage) -> None:
    return None


@asynccontextmanager
async def serve_channels(
    channels: Iterable[InputChannel],
    on_new_message: OnNewMessage = ignore,
    agent: Optional[Any] = None,
) -> AsyncIterator[str]:
    """Yields the base URL of a Sanic app serving the channels under /webhooks/<name>."""
    app = new_app("web_test")
    app.ctx.agent = agent
    for channel in channels:
        app.blueprint(
            channel.blueprint(on_new_message),
            url_prefix=f"/webhooks/{channel.url_prefix()}",
        )
        sio = getattr(channel, "sio", None)
        if sio is not None:
            # A polling client's disconnect waits for the open long-poll (25 s by default).
            sio.eio.ping_interval = 0.25
            sio.eio.ping_timeout = 0.5
    async with serve_app(app) as url:
        yield url
