"""What readiness checks beyond "the store answers": that it accepts writes (a full Redis answers reads and
refuses writes), how full it is, and who may read the details."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from litestar.connection import ASGIConnection
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from redis.exceptions import OutOfMemoryError

from service.access import hash_key
from service.stores import FallbackStore

PROBE_KEY = "probe:ready"


def _one_line(exc: Exception) -> str:
    if isinstance(exc, OutOfMemoryError):
        return "Redis is out of memory (maxmemory reached): writes are refused"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


async def write_probe(store: Store) -> str | None:
    """Write a short-lived key and read it back; the error text when the store refuses, None when it works.
    A Redis at maxmemory with noeviction fails here with "OOM command not allowed"."""
    target = store.primary if isinstance(store, FallbackStore) else store
    try:
        await target.set(PROBE_KEY, b"1", expires_in=10)
        if await target.get(PROBE_KEY) != b"1":
            return "a written probe key did not read back"
    except Exception as exc:
        return _one_line(exc)
    return None


async def redis_memory(store: Store) -> str:
    """Redis memory use against maxmemory, for the readiness details ("" when not Redis or not known)."""
    target = store.primary if isinstance(store, FallbackStore) else store
    if not isinstance(target, RedisStore):
        return ""
    try:
        info: dict[str, Any] = await target._redis.info("memory")
    except Exception:
        return ""
    used, limit = int(info.get("used_memory", 0)), int(info.get("maxmemory", 0))
    if not limit:
        return f"; memory {used / 2**20:.1f} MiB, no maxmemory"
    share = used / limit
    warn = " (near full: writes will be refused)" if share >= 0.95 else ""
    return f"; memory {used / 2**20:.1f} of {limit / 2**20:.1f} MiB ({share:.0%}), {info.get('maxmemory_policy')}{warn}"


def may_see_details(connection: ASGIConnection[Any, Any, Any, Any], key_hashes: list[str]) -> bool:
    """Details (errors, hosts, model paths) go to callers with a valid API key when keys are on, and to
    loopback callers when they are off. Behind a proxy uvicorn takes the client from X-Forwarded-For (from
    forwarded_allow_ips), so a proxy on the same host does not make every caller local."""
    if key_hashes:
        header = connection.headers.get("authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else connection.headers.get("x-api-key", "")
        if not key:
            return False
        digest = hash_key(key)
        # Every hash is compared, in constant time, so the answer's timing says nothing about the keys.
        return any([hmac.compare_digest(digest, h.lower()) for h in key_hashes])
    host = connection.client.host if connection.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
