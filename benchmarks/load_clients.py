"""Simulated trainees for the load test: transports (REST, socket.io) and scenario play.

A trainee plays whole scenarios as a person would: starts one by payload, answers every customer
line (mostly with the manual's standard wording, sometimes poorly, now and then asks for a
hint), waits a moment between turns, and keeps a log of what it sent so the tracker store and the
records can be checked afterwards.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Protocol

import aiohttp

from tests.e2e.play import good_reply

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15 passes aiohttp>=3.10's ClientWSTimeout(ws_close=…) to ws_connect;
    # rasa pins aiohttp 3.9, whose ws_connect takes that close timeout as a plain float.
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close  # type: ignore[attr-defined]

BAD_REPLIES = (
    "嗯,随便你。",
    "这个我也不太清楚。",
    "你自己看吧。",
    "价格就这样,爱买不买。",
    "等一下,我先忙完手上的。",
)
HINT_PAYLOAD = "/request_hint"
PROGRESS = re.compile(r"第(\d+)/(\d+)轮")
REPORT_MARKERS = ("【练习报告】", "【考试报告】")
# The app's answer when the database could not store a reply or start a scenario.
RESEND_MARKER = "重新发送"
# A message that got no answer (replica gone, 502/503, dropped socket) is sent again this often
# at most, after 1, 2, 3… seconds: ~15 s in all, the lock lifetime of a replica that died.
MAX_RESENDS = 5
RESEND_PAUSE_SECONDS = 1.0
# Reading the customer's line and deciding, before typing starts (or before tapping a button).
REACTION_SECONDS = (1.0, 3.0)


class TurnFailed(Exception):
    """A turn that got no usable answer; `kind` names the error class in the report."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass
class Sent:
    text: str
    message_id: Optional[str]
    scored: bool  # a reply the records must hold (not a command)
    delivered: bool = False  # answered; a message that failed must leave no trace


@dataclass
class TraineeLog:
    """What one simulated trainee did, for the statistics and the consistency checks."""

    sender: str
    transport: str
    sent: List[Sent] = field(default_factory=list)
    latencies_ms: List[float] = field(default_factory=list)
    errors: Dict[str, int] = field(default_factory=dict)
    resends: int = 0
    scenarios_finished: int = 0
    walked_out: int = 0
    error_samples: List[str] = field(default_factory=list)

    def error(self, failure: TurnFailed) -> None:
        self.errors[failure.kind] = self.errors.get(failure.kind, 0) + 1
        if len(self.error_samples) < 3:
            self.error_samples.append(f"{failure.kind}: {failure.detail[:200]}")


class Transport(Protocol):
    name: str
    sender: str

    async def open(self) -> None:
        ...

    async def send(self, text: str, message_id: str) -> List[dict]:
        ...

    async def close(self) -> None:
        ...


class RestTransport:
    """POST /webhooks/rest/webhook; resends (same message_id) when no answer came back."""

    name = "rest"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        sender: str,
        log: TraineeLog,
        timeout: float = 120.0,
    ) -> None:
        self.session = session
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self.sender = sender
        self.log = log
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def open(self) -> None:
        return None

    async def send(self, text: str, message_id: str) -> List[dict]:
        body = {"sender": self.sender, "message": text, "message_id": message_id}
        last = ""
        for attempt in range(MAX_RESENDS + 1):
            if attempt:
                self.log.resends += 1
                body["resend"] = True
                await asyncio.sleep(RESEND_PAUSE_SECONDS * attempt)
            try:
                async with self.session.post(
                    self.url, json=body, timeout=self.timeout
                ) as resp:
                    payload = await resp.text()
                    if resp.status == 200:
                        return json.loads(payload)
                    last = f"HTTP {resp.status} {payload[:200]}"
                    # 502/503/504: nothing (or nothing complete) was stored; 429: the
                    # previous message of this conversation is still being handled. Resend.
                    if resp.status not in (429, 502, 503, 504):
                        raise TurnFailed(f"http_{resp.status}", payload[:300])
            except asyncio.TimeoutError as error:
                raise TurnFailed("timeout", str(error)) from error
            except aiohttp.ClientError as error:
                last = f"{type(error).__name__}: {error}"
        raise TurnFailed("no_answer_after_resends", last)

    async def close(self) -> None:
        return None


class SocketIOTransport:
    """Rasa's socket.io protocol: `user_uttered` out, `bot_uttered` back.

    With `login` (the trainee channel, channels/socketio.py) the trainee first gets a signed
    token from `POST /web/api/login` and the conversation is filed under the staff number;
    without it (Rasa's stock channel) under the socket id. A turn is complete when a message
    with buttons arrives: every practice turn ends with the customer's next line or the report,
    both of which carry buttons. Pure WebSocket transport, so a load balancer needs no sticky
    sessions for it. A dropped connection is re-opened (through the balancer, so possibly to
    another replica) and an unanswered message sent again, as the web widget does.
    """

    name = "socketio"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        sender: str,
        log: TraineeLog,
        timeout: float = 120.0,
        login: bool = True,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.sender = sender
        self.log = log
        self.timeout = timeout
        self.login = login
        self.token: Optional[str] = None
        self.client = None
        self.inbox: asyncio.Queue = asyncio.Queue()

    async def _token(self) -> str:
        url = self.base_url + "/web/api/login"
        body = {"staff_no": self.sender, "name": "压测学员"}
        try:
            async with self.session.post(url, json=body) as resp:
                payload = await resp.text()
                if resp.status != 200:
                    raise TurnFailed(f"login_http_{resp.status}", payload[:200])
                return json.loads(payload)["token"]
        except aiohttp.ClientError as error:
            raise TurnFailed("login", repr(error)) from error

    async def open(self) -> None:
        if self.login:
            self.token = await self._token()
        await self._connect()

    async def _connect(self) -> None:
        import socketio

        client = socketio.AsyncClient(reconnection=False)
        inbox = self.inbox

        async def received(data: dict) -> None:
            await inbox.put(data)

        async def refused(data: dict) -> None:
            await inbox.put({"session_error": data})

        async def dropped(*_: object) -> None:
            await inbox.put({"disconnected": True})

        confirmed = asyncio.get_running_loop().create_future()

        def on_confirm(data: object) -> None:
            if not confirmed.done():
                confirmed.set_result(data)

        client.on("bot_uttered", received)
        client.on("session_error", refused)
        client.on("disconnect", dropped)
        client.on("session_confirm", on_confirm)
        self.client = client
        try:
            await client.connect(
                self.base_url,
                transports=["websocket"],
                socketio_path="/socket.io",
                auth={"token": self.token} if self.token else None,
                wait_timeout=30,
            )
            await client.emit("session_request", {"session_id": self.sender})
            confirmation = await asyncio.wait_for(confirmed, 30)
        except asyncio.TimeoutError as error:
            raise TurnFailed("socketio_session", "no session_confirm") from error
        except Exception as error:  # socketio raises its own ConnectionError type
            raise TurnFailed("socketio_connect", repr(error)) from error
        # The trainee channel confirms the staff number; the stock one files the
        # conversation under the socket id.
        self.sender = str(confirmation) if self.login else client.get_sid()
        self.log.sender = self.sender

    async def _reconnect(self) -> None:
        if not self.login:
            raise TurnFailed("socketio_disconnected", "stock channel: new socket id")
        if self.client is not None and self.client.connected:
            await self.client.disconnect()
        self.log.resends += 1
        await asyncio.sleep(RESEND_PAUSE_SECONDS)
        await self._connect()

    async def send(self, text: str, message_id: str) -> List[dict]:
        while not self.inbox.empty():  # late extras of the previous turn
            self.inbox.get_nowait()
        if self.client is None or not self.client.connected:
            await self._reconnect()
        payload = {"message": text, "session_id": self.sender}
        await self.client.emit("user_uttered", payload)
        messages: List[dict] = []
        deadline = time.monotonic() + self.timeout
        resends = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TurnFailed("timeout", f"{len(messages)} messages, no buttons")
            try:
                message = await asyncio.wait_for(self.inbox.get(), remaining)
            except asyncio.TimeoutError:
                continue
            if "session_error" in message:
                raise TurnFailed("socketio_session", str(message["session_error"]))
            if "disconnected" in message:
                if resends >= MAX_RESENDS:
                    raise TurnFailed("socketio_disconnected", "gave up reconnecting")
                resends += 1
                await self._reconnect()
                messages.clear()
                await self.client.emit("user_uttered", payload)
                continue
            messages.append(message)
            if message.get("quick_replies") or message.get("buttons"):
                return messages

    async def close(self) -> None:
        if self.client is not None and self.client.connected:
            await self.client.disconnect()


def texts(messages: List[dict]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


@dataclass(frozen=True)
class PlayStyle:
    """How a simulated trainee plays.

    With ``typing_cps`` set, the pause before a message is the time a person needs to type it
    (its length at that many characters a second) plus a reaction of 1–3 s; a button (hint,
    next scenario) is a reaction only. Without it, every pause is ``think_seconds`` ±50%: a
    fixed rate of turns for stress runs.
    """

    bad_rate: float = 0.25
    hint_rate: float = 0.1
    exam_rate: float = 0.2
    think_seconds: float = 1.0
    typing_cps: Optional[float] = None

    def pause_before(self, text: str, rng: random.Random) -> float:
        if self.typing_cps:
            typing = 0.0 if text.startswith("/") else len(text) / self.typing_cps
            return typing + rng.uniform(*REACTION_SECONDS)
        mean = self.think_seconds
        return rng.uniform(0.5 * mean, 1.5 * mean) if mean > 0 else 0.0


class Trainee:
    """One simulated trainee on one transport."""

    def __init__(
        self,
        transport: Transport,
        log: TraineeLog,
        scenarios: dict,
        style: PlayStyle,
        rng: random.Random,
    ) -> None:
        self.transport = transport
        self.log = log
        self.scenarios = scenarios
        self.style = style
        self.rng = rng

    async def think(self, text: str = "/") -> None:
        """Wait as long as the trainee takes to send ``text`` (a button by default)."""
        pause = self.style.pause_before(text, self.rng)
        if pause > 0:
            await asyncio.sleep(pause)

    async def turn(self, text: str, scored: bool) -> List[dict]:
        message_id = uuid.uuid4().hex
        sent = Sent(text, message_id, scored)
        self.log.sent.append(sent)
        start = time.perf_counter()
        messages = await self.transport.send(text, message_id)
        self.log.latencies_ms.append((time.perf_counter() - start) * 1000)
        sent.delivered = True
        if not messages:
            raise TurnFailed("empty_answer", text)
        return messages

    async def turn_or_resend(self, text: str, scored: bool) -> List[dict]:
        """A turn; when the app asks for the message again, the trainee sends it again."""
        for attempt in range(1, MAX_RESENDS + 1):
            messages = await self.turn(text, scored)
            if RESEND_MARKER not in texts(messages):
                return messages
            self.log.sent[-1].scored = False  # explicitly not stored
            self.log.resends += 1
            await asyncio.sleep(RESEND_PAUSE_SECONDS * attempt)
        raise TurnFailed("resend_asked_repeatedly", text)

    async def play(self, scenario_id: str, deadline: float) -> None:
        scenario = self.scenarios[scenario_id]
        exam = self.rng.random() < self.style.exam_rate
        intent = "start_exam" if exam else "start_practice"
        payload = json.dumps({"scenario_id": scenario_id})
        answer = texts(await self.turn_or_resend(f"/{intent}{payload}", scored=False))
        if scenario.title not in answer:
            raise TurnFailed("unexpected_answer", f"start: {answer[:200]}")
        # Every try costs patience; a scenario cannot take more messages than this.
        budget = len(scenario.turns) * (scenario.patience + 2) + 4
        for _ in range(budget):
            if any(marker in answer for marker in REPORT_MARKERS):
                self.log.scenarios_finished += 1
                if "顾客离开" in answer:
                    self.log.walked_out += 1
                return
            progress = PROGRESS.findall(answer)
            if not progress:
                raise TurnFailed("unexpected_answer", f"no next line: {answer[:200]}")
            turn = scenario.turns[int(progress[-1][0]) - 1]
            if not exam and self.rng.random() < self.style.hint_rate:
                await self.think(HINT_PAYLOAD)
                if time.monotonic() > deadline:
                    raise TurnFailed("time_limit", scenario_id)
                hint = texts(await self.turn(HINT_PAYLOAD, scored=False))
                if "提示" not in hint:
                    raise TurnFailed("unexpected_answer", f"hint: {hint[:200]}")
                answer += "\n" + hint  # the customer's line is asked again after it
                continue
            if self.rng.random() < self.style.bad_rate:
                reply = self.rng.choice(BAD_REPLIES)
            else:
                reply = good_reply(turn.situation, turn.context)
            await self.think(reply)
            if time.monotonic() > deadline:
                raise TurnFailed("time_limit", scenario_id)
            answer = texts(await self.turn_or_resend(reply, scored=True))
            if not exam and "得分" not in answer:
                raise TurnFailed("unscored_reply", f"{reply} → {answer[:200]}")
        raise TurnFailed("scenario_too_long", scenario_id)
