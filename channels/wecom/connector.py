"""Rasa input channel for a WeCom (企业微信) self-built app.

Callbacks are verified and decrypted, answered at once with an empty 200 (WeCom
retries after 5 s), de-duplicated, and the Rasa turn runs in the background; its
replies go out as one text message through `message/send`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Set, Text

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.shared_redis import client_from_env, key_prefix_from_env
from channels.wecom.api import WeComApiClient, WeComApiError
from channels.wecom.crypto import (
    CallbackCrypto,
    CallbackError,
    ForgedSignatureError,
    MalformedCallbackError,
    WrongReceiverError,
)
from channels.wecom.dedupe import Deduplicator, SharedClaims
from channels.wecom.menus import Menus
from channels.wecom.messages import IncomingMessage, parse_message
from channels.wecom.render import (
    RenderedTurn,
    button_choice,
    render_turn,
    split_for_wecom,
)
from channels.wecom.settings import WeComSettings
from channels.wecom.user_locks import UserLocks

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# Sent to Rasa as the member's message when they open the app: welcome + menu.
ENTER_AGENT_TEXT = "/help"
TURN_FAILED_TEXT = "抱歉，系统刚才出了点问题，请稍后再发一次。"
UNSUPPORTED_TYPE_TEXT = "目前只能处理文字消息，请直接输入文字回复。"
TRUSTED_IP_ERRCODE = 60020
MAX_BODY_BYTES = 64 * 1024


class WeComInput(InputChannel):
    """`channels.wecom.WeComInput` in credentials.yml; settings from WECOM_* env vars."""

    @classmethod
    def name(cls) -> Text:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeComInput":
        return cls(WeComSettings.from_sources(credentials))

    def __init__(
        self,
        settings: Optional[WeComSettings] = None,
        *,
        api_client: Optional[WeComApiClient] = None,
        deduplicator: Optional[Deduplicator] = None,
        shared_claims: Optional[SharedClaims] = None,
        menus: Optional[Menus] = None,
    ) -> None:
        self.settings = settings or WeComSettings.from_sources()
        self.problems = self.settings.problems()
        self._crypto: Optional[CallbackCrypto] = None
        if self.problems:
            logger.warning(
                "WeCom channel not configured (%s): its routes answer 503",
                "; ".join(self.problems),
            )
        else:
            self._crypto = CallbackCrypto(
                self.settings.token, self.settings.aes_key, self.settings.corp_id
            )
        self._api = api_client
        self._dedupe = deduplicator or Deduplicator()
        # Across replicas (Redis from the REDIS_* env vars); memory above answers retries fast.
        self._redis = client_from_env()
        prefix = key_prefix_from_env()
        self._claims = shared_claims or (
            SharedClaims(self._redis, prefix) if self._redis is not None else None
        )
        self._menus = menus or Menus(self._redis, prefix)
        self._user_locks = UserLocks()
        self._tasks: Set[asyncio.Task] = set()

    @property
    def api_client(self) -> WeComApiClient:
        if self._api is None:
            self._api = WeComApiClient.from_settings(self.settings)
        return self._api

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        wecom_webhook = Blueprint("wecom_webhook")

        @wecom_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if self._crypto is None:
                return self._not_configured()
            return response.json({"status": "ok"})

        @wecom_webhook.route("/webhook", methods=["GET"])
        async def verify_url(request: Request) -> HTTPResponse:
            if self._crypto is None:
                return self._not_configured()
            try:
                signature, timestamp, nonce = _signed_params(request)
                echostr = _required_arg(request, "echostr")
                plaintext = self._crypto.verify_url(
                    signature, timestamp, nonce, echostr
                )
            except CallbackError as error:
                return _refuse(error)
            except Exception:  # never a 500: WeCom would keep the URL unverified
                logger.exception("WeCom URL verification failed unexpectedly")
                return response.text("bad request", status=400)
            return response.text(plaintext)

        @wecom_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self._crypto is None:
                return self._not_configured()
            try:
                signature, timestamp, nonce = _signed_params(request)
                if len(request.body) > MAX_BODY_BYTES:
                    raise MalformedCallbackError("body too large")
                plaintext = self._crypto.decrypt_callback(
                    request.body, signature, timestamp, nonce
                )
                message = parse_message(plaintext)
                self.accept(message, on_new_message)
            except CallbackError as error:
                return _refuse(error)
            except Exception:
                logger.exception("WeCom callback failed unexpectedly")
                return response.text("bad request", status=400)
            # Empty 200 at once: WeCom neither shows it nor retries.
            return response.text("")

        @wecom_webhook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.close()

        return wecom_webhook

    def accept(self, message: IncomingMessage, on_new_message: OnNewMessage) -> bool:
        """Starts the background turn for a new message; False for a retry/ignored."""
        if not self._dedupe.first_time(message.dedupe_key):
            logger.info("WeCom retry of %s ignored", message.dedupe_key)
            return False
        if message.is_text and not message.content:
            return False
        if message.is_text or message.is_enter_agent:
            self._start(self._run_turn(message, on_new_message))
            return True
        if message.msg_type != "event":
            self._start(self._send_note(message.from_user, UNSUPPORTED_TYPE_TEXT))
            return True
        logger.debug("WeCom event %r ignored", message.event)
        return False

    async def wait_idle(self) -> None:
        """Waits until every background turn (and its sending) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, timeout_seconds: float = 10.0) -> None:
        try:
            await asyncio.wait_for(self.wait_idle(), timeout_seconds)
        except asyncio.TimeoutError:
            logger.warning(
                "WeCom: %d turns still running at shutdown", len(self._tasks)
            )
        if self._api is not None:
            await self._api.close()
        if self._redis is not None:
            await self._redis.close()

    def _start(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        # Keep a reference: the loop holds tasks only weakly.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_turn(
        self, message: IncomingMessage, on_new_message: OnNewMessage
    ) -> None:
        user_id = message.from_user
        if self._claims is not None and not await self._claims.claim(
            message.dedupe_key
        ):
            logger.info(
                "WeCom retry of %s taken by another replica", message.dedupe_key
            )
            return
        async with self._user_locks.hold(user_id):
            collector = CollectingOutputChannel()
            user_message = UserMessage(
                text=await self._rasa_text(message),
                output_channel=collector,
                sender_id=user_id,
                input_channel=self.name(),
                message_id=message.msg_id,
                metadata={
                    "wecom": {
                        "msg_id": message.msg_id,
                        "create_time": message.create_time,
                        "agent_id": message.agent_id,
                    }
                },
            )
            try:
                await on_new_message(user_message)
                turn = render_turn(collector.messages)
            except Exception:
                logger.exception("Rasa turn for WeCom user %s failed", user_id)
                turn = RenderedTurn(text=TURN_FAILED_TEXT)
            await self._menus.remember(user_id, turn.buttons)
            await self._send(user_id, turn.text)

    async def _send_note(self, user_id: str, text: str) -> None:
        async with self._user_locks.hold(user_id):  # after any running turn's reply
            await self._send(user_id, text)

    async def _rasa_text(self, message: IncomingMessage) -> str:
        if message.is_enter_agent:
            return ENTER_AGENT_TEXT
        menu = await self._menus.get(message.from_user)
        return button_choice(message.content, menu) or message.content

    async def _send(self, user_id: str, text: str) -> None:
        """Sends a turn: one message, more only when it exceeds 2048 bytes."""
        for chunk in split_for_wecom(text):
            try:
                await self.api_client.send_text(user_id, chunk)
            except WeComApiError as error:
                logger.error(
                    "WeCom %s to %s failed: errcode=%s errmsg=%s%s",
                    error.api,
                    user_id,
                    error.errcode,
                    error.errmsg,
                    " (add this server's IP to 企业可信IP)"
                    if error.errcode == TRUSTED_IP_ERRCODE
                    else "",
                )
                return
            except Exception:
                logger.exception("WeCom send to %s failed", user_id)
                return

    def _not_configured(self) -> HTTPResponse:
        env_vars = "、".join(self.settings.problem_env_vars())
        reasons = "; ".join(self.problems)
        return response.text(
            f"企业微信通道尚未配置，请设置或检查环境变量 {env_vars}（详见 docs/wecom.md）。\n"
            f"WeCom channel is not configured: {reasons} (see docs/wecom.md).",
            status=503,
        )


def _refuse(error: CallbackError) -> HTTPResponse:
    if isinstance(error, ForgedSignatureError):
        logger.warning("WeCom callback refused: signature mismatch")
        return response.text("签名校验失败 / signature mismatch", status=403)
    if isinstance(error, WrongReceiverError):
        logger.warning("WeCom callback refused: addressed to another corp id")
        return response.text("企业ID不符 / wrong corp id", status=403)
    logger.warning("WeCom callback refused: %s", error)
    return response.text("请求格式错误 / malformed request", status=400)


def _signed_params(request: Request) -> tuple:
    return tuple(
        _required_arg(request, name) for name in ("msg_signature", "timestamp", "nonce")
    )


def _required_arg(request: Request, name: str) -> str:
    value = request.args.get(name)
    if not value:
        raise MalformedCallbackError(f"missing query parameter {name}")
    return value
