"""Channel state shared through the cluster's Redis, as the replicas configure it.

Runs before test_faults.py (file order): the replica kill there may leave rasa2 down.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Tuple

import aiohttp
import pytest
import redis.asyncio

from channels.shared_redis import redis_url_from_env
from channels.wecom.dedupe import SharedClaims

pytestmark = pytest.mark.cluster


async def test_wecom_retries_are_claimed_once_across_replicas(cluster, report):
    url = redis_url_from_env(cluster.env)
    assert url is not None, "cluster.env has no REDIS_HOST"
    clients = [redis.asyncio.Redis.from_url(url) for _ in range(2)]
    replicas = [SharedClaims(c, cluster.env["REDIS_KEY_PREFIX"]) for c in clients]
    try:
        msg_id = uuid.uuid4().hex
        # The first try and three retries arrive at the same moment on both replicas.
        claims = await asyncio.gather(
            *(replicas[n % 2].claim(msg_id) for n in range(8))
        )
        fresh = await replicas[1].claim(uuid.uuid4().hex)
        report(f"8 simultaneous claims of one callback on 2 replicas → {claims}")
        assert claims.count(True) == 1
        assert fresh is True
    finally:
        for client in clients:
            await client.close()


async def _login(url: str, staff_no: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url + "/web/api/login", json={"staff_no": staff_no, "name": "两个窗口"}
        ) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["token"]


async def _tab(url: str, token: str) -> Tuple[Any, asyncio.Queue]:
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    inbox: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: inbox.put_nowait(data))
    await client.connect(
        url, transports=["websocket"], auth={"token": token}, wait_timeout=30
    )
    await client.emit("session_request", {})
    return client, inbox


async def test_a_second_tab_on_another_replica_sees_the_replies(cluster, report):
    """A trainee's tabs (or a reconnect) may land on different replicas behind the balancer."""
    staff_no = "TAB" + uuid.uuid4().hex[:6].upper()
    token = await _login(cluster.url, staff_no)
    first, first_inbox = await _tab(cluster.replica_url(1), token)
    second, second_inbox = await _tab(cluster.replica_url(2), token)
    try:
        await asyncio.sleep(0.5)
        await first.emit("user_uttered", {"message": "/help"})
        mine = await asyncio.wait_for(first_inbox.get(), 30)
        other = await asyncio.wait_for(second_inbox.get(), 30)
        report(
            "reply to a message sent on rasa1 reached the tab on rasa2: "
            f"{str(other.get('text', ''))[:30]}…"
        )
        assert other == mine
    finally:
        await first.disconnect()
        await second.disconnect()
