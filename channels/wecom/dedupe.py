"""Bounded time-to-live memory of callbacks already taken, so WeCom's retries score once."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, TypeVar

import redis
import redis.asyncio

logger = logging.getLogger(__name__)

# WeCom retries a slow callback 3 times within about 15 s; keep keys well beyond that.
DEFAULT_TTL_SECONDS = 600.0
DEFAULT_MAX_ENTRIES = 10_000

Value = TypeVar("Value")


class TtlCache(Generic[Value]):
    """Insertion-ordered map whose entries expire after `ttl_seconds`.

    The oldest entries are dropped first when `max_entries` is reached, so memory
    stays bounded however many members write at once.
    """

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0 or max_entries <= 0:
            raise ValueError("ttl_seconds and max_entries must be positive")
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: "OrderedDict[Hashable, tuple[float, Value]]" = OrderedDict()

    def __len__(self) -> int:
        self._drop_expired()
        return len(self._entries)

    def get(self, key: Hashable) -> Optional[Value]:
        self._drop_expired()
        entry = self._entries.get(key)
        return entry[1] if entry else None

    def set(self, key: Hashable, value: Value) -> None:
        self._drop_expired()
        self._entries.pop(key, None)
        self._entries[key] = (self._clock() + self._ttl, value)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def pop(self, key: Hashable) -> Optional[Value]:
        entry = self._entries.pop(key, None)
        return entry[1] if entry else None

    def _drop_expired(self) -> None:
        now = self._clock()
        while self._entries:
            oldest_key, (expires_at, _) = next(iter(self._entries.items()))
            if expires_at > now:
                break
            del self._entries[oldest_key]


class Deduplicator(TtlCache[bool]):
    """Says whether a callback key is new; check-and-mark is one synchronous step,
    so concurrent retries on the same event loop cannot both pass."""

    def first_time(self, key: Hashable) -> bool:
        if self.get(key):
            return False
        self.set(key, True)
        return True


class SharedClaims:
    """Takes each callback key once across replicas (Redis ``SET key 1 NX EX ttl``).

    Behind a load balancer WeCom's retry of a callback may reach another replica, whose memory
    has not seen it. Without Redis the turn goes ahead: Rasa's lock store shares that Redis, so
    the turn then fails with a clear message anyway, and losing a message is worse than the
    rare retry scored twice.
    """

    def __init__(
        self,
        client: "redis.asyncio.Redis",
        prefix: str,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
    ) -> None:
        self._client = client
        self._prefix = f"{prefix}:wecom:callback:"
        self._ttl = max(1, int(ttl_seconds))

    async def claim(self, key: Hashable) -> bool:
        try:
            taken = await self._client.set(
                f"{self._prefix}{key}", "1", nx=True, ex=self._ttl
            )
        except (redis.RedisError, OSError) as error:
            logger.warning("WeCom: shared de-duplication unavailable (%s)", error)
            return True
        return bool(taken)
