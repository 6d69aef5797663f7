"""The stores of the process (digest cache, rate-limit counters) and the fallback that keeps the service
answering when Redis does not."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import structlog
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

log = structlog.get_logger(__name__)


def _seconds(expires_in: int | timedelta | None) -> float | None:
    if expires_in is None:
        return None
    return expires_in.total_seconds() if isinstance(expires_in, timedelta) else float(expires_in)


class BoundedMemoryStore(Store):
    """An in-process store bounded in entries and in bytes (keys plus values), least recently used out first.

    Every operation is a few dict moves with no await in between, so it is atomic on the event loop without a
    lock. Expired entries go when read, or when they reach the old end and are evicted like any other.
    """

    def __init__(self, max_entries: int, max_bytes: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self.evictions = 0
        self._clock = clock
        # key -> (value, expiry on the clock or None); insertion order is recency order (oldest first).
        self._data: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def _drop(self, key: str) -> None:
        entry = self._data.pop(key, None)
        if entry is not None:
            self.bytes -= len(key) + len(entry[0])

    def _live(self, key: str) -> tuple[bytes, float | None] | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] <= self._clock():
            self._drop(key)
            return None
        return entry

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        """Store a value; the least recently used entries leave until both bounds hold."""
        data = value.encode() if isinstance(value, str) else value
        self._drop(key)
        size = len(key) + len(data)
        if size > self.max_bytes:
            return  # larger than the whole store: not kept (a cache may always miss)
        seconds = _seconds(expires_in)
        self._data[key] = (data, None if seconds is None else self._clock() + seconds)
        self.bytes += size
        while len(self._data) > self.max_entries or self.bytes > self.max_bytes:
            oldest = next(iter(self._data))
            self._drop(oldest)
            self.evictions += 1

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        """The value, or None when absent or expired; a read makes the entry the most recently used."""
        entry = self._live(key)
        if entry is None:
            return None
        self._data.move_to_end(key)
        seconds = _seconds(renew_for)
        if seconds and entry[1] is not None:
            self._data[key] = (entry[0], self._clock() + seconds)
        return entry[0]

    async def delete(self, key: str) -> None:
        """Remove a key (no-op when absent)."""
        self._drop(key)

    async def delete_all(self) -> None:
        """Remove everything."""
        self._data.clear()
        self.bytes = 0

    async def exists(self, key: str) -> bool:
        """Whether a live entry is stored under the key."""
        return self._live(key) is not None

    async def expires_in(self, key: str) -> int | None:
        """Seconds left before the key expires; None when absent or without expiry."""
        entry = self._live(key)
        if entry is None or entry[1] is None:
            return None
        return max(0, int(entry[1] - self._clock()))


class FallbackStore(Store):
    """Uses the primary store (Redis) and, while it fails, an in-process one. For counters where approximate
    beats absent, such as rate limits.

    A key whose write to the primary failed is *diverted*: from then on it is read and written in the process
    until its entry there expires (for a rate-limit counter, the end of its window), even if the primary
    answers again. Reads alone are not enough: a full Redis (maxmemory, noeviction) still answers GET but
    refuses SET, and a counter read from Redis and written elsewhere never grows, which let every request
    through. The diverted entry starts from the value that could not be written, so counting goes on where
    Redis left it.
    """

    def __init__(self, primary: Store, fallback: Store) -> None:
        self.primary = primary
        self.fallback = fallback
        self.failing = False  # the primary's last operation failed
        self.write_error: str | None = None  # why the last write failed, until a write succeeds again
        self.diverted_writes = 0

    def _failed(self, exc: Exception, operation: str) -> None:
        if not self.failing:
            log.warning("store unavailable, counting in the process", operation=operation, error=type(exc).__name__)
        self.failing = True

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        """Write to the primary unless the key is diverted; a failed write diverts the key."""
        if not await self.fallback.exists(key):
            try:
                await self.primary.set(key, value, expires_in=expires_in)
            except Exception as exc:
                self._failed(exc, "write")
                self.write_error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
            else:
                self.failing = False
                self.write_error = None
                return
        self.diverted_writes += 1
        await self.fallback.set(key, value, expires_in=expires_in)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        """A diverted key from the process, any other from the primary (from the process if it fails)."""
        if await self.fallback.exists(key):
            return await self.fallback.get(key, renew_for=renew_for)
        try:
            result = await self.primary.get(key, renew_for=renew_for)
        except Exception as exc:
            self._failed(exc, "read")
            return await self.fallback.get(key, renew_for=renew_for)
        self.failing = False
        return result

    async def delete(self, key: str) -> None:
        """Delete in both stores (the primary may be away)."""
        await self.fallback.delete(key)
        try:
            await self.primary.delete(key)
        except Exception as exc:
            self._failed(exc, "delete")

    async def delete_all(self) -> None:
        """Empty both stores (the primary may be away)."""
        await self.fallback.delete_all()
        try:
            await self.primary.delete_all()
        except Exception as exc:
            self._failed(exc, "delete")

    async def exists(self, key: str) -> bool:
        """Whether the key is stored (diverted, or in the primary)."""
        return await self.fallback.exists(key) or bool(await self._primary_or_none("exists", key))

    async def expires_in(self, key: str) -> int | None:
        """Seconds left for the key, where it lives."""
        if await self.fallback.exists(key):
            return await self.fallback.expires_in(key)
        result = await self._primary_or_none("expires_in", key)
        return result if isinstance(result, int) else None

    async def _primary_or_none(self, name: str, key: str) -> object:
        try:
            return await getattr(self.primary, name)(key)
        except Exception as exc:
            self._failed(exc, "read")
            return None


@dataclass(frozen=True)
class Stores:
    """The digest cache and the rate-limit counters: in Redis when configured, else in the process."""

    digests: Store
    rate_limit: Store
    clients: tuple[Redis, ...] = ()

    @classmethod
    def build(cls, redis_url: str, namespace: str, max_entries: int = 20_000, max_bytes: int = 134_217_728) -> Stores:
        """Redis stores for a URL, in-process ones (bounded: `cache.memory_max_entries` and `_bytes`) for none."""

        def memory() -> BoundedMemoryStore:
            return BoundedMemoryStore(max_entries, max_bytes)

        if not redis_url:
            return cls(memory(), memory())
        # Short timeouts: a Redis that hangs must cost a request milliseconds, not the request.
        clients = tuple(
            Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=10)
            for _ in range(2)
        )
        return cls(
            RedisStore(clients[0], namespace=namespace),
            # Rate-limit counters fall back to the process while Redis is away or refuses writes (full): limits
            # hold, per process.
            FallbackStore(RedisStore(clients[1], namespace=f"{namespace}:rate"), memory()),
            clients,
        )

    def by_name(self) -> dict[str, Store]:
        """For Litestar's store registry (the rate-limit middleware finds its store by name)."""
        return {"digests": self.digests, "rate_limit": self.rate_limit}

    async def close(self) -> None:
        """Close the Redis connections."""
        for client in self.clients:
            await client.aclose()
