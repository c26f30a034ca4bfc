"""The numbered menu last shown to each member, so a reply of "2" means its second button.

WeCom text messages cannot carry buttons: the connector numbers them and remembers the menu.
Behind several replicas the member's next message may reach another replica, so with Redis
(REDIS_* env vars, channels/shared_redis.py) the menu is kept there as well; memory answers
when Redis is away, which at worst turns "2" back into plain text.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional

import redis
import redis.asyncio

from channels.wecom.dedupe import TtlCache

logger = logging.getLogger(__name__)

Menu = List[Dict[str, Any]]
MENU_TTL_SECONDS = 24 * 3600.0


class Menus:
    """Per-member menus in memory, and in Redis when a client is given."""

    def __init__(
        self,
        client: Optional["redis.asyncio.Redis"] = None,
        prefix: str = "daogou",
        ttl_seconds: float = MENU_TTL_SECONDS,
    ) -> None:
        self._local: TtlCache[Menu] = TtlCache(ttl_seconds)
        self._client = client
        self._prefix = f"{prefix}:wecom:menu:"
        self._ttl = max(1, int(ttl_seconds))

    async def get(self, user_id: str) -> Menu:
        if self._client is not None:
            try:
                stored = await self._client.get(self._prefix + user_id)
            except (redis.RedisError, OSError) as error:
                logger.warning("WeCom: shared menus unavailable (%s)", error)
            else:
                return json.loads(stored) if stored else []
        return self._local.get(user_id) or []

    async def remember(self, user_id: str, menu: Menu) -> None:
        """Keeps the menu of the latest turn; a turn without buttons forgets it."""
        if menu:
            self._local.set(user_id, menu)
        else:
            self._local.pop(user_id)
        if self._client is None:
            return
        key = self._prefix + user_id
        try:
            if menu:
                await self._client.set(
                    key, json.dumps(menu, ensure_ascii=False), ex=self._ttl
                )
            else:
                await self._client.delete(key)
        except (redis.RedisError, OSError) as error:
            logger.warning("WeCom: shared menus unavailable (%s)", error)
