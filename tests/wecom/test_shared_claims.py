"""Behind a load balancer, WeCom's retry of a callback, or a member's answer to a numbered
menu, may reach another replica than the one that saw the first message."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Dict, Optional

import pytest
import redis.asyncio

from channels.shared_redis import (
    client_from_env,
    key_prefix_from_env,
    redis_url_from_env,
)
from channels.wecom.connector import WeComInput
from channels.wecom.dedupe import SharedClaims
from channels.wecom.menus import Menus
from channels.wecom.messages import parse_message
from channels.wecom.settings import WeComSettings

from .encrypt import text_message_xml
from .harness import StubRasa

USER = "ZhouMin"


class MemoryRedis:
    """The Redis calls SharedClaims and Menus make, with Redis' semantics."""

    def __init__(self) -> None:
        self.values: Dict[str, str] = {}
        self.ttls: Dict[str, int] = {}

    async def set(
        self, key: str, value: str, nx: bool = False, ex: Optional[int] = None
    ) -> Optional[bool]:
        await asyncio.sleep(0)  # let concurrent claims interleave
        if nx and key in self.values:
            return None
        self.values[key] = value
        self.ttls[key] = ex
        return True

    async def get(self, key: str) -> Optional[str]:
        return self.values.get(key)

    async def delete(self, key: str) -> int:
        self.ttls.pop(key, None)
        return 1 if self.values.pop(key, None) is not None else 0


@pytest.mark.parametrize(
    "environ, url",
    [
        ({}, None),
        ({"REDIS_HOST": " "}, None),
        ({"REDIS_HOST": "redis"}, "redis://redis:6379/0"),
        (
            {"REDIS_HOST": "10.0.0.5", "REDIS_PORT": "6380", "REDIS_DB": "2"},
            "redis://10.0.0.5:6380/2",
        ),
        (
            {"REDIS_HOST": "redis", "REDIS_PASSWORD": "p@ss/word:1"},
            "redis://:p%40ss%2Fword%3A1@redis:6379/0",
        ),
    ],
)
def test_redis_url_comes_from_the_lock_store_env_vars(environ, url) -> None:
    assert redis_url_from_env(environ) == url


def test_key_prefix_defaults_to_the_project() -> None:
    assert key_prefix_from_env({}) == "daogou"
    assert key_prefix_from_env({"REDIS_KEY_PREFIX": "store_7"}) == "store_7"


async def test_a_retry_reaching_another_replica_is_handled_once(
    wecom_settings: WeComSettings, fake_api
) -> None:
    shared = MemoryRedis()
    replicas = [
        WeComInput(wecom_settings, shared_claims=SharedClaims(shared, "t"))
        for _ in range(2)
    ]
    rasa = StubRasa()
    xml = text_message_xml(wecom_settings.corp_id, USER, "您好，这款有货", "9001")
    # WeCom's first try and its three retries, alternating between the replicas.
    for attempt in range(4):
        replicas[attempt % 2].accept(parse_message(xml), rasa)
    await asyncio.gather(*(replica.wait_idle() for replica in replicas))
    assert rasa.texts == ["您好，这款有货"]
    assert list(shared.ttls.values()) == [600]
    other = text_message_xml(wecom_settings.corp_id, USER, "好的", "9002")
    replicas[1].accept(parse_message(other), rasa)
    await replicas[1].wait_idle()
    assert rasa.texts == ["您好，这款有货", "好的"]
    for replica in replicas:
        await replica.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_without_redis_the_message_is_not_lost() -> None:
    client = redis.asyncio.Redis(
        host="127.0.0.1", port=_closed_port(), socket_connect_timeout=1.0
    )
    claims = SharedClaims(client, "t")
    started = time.monotonic()
    assert await claims.claim("9003") is True
    assert time.monotonic() - started < 2.0
    await client.close()


def test_no_redis_host_means_memory_only(monkeypatch) -> None:
    monkeypatch.delenv("REDIS_HOST", raising=False)
    assert client_from_env() is None


MENU = [
    {"title": "练习：顾客要求降价", "payload": '/start_practice{"scenario_id":"bargain_1"}'},
    {"title": "考试：顾客投诉", "payload": '/start_exam{"scenario_id":"complaint_1"}'},
]


async def test_a_menu_shown_by_one_replica_is_understood_by_another(
    wecom_settings: WeComSettings, fake_api
) -> None:
    shared = MemoryRedis()
    replicas = [
        WeComInput(
            wecom_settings,
            shared_claims=SharedClaims(shared, "t"),
            menus=Menus(shared, "t"),
        )
        for _ in range(2)
    ]

    def responder(message):
        if message.text == "/help":
            return [{"text": "请选择：", "buttons": MENU}]
        return [{"text": f"收到：{message.text}"}]

    rasa = StubRasa(responder=responder)

    async def send(replica: int, text: str, msg_id: str) -> None:
        xml = text_message_xml(wecom_settings.corp_id, USER, text, msg_id)
        replicas[replica].accept(parse_message(xml), rasa)
        await replicas[replica].wait_idle()

    await send(0, "/help", "9101")
    await send(1, "2", "9102")
    assert rasa.texts[-1] == MENU[1]["payload"]
    # That answer had no buttons: the menu is forgotten on every replica.
    await send(0, "2", "9103")
    assert rasa.texts[-1] == "2"
    assert not [key for key in shared.values if ":wecom:menu:" in key]
    for replica in replicas:
        await replica.close()


async def test_menus_fall_back_to_memory_without_redis() -> None:
    client = redis.asyncio.Redis(
        host="127.0.0.1", port=_closed_port(), socket_connect_timeout=1.0
    )
    menus = Menus(client, "t")
    await menus.remember(USER, MENU)
    assert await menus.get(USER) == MENU
    await menus.remember(USER, [])
    assert await menus.get(USER) == []
    await client.close()
