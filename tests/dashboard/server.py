"""Runs the dashboard blueprint on a real Sanic server in a background thread.

sanic-testing is not installed (Rasa does not need it), and a real socket also
exercises what a browser sees: cookies, headers and redirects over HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
from typing import Optional

from sanic import Sanic

from channels.dashboard.views import PREFIX, Dashboard

_app_numbers = itertools.count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DashboardServer:
    def __init__(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        # Lets several apps start in one process (Sanic rewrites its HTTP handler
        # on startup); the other in-process harnesses of this repo do the same.
        Sanic.test_mode = True
        self.app = Sanic(
            f"dashboard_test_{next(_app_numbers)}", configure_logging=False
        )
        self.app.config.ACCESS_LOG = False
        self.app.blueprint(dashboard.blueprint(), url_prefix=PREFIX)
        self.port = free_port()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    def start(self) -> "DashboardServer":
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                server = loop.run_until_complete(
                    self.app.create_server(
                        host="127.0.0.1",
                        port=self.port,
                        return_asyncio_server=True,
                        access_log=False,
                    )
                )
                loop.run_until_complete(server.startup())
                loop.run_until_complete(server.before_start())
                loop.run_until_complete(server.after_start())
                self._server = server
            except BaseException as error:  # report to the test thread
                failure.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("dashboard test server did not start")
        if failure:
            raise failure[0]
        return self

    async def _shutdown(self) -> None:
        server = self._server
        server.server.close()
        for connection in list(server.connections):
            connection.close_if_idle()
        await asyncio.sleep(0.05)
        for connection in list(server.connections):
            connection.abort()
        await server.server.wait_closed()
        # Let the aborted connections' tasks see the abort and finish.
        await asyncio.sleep(0.05)

    def stop(self) -> None:
        if self._loop is None or self._server is None:
            return
        done = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        done.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
