"""Serves channel blueprints on a real 127.0.0.1 socket, in-process, mounted as `rasa run` does."""

from __future__ import annotations

import socket
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

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
    # Several apps per process need Sanic's test mode (as sanic-testing sets it).
    Sanic.test_mode = True
    app = Sanic(f"web_test_{uuid.uuid4().hex}", configure_logging=False)
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
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = await app.create_server(
        sock=sock, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        for connection in list(server.connections):
            connection.close_if_idle()
        server.close()
        await server.wait_closed()
        await server.after_stop()
        sock.close()
