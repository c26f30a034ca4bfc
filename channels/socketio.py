"""Rasa's socket.io channel, fixed for python-socketio 5.10+ and bound to the trainee's token.

Rasa 3.6.21 calls ``sio.enter_room(...)`` without ``await`` (RasaHQ/rasa#13027). Since
python-socketio 5.10 that is a coroutine, so with ``session_persistence: true`` the socket
never joins its session's room and every bot reply, sent to that room, is lost. This
channel awaits it.

It also decides who is talking: the sender id is the staff number inside the signed
token the trainee got from ``POST /web/api/login`` (channels.web.identity), passed in the
socket.io ``auth`` data or the ``session_request`` data. A socket without a valid token
gets a ``session_error`` event and is not served; a session id the client sends is
ignored, so nobody can write into another trainee's conversation. Every socket of one
trainee joins the same room, so a reload, a second tab or a dropped network resumes the
same conversation.

Each bot message goes out as ONE ``bot_uttered`` event that keeps text, buttons
(``quick_replies``, as rasa-webchat expects) and the structured ``custom`` payload together.

A message that cannot be handled is answered, to the socket that sent it only, with a
``message_error`` event ``{"code", "message", "message_id"}``: the REST channel's checks
(channels.message_checks: empty, too long, too fast) and, when Redis, PostgreSQL or the action
server fail (channels.rasa_patches), ``unavailable`` with "please resend". Without it
python-socketio would only log the exception and the trainee would wait for a reply forever.

credentials.yml::

    channels.socketio.PersistentSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer
from socketio.exceptions import ConnectionRefusedError

from channels.message_checks import (
    TOO_FAST_TEXT,
    UNAVAILABLE_TEXT,
    RequestProblem,
    SenderRateLimiter,
    check_message_id,
    clean_text,
)
from channels.shared_redis import key_prefix_from_env, redis_url_from_env
from channels.web.identity import load_secret, verify_token

logger = logging.getLogger(__name__)

SESSION_ERROR_EVT = "session_error"
INVALID_TOKEN = {
    "code": "invalid_token",
    "message": "登录信息无效或已过期,请重新输入工号和姓名。",
}
NO_SESSION = {
    "code": "no_session",
    "message": "连接尚未登录,请刷新页面后重试。",
}
MESSAGE_ERROR_EVT = "message_error"
NO_TEXT = "没有收到文字内容,请输入要说的话后再发送。"


def read_message(data: Dict[Text, Any]) -> Tuple[str, Optional[str]]:
    """The text and the client's message id of a user_uttered payload; raises RequestProblem."""
    message_id = check_message_id(data.get("message_id"))
    text = data.get("message")
    if not isinstance(text, str):
        raise RequestProblem(400, "missing_message", NO_TEXT)
    return clean_text(text), message_id


def echoed_id(value: Any) -> Optional[str]:
    """The client's message id to send back with an error, if it is a usable one."""
    try:
        return check_message_id(value)
    except RequestProblem:
        return None


def read_metadata(value: Any) -> Dict[Text, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        # A deeply nested "[[[[…" raises RecursionError, not ValueError.
        except (ValueError, RecursionError):
            return {}
    return value if isinstance(value, dict) else {}


def shared_rooms_from_env() -> Optional[AsyncRedisManager]:
    """Rooms shared by all replicas through the lock store's Redis, when there is one.

    Behind a load balancer a trainee's second tab, or a socket that reconnected, may sit on
    another replica than the one handling the message; replies to the trainee's room then
    reach it through Redis. Each emit is delivered locally first, so a Redis outage costs
    only the other replicas' copies. One replica (``make run``) keeps rooms in memory.
    """
    url = redis_url_from_env()
    if url is None:
        return None
    return AsyncRedisManager(url, channel=f"{key_prefix_from_env()}:socketio")


class PersistentSocketIOOutput(SocketIOOutput):
    """Sends each bot message as one event to the trainee's room."""

    def __init__(
        self, sio: AsyncServer, bot_message_evt: Text, namespace: Optional[Text] = None
    ) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await self.sio.emit(
            self.bot_message_evt, response, room=socket_id, namespace=self.namespace
        )

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        payload: Dict[Text, Any] = {}
        if message.get("text"):
            payload["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            payload["quick_replies"] = [
                {
                    "content_type": "text",
                    "title": button.get("title", ""),
                    "payload": button.get("payload", ""),
                }
                for button in buttons
            ]
        for key in ("custom", "image", "attachment", "elements"):
            if message.get(key):
                payload[key] = message[key]
        if payload:
            await self._send_message(recipient_id, payload)

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        # The stock channel spreads the payload into emit()'s keyword arguments.
        await self._send_message(recipient_id, {"custom": json_message})


class PersistentSocketIOInput(SocketIOInput):
    """socket.io input whose sessions are the trainees' staff numbers."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._secret: Optional[bytes] = None
        # Per staff number and replica, as the REST channel's.
        self.rate_limiter = SenderRateLimiter()

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_secret()
        return self._secret

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return PersistentSocketIOOutput(self.sio, self.bot_message_evt, self.namespace)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        # Same server options as the stock channel: the Sanic CORS setup handles origins.
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=[],
            client_manager=shared_rooms_from_env(),
        )
        socketio_webhook = SocketBlueprint(
            sio, self.socketio_path, "socketio_webhook", __name__
        )
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def staff_no_of(sid: Text) -> Optional[str]:
            session = await sio.get_session(sid, namespace=namespace)
            return session.get("staff_no")

        async def to_socket(sid: Text, event: Text, data: Any) -> None:
            # The socket is on this replica: no detour through Redis, and it works when
            # Redis is down (which is when message_error matters most).
            await sio.emit(
                event, data, room=sid, namespace=namespace, ignore_queue=True
            )

        async def refuse(sid: Text, error: Dict[str, str]) -> None:
            await to_socket(sid, SESSION_ERROR_EVT, error)

        @sio.on("connect", namespace=namespace)
        async def connect(
            sid: Text, environ: Dict, auth: Optional[Dict] = None
        ) -> bool:
            token = auth.get("token") if isinstance(auth, dict) else None
            if token is not None:
                staff_no = verify_token(token, self.secret)
                if staff_no is None:
                    # socket.io-client gets Error(message) with .data = INVALID_TOKEN.
                    raise ConnectionRefusedError(
                        INVALID_TOKEN["message"], INVALID_TOKEN
                    )
                await sio.save_session(sid, {"staff_no": staff_no}, namespace=namespace)
                # Joined at once, so no reply is missed before the session_request.
                await sio.enter_room(sid, staff_no, namespace=namespace)
            logger.debug("socket %s connected", sid)
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: Text, *_: Any) -> None:
            logger.debug("socket %s disconnected", sid)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            staff_no = await staff_no_of(sid)
            if data.get("token") is not None:
                staff_no = verify_token(data["token"], self.secret)
            if staff_no is None:
                await refuse(sid, INVALID_TOKEN)
                return
            await sio.save_session(sid, {"staff_no": staff_no}, namespace=namespace)
            # The fix for RasaHQ/rasa#13027: without the await the room is never joined.
            await sio.enter_room(sid, staff_no, namespace=namespace)
            await to_socket(sid, "session_confirm", staff_no)
            logger.debug("socket %s joined the session of %s", sid, staff_no)

        async def report(
            sid: Text, code: str, text: str, message_id: Optional[str]
        ) -> None:
            error = {"code": code, "message": text, "message_id": message_id}
            await to_socket(sid, MESSAGE_ERROR_EVT, error)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None, *_: Any) -> None:
            data = data if isinstance(data, dict) else {}
            staff_no = await staff_no_of(sid)
            if staff_no is None:
                await refuse(sid, NO_SESSION)
                return
            try:
                text, message_id = read_message(data)
            except RequestProblem as problem:
                await report(
                    sid,
                    problem.code,
                    problem.message,
                    echoed_id(data.get("message_id")),
                )
                return
            if not self.rate_limiter.allow(staff_no):
                await report(sid, "too_fast", TOO_FAST_TEXT, message_id)
                return
            message = UserMessage(
                text,
                PersistentSocketIOOutput(sio, self.bot_message_evt, namespace),
                staff_no,
                input_channel=self.name(),
                metadata=read_metadata(data.get(self.metadata_key)),
                message_id=message_id,
            )
            try:
                await on_new_message(message)
            except Exception:  # Redis, PostgreSQL, action server: the trainee resends
                logger.exception("socket.io message from %s failed", staff_no)
                await report(sid, "unavailable", UNAVAILABLE_TEXT, message_id)

        return socketio_webhook
