"""Async WeCom server API client: cached access_token and `message/send` for text.

wechatpy's client is synchronous and would block Rasa's event loop, hence aiohttp.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Dict, Optional, Tuple

import aiohttp

from channels.wecom.settings import WeComSettings

logger = logging.getLogger(__name__)

# invalid credential / invalid access_token / access_token expired: refresh, retry once
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# Refresh this long before WeCom's expires_in, so a token never dies mid-request.
TOKEN_REFRESH_MARGIN_SECONDS = 300.0
REQUEST_TIMEOUT_SECONDS = 10.0
NETWORK_ERRCODE = -1


class WeComApiError(Exception):
    """WeCom answered with a non-zero errcode (or could not be reached: errcode -1)."""

    def __init__(self, errcode: int, errmsg: str, api: str) -> None:
        super().__init__(f"{api} failed: errcode={errcode} errmsg={errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.api = api


class WeComApiClient:
    """One app's API client; safe to share between concurrent turns."""

    def __init__(
        self,
        api_base: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        session: Optional[aiohttp.ClientSession] = None,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin_seconds: float = TOKEN_REFRESH_MARGIN_SECONDS,
        timeout_seconds: float = REQUEST_TIMEOUT_SECONDS,
    ) -> None:
        self._api_base = api_base.rstrip("/")
        self._corp_id = corp_id
        self._secret = secret
        self._agent_id = agent_id
        self._session = session
        self._owns_session = session is None
        self._clock = clock
        self._refresh_margin = refresh_margin_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._token: Optional[str] = None
        self._token_valid_until = 0.0
        self._token_lock = asyncio.Lock()
        self.token_fetches = 0

    @classmethod
    def from_settings(cls, settings: WeComSettings, **kwargs: Any) -> "WeComApiClient":
        return cls(
            settings.api_base,
            settings.corp_id,
            settings.secret,
            settings.agent_id_number,
            **kwargs,
        )

    async def access_token(self, replacing: Optional[str] = None) -> str:
        """A valid token; `replacing` is one WeCom just refused, never returned again.

        Concurrent callers wait on one lock, so only one of them calls gettoken.
        """
        if self._token_usable(replacing):
            return self._token  # type: ignore[return-value]
        async with self._token_lock:
            if not self._token_usable(replacing):
                self._token, lifetime = await self._fetch_token()
                self._token_valid_until = self._clock() + lifetime
            return self._token  # type: ignore[return-value]

    async def send_text(self, user_id: str, content: str) -> Dict[str, Any]:
        """Sends one text message to one member; raises WeComApiError on failure."""
        body = {
            "touser": user_id,
            "msgtype": "text",
            "agentid": self._agent_id,
            "text": {"content": content},
            "safe": 0,
        }
        token = await self.access_token()
        result = await self._call("POST", "message/send", {"access_token": token}, body)
        if result.get("errcode") in TOKEN_ERRCODES:
            logger.info(
                "WeCom refused the access_token (errcode=%s); refreshing once",
                result.get("errcode"),
            )
            token = await self.access_token(replacing=token)
            result = await self._call(
                "POST", "message/send", {"access_token": token}, body
            )
        _raise_for_errcode(result, "message/send")
        if result.get("invaliduser"):
            logger.warning("WeCom did not deliver to %s", result.get("invaliduser"))
        return result

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    def _token_usable(self, replacing: Optional[str]) -> bool:
        return (
            self._token is not None
            and self._token != replacing
            and self._clock() < self._token_valid_until
        )

    async def _fetch_token(self) -> Tuple[str, float]:
        self.token_fetches += 1
        result = await self._call(
            "GET", "gettoken", {"corpid": self._corp_id, "corpsecret": self._secret}
        )
        _raise_for_errcode(result, "gettoken")
        token = result.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeComApiError(NETWORK_ERRCODE, "no access_token in reply", "gettoken")
        expires_in = float(result.get("expires_in") or 7200)
        # Keep at least half the lifetime even when WeCom grants a short one.
        return token, max(expires_in - self._refresh_margin, expires_in / 2)

    async def _call(
        self,
        method: str,
        api: str,
        params: Dict[str, str],
        body: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        url = f"{self._api_base}/cgi-bin/{api}"
        try:
            async with self._get_session().request(
                method, url, params=params, json=body, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise WeComApiError(NETWORK_ERRCODE, f"HTTP {response.status}", api)
                result = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            # str(error) may hold the URL with the secret or token: keep it out of logs
            raise WeComApiError(NETWORK_ERRCODE, type(error).__name__, api) from None
        if not isinstance(result, dict):
            raise WeComApiError(NETWORK_ERRCODE, "reply is not a JSON object", api)
        return result

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session


def _raise_for_errcode(result: Dict[str, Any], api: str) -> None:
    errcode = result.get("errcode", 0)
    if errcode:
        try:
            number = int(errcode)
        except (TypeError, ValueError):
            number = NETWORK_ERRCODE
        raise WeComApiError(number, str(result.get("errmsg", "")), api)
