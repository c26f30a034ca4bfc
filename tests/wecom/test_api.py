"""The async API client against the fake WeCom server: token cache and retries."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import pytest
import pytest_asyncio

from channels.wecom.api import WeComApiClient, WeComApiError
from channels.wecom.settings import WeComSettings

from .fake_api import FakeWeComApi


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def client(
    wecom_settings: WeComSettings, clock: FakeClock
) -> AsyncIterator[WeComApiClient]:
    api = WeComApiClient.from_settings(wecom_settings, clock=clock)
    yield api
    await api.close()


async def test_token_is_fetched_once_and_reused(
    client: WeComApiClient, fake_api: FakeWeComApi
) -> None:
    for number in range(3):
        await client.send_text("zhangsan", f"第{number}条")
    assert fake_api.token_fetches == 1
    assert fake_api.contents_to("zhangsan") == ["第0条", "第1条", "第2条"]
    assert fake_api.sent[0].agentid == 1000002


async def test_token_is_refreshed_before_its_lifetime_ends(
    client: WeComApiClient, fake_api: FakeWeComApi, clock: FakeClock
) -> None:
    await client.send_text("zhangsan", "一")
    clock.now += 7200 - 300 - 1  # still inside expires_in minus the margin
    await client.send_text("zhangsan", "二")
    assert fake_api.token_fetches == 1
    clock.now += 2
    await client.send_text("zhangsan", "三")
    assert fake_api.token_fetches == 2


@pytest.mark.parametrize("errcode", [42001, 40014, 40001])
async def test_refused_token_is_refreshed_and_send_retried_once(
    client: WeComApiClient, fake_api: FakeWeComApi, errcode: int
) -> None:
    await client.send_text("zhangsan", "一")
    if errcode == 42001:
        fake_api.expire_tokens()
    else:
        fake_api.fail_next_sends(errcode)
    await client.send_text("zhangsan", "二")
    assert fake_api.token_fetches == 2
    assert len(fake_api.send_attempts) == 3
    assert fake_api.contents_to("zhangsan") == ["一", "二"]


async def test_token_refused_again_after_refresh_is_not_retried_forever(
    client: WeComApiClient, fake_api: FakeWeComApi
) -> None:
    fake_api.fail_next_sends(40014, times=10)
    with pytest.raises(WeComApiError) as raised:
        await client.send_text("zhangsan", "一")
    assert raised.value.errcode == 40014
    assert len(fake_api.send_attempts) == 2
    assert fake_api.token_fetches == 2


@pytest.mark.parametrize("errcode", [60020, 45009, 81013])
async def test_other_errcodes_are_not_retried(
    client: WeComApiClient, fake_api: FakeWeComApi, errcode: int
) -> None:
    fake_api.fail_next_sends(errcode)
    with pytest.raises(WeComApiError) as raised:
        await client.send_text("zhangsan", "一")
    assert raised.value.errcode == errcode
    assert len(fake_api.send_attempts) == 1
    assert fake_api.token_fetches == 1


async def test_wrong_secret_fails_with_gettoken_errcode(
    wecom_settings: WeComSettings, fake_api: FakeWeComApi
) -> None:
    settings = WeComSettings(**{**wecom_settings.__dict__, "secret": "wrong"})
    api = WeComApiClient.from_settings(settings)
    try:
        with pytest.raises(WeComApiError) as raised:
            await api.send_text("zhangsan", "一")
    finally:
        await api.close()
    assert (raised.value.api, raised.value.errcode) == ("gettoken", 40001)
    assert fake_api.send_attempts == []


async def test_concurrent_sends_share_one_token_fetch(
    client: WeComApiClient, fake_api: FakeWeComApi
) -> None:
    fake_api.gettoken_delay_seconds = 0.2  # all senders arrive while it is in flight
    await asyncio.gather(
        *(client.send_text(f"user{number}", "你好") for number in range(10))
    )
    assert fake_api.token_fetches == 1
    assert len(fake_api.sent) == 10


async def test_concurrent_sends_after_expiry_refresh_once(
    client: WeComApiClient, fake_api: FakeWeComApi
) -> None:
    await client.send_text("zhangsan", "预热")
    fake_api.expire_tokens()
    fake_api.gettoken_delay_seconds = 0.2
    await asyncio.gather(
        *(client.send_text(f"user{number}", "你好") for number in range(5))
    )
    assert fake_api.token_fetches == 2
    assert len(fake_api.sent) == 6


async def test_unreachable_server_raises_without_leaking_secret(
    wecom_settings: WeComSettings,
) -> None:
    settings = WeComSettings(
        **{**wecom_settings.__dict__, "api_base": "http://127.0.0.1:9"}
    )
    api = WeComApiClient.from_settings(settings, timeout_seconds=2)
    try:
        with pytest.raises(WeComApiError) as raised:
            await api.send_text("zhangsan", "一")
    finally:
        await api.close()
    assert raised.value.errcode == -1
    assert settings.secret not in str(raised.value)
