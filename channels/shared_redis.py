"""The Redis every replica shares when the lock store is Redis (endpoints.prod.yml).

Channels keep a little state of their own — which WeCom callbacks were already taken, which
socket.io sockets belong to a trainee. In one process memory is enough; behind a load balancer
that state must be shared, and the lock store's Redis is already there. The same REDIS_* env
vars configure both, so nothing extra is set up; without REDIS_HOST channels keep memory only.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional
from urllib.parse import quote

import redis.asyncio


def redis_url_from_env(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """redis://… built from REDIS_HOST/PORT/PASSWORD/DB; None when REDIS_HOST is unset."""
    environ = os.environ if environ is None else environ
    host = environ.get("REDIS_HOST", "").strip()
    if not host:
        return None
    port = environ.get("REDIS_PORT", "").strip() or "6379"
    db = environ.get("REDIS_DB", "").strip() or "0"
    password = environ.get("REDIS_PASSWORD", "")
    auth = f":{quote(password, safe='')}@" if password else ""
    return f"redis://{auth}{host}:{port}/{db}"


def key_prefix_from_env(environ: Optional[Mapping[str, str]] = None) -> str:
    """REDIS_KEY_PREFIX (the lock store's), so one Redis can serve several deployments."""
    environ = os.environ if environ is None else environ
    return environ.get("REDIS_KEY_PREFIX", "").strip() or "daogou"


def client_from_env() -> Optional["redis.asyncio.Redis"]:
    """An asyncio client of that Redis, or None without REDIS_HOST.

    Short timeouts: a hung Redis must not hold a turn longer than a channel's caller waits
    (WeCom retries after 5 s).
    """
    url = redis_url_from_env()
    if url is None:
        return None
    return redis.asyncio.Redis.from_url(
        url, socket_timeout=2.0, socket_connect_timeout=2.0
    )
