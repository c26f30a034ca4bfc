"""Fake WeCom server API (gettoken + message/send) on 127.0.0.1 for tests.

Usable in-process (`await fake.start()` / `await fake.stop()`) or, for a separate
Rasa process, in a background thread (`fake.start_in_thread()` /
`fake.stop_thread()`). Point WECOM_API_BASE at `fake.base_url`.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Optional

from aiohttp import web

MAX_CONTENT_BYTES = 2048


@dataclass
class SentMessage:
    """A message/send request the fake accepted."""

    touser: str
    content: str
    agentid: Any
    body: Dict[str, Any] = field(repr=False)


class FakeWeComApi:
    def __init__(
        self,
        corp_id: str = "ww_fake_corp",
        secret: str = "fake-secret",
        agent_id: int = 1000002,
        token_lifetime_seconds: int = 7200,
    ) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.token_lifetime_seconds = token_lifetime_seconds
        self.sent: List[SentMessage] = []
        self.send_attempts: List[Dict[str, Any]] = []  # every call, accepted or not
        self.token_fetches = 0
        self.gettoken_delay_seconds = 0.0
        self._valid_tokens: Dict[str, float] = {}  # token -> expires at (monotonic)
        self._expired_tokens: set = set()
        self._queued_errors: Deque[int] = deque()
        self._token_numbers = itertools.count(1)
        self._changed = threading.Condition()
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None
        self._thread_loop: Optional[asyncio.AbstractEventLoop] = None
        self.port: Optional[int] = None

    @property
    def base_url(self) -> str:
        assert self.port is not None, "fake WeCom API not started"
        return f"http://127.0.0.1:{self.port}"

    # -- behaviour switches -------------------------------------------------
    def expire_tokens(self) -> None:
        """Every token handed out so far now answers 42001 (access_token expired)."""
        with self._changed:
            self._expired_tokens.update(self._valid_tokens)
            self._valid_tokens.clear()

    def fail_next_sends(self, errcode: int, times: int = 1) -> None:
        """The next `times` message/send calls answer `errcode` (e.g. 60020)."""
        with self._changed:
            self._queued_errors.extend([errcode] * times)

    def contents_to(self, user_id: str) -> List[str]:
        with self._changed:
            return [
                message.content for message in self.sent if message.touser == user_id
            ]

    # -- waiting ------------------------------------------------------------
    def wait_for_sent(self, count: int, timeout: float = 10.0) -> List[SentMessage]:
        """Blocks (thread mode) until `count` messages were accepted."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.sent) >= count, timeout):
                raise TimeoutError(f"{len(self.sent)} of {count} messages sent")
            return list(self.sent)

    async def wait_for_sent_async(
        self, count: int, timeout: float = 10.0
    ) -> List[SentMessage]:
        """Like wait_for_sent without blocking the event loop (in-process mode)."""
        deadline = time.monotonic() + timeout
        while len(self.sent) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.sent)} of {count} messages sent")
            await asyncio.sleep(0.01)
        return list(self.sent)

    # -- lifecycle ----------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._message_send)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self, timeout: float = 10.0) -> str:
        started = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._thread_loop = loop
            loop.run_until_complete(self.start())
            started.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(
            target=serve, name="fake-wecom-api", daemon=True
        )
        self._thread.start()
        if not started.wait(timeout):
            raise RuntimeError("fake WeCom API did not start")
        return self.base_url

    def stop_thread(self, timeout: float = 10.0) -> None:
        if self._thread_loop is not None and self._thread is not None:
            self._thread_loop.call_soon_threadsafe(self._thread_loop.stop)
            self._thread.join(timeout)
            self._thread = None
            self._thread_loop = None

    # -- handlers -----------------------------------------------------------
    async def _gettoken(self, request: web.Request) -> web.Response:
        if self.gettoken_delay_seconds:
            await asyncio.sleep(self.gettoken_delay_seconds)
        with self._changed:
            self.token_fetches += 1
            if request.query.get("corpid") != self.corp_id:
                return _error(40013, "invalid corpid")
            if request.query.get("corpsecret") != self.secret:
                return _error(40001, "invalid credential")
            token = f"fake-token-{next(self._token_numbers)}"
            self._valid_tokens[token] = time.monotonic() + self.token_lifetime_seconds
            self._changed.notify_all()
        return web.json_response(
            {
                "errcode": 0,
                "errmsg": "ok",
                "access_token": token,
                "expires_in": self.token_lifetime_seconds,
            }
        )

    async def _message_send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        try:
            body = await request.json()
        except ValueError:
            return _error(40000, "invalid json")
        with self._changed:
            self.send_attempts.append({"access_token": token, "body": body})
            self._changed.notify_all()
            expires_at = self._valid_tokens.get(token)
            if token in self._expired_tokens or (
                expires_at is not None and time.monotonic() >= expires_at
            ):
                return _error(42001, "access_token expired")
            if expires_at is None:
                return _error(40014, "invalid access_token")
            if self._queued_errors:
                return _error(self._queued_errors.popleft(), "queued failure")
            problem = _check_text_body(body, self.agent_id)
            if problem:
                return _error(*problem)
            self.sent.append(
                SentMessage(
                    touser=body["touser"],
                    content=body["text"]["content"],
                    agentid=body["agentid"],
                    body=body,
                )
            )
            self._changed.notify_all()
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "fake"}
        )


def _check_text_body(body: Any, agent_id: int) -> Optional[tuple]:
    if not isinstance(body, dict) or body.get("msgtype") != "text":
        return 40008, "invalid message type"
    if body.get("agentid") != agent_id:
        return 40056, "invalid agentid"
    if not body.get("touser"):
        return 40031, "invalid user list"
    content = (body.get("text") or {}).get("content")
    if not isinstance(content, str) or not content:
        return 44004, "empty content"
    if len(content.encode("utf-8")) > MAX_CONTENT_BYTES:
        return 45002, "content size out of limit"
    return None


def _error(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})
