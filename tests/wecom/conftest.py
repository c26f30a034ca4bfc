"""Fixtures for the WeCom channel tests: official vectors, fake API, served channel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Mapping

import aiohttp
import pytest
import pytest_asyncio

from channels.wecom.connector import WeComInput
from channels.wecom.settings import WeComSettings

from .encrypt import CallbackEncrypter, EncryptedCallback
from .fake_api import FakeWeComApi
from .harness import WEBHOOK_PREFIX, StubRasa, serve_blueprint

VECTORS_PATH = Path(__file__).with_name("vectors.json")
TEST_SECRET = "test-app-secret"
TEST_AGENT_ID = 1000002


@pytest.fixture(scope="session")
def vectors() -> Dict[str, Any]:
    return json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def encrypter(vectors: Mapping[str, Any]) -> CallbackEncrypter:
    return CallbackEncrypter(
        vectors["token"], vectors["encoding_aes_key"], vectors["corp_id"]
    )


@pytest_asyncio.fixture
async def fake_api(vectors: Mapping[str, Any]) -> AsyncIterator[FakeWeComApi]:
    fake = FakeWeComApi(
        corp_id=vectors["corp_id"], secret=TEST_SECRET, agent_id=TEST_AGENT_ID
    )
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def wecom_settings(vectors: Mapping[str, Any], fake_api: FakeWeComApi) -> WeComSettings:
    return WeComSettings(
        corp_id=vectors["corp_id"],
        agent_id=str(TEST_AGENT_ID),
        secret=TEST_SECRET,
        token=vectors["token"],
        aes_key=vectors["encoding_aes_key"],
        api_base=fake_api.base_url,
    )


@pytest.fixture
def stub_rasa() -> StubRasa:
    return StubRasa()


@pytest.fixture
def channel(wecom_settings: WeComSettings) -> WeComInput:
    return WeComInput(wecom_settings)


class WeComClient:
    """Speaks to the served connector the way WeCom's servers do."""

    def __init__(
        self, http: aiohttp.ClientSession, base_url: str, encrypter: CallbackEncrypter
    ) -> None:
        self.http = http
        self.webhook_url = f"{base_url}{WEBHOOK_PREFIX}/webhook"
        self.health_url = f"{base_url}{WEBHOOK_PREFIX}/"
        self.encrypter = encrypter

    async def post(self, callback: EncryptedCallback) -> aiohttp.ClientResponse:
        async with self.http.post(
            self.webhook_url, params=callback.params, data=callback.body.encode()
        ) as response:
            await response.read()
            return response

    async def send_text(
        self, user_id: str, content: str, msg_id: str
    ) -> aiohttp.ClientResponse:
        return await self.post(self.encrypter.text_callback(user_id, content, msg_id))

    async def get(self, params: Mapping[str, str]) -> aiohttp.ClientResponse:
        async with self.http.get(self.webhook_url, params=dict(params)) as response:
            await response.read()
            return response


@pytest_asyncio.fixture
async def wecom(
    channel: WeComInput, stub_rasa: StubRasa, encrypter: CallbackEncrypter
) -> AsyncIterator[WeComClient]:
    async with serve_blueprint(channel.blueprint(stub_rasa)) as base_url:
        async with aiohttp.ClientSession() as http:
            yield WeComClient(http, base_url, encrypter)
    await channel.close()
