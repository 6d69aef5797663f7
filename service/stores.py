"""Stores that keep the service answering when Redis does not."""

from __future__ import annotations

from datetime import timedelta

import structlog
from litestar.stores.base import Store

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
