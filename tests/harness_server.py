"""Runs a Sanic app on a real 127.0.0.1 socket, in-process, in the test's event loop.

Shared by the channel harnesses (tests/web/harness.py, tests/wecom/harness.py):
sanic-testing is not installed, and a real socket is what the clients talk to.
"""

from __future__ import annotations

import socket
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator

from sanic import Sanic


def new_app(kind: str) -> Sanic:
    """A Sanic app with a name of its own (Sanic keeps a registry of app names)."""
    # Several apps per process need Sanic's test mode (as sanic-testing sets it):
    # otherwise the second app's start-up rewrites already rewritten handlers.
    Sanic.test_mode = True
    return Sanic(f"{kind}_{uuid.uuid4().hex}", configure_logging=False)


@asynccontextmanager
async def serve_app(app: Sanic) -> AsyncIterator[str]:
    """Yields the base URL of `app` listening on a free port; stops it afterwards."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = await app.create_server(
        sock=sock, return_asyncio_server=True, access_log=False
    )
    assert server is not None  # already listening: create_server awaited it
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
