"""The stores of the process (digest cache, rate-limit counters) and the fallback that keeps the service
answering when Redis does not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

log = structlog.get_logger(__name__)


class FallbackStore(Store):
    """Uses the primary store (Redis) and, while it fails, an in-process one; back to the primary as soon
    as it answers again. For state where approximate beats absent, such as rate-limit counters."""

    def __init__(self, primary: Store, fallback: Store) -> None:
        self.primary = primary
        self.fallback = fallback
        self.failing = False

    async def _call(self, name: str, *args: object, **kwargs: object) -> object:
        try:
            result = await getattr(self.primary, name)(*args, **kwargs)
        except Exception as exc:
            if not self.failing:
                log.warning("store unavailable, using the in-process fallback", error=type(exc).__name__)
            self.failing = True
            return await getattr(self.fallback, name)(*args, **kwargs)
        self.failing = False
        return result

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        await self._call("set", key, value, expires_in=expires_in)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await self._call("get", key, renew_for=renew_for)  # type: ignore[return-value]

    async def delete(self, key: str) -> None:
        await self._call("delete", key)

    async def delete_all(self) -> None:
        await self._call("delete_all")

    async def exists(self, key: str) -> bool:
        return bool(await self._call("exists", key))

    async def expires_in(self, key: str) -> int | None:
        return await self._call("expires_in", key)  # type: ignore[return-value]


@dataclass(frozen=True)
class Stores:
    """The digest cache and the rate-limit counters: in Redis when configured, else in the process."""

    digests: Store
    rate_limit: Store
    clients: tuple[Redis, ...] = ()

    @classmethod
    def build(cls, redis_url: str, namespace: str) -> Stores:
        """Redis stores for a URL, in-process ones for none."""
        if not redis_url:
            return cls(MemoryStore(), MemoryStore())
        # Short timeouts: a Redis that hangs must cost a request milliseconds, not the request.
        clients = tuple(
            Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=10)
            for _ in range(2)
        )
        return cls(
            RedisStore(clients[0], namespace=namespace),
            # Rate-limit counters fall back to the process while Redis is away: limits hold, per process.
            FallbackStore(RedisStore(clients[1], namespace=f"{namespace}:rate"), MemoryStore()),
            clients,
        )

    def by_name(self) -> dict[str, Store]:
        """For Litestar's store registry (the rate-limit middleware finds its store by name)."""
        return {"digests": self.digests, "rate_limit": self.rate_limit}

    async def close(self) -> None:
        """Close the Redis connections."""
        for client in self.clients:
            await client.aclose()
