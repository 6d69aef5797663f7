"""The digest cache: two levels (the request as sent, and the cleaned article's digest id) over one store,
with one failure state per process and a pause after a failure so no request pays Redis timeouts in a row."""

from __future__ import annotations

import time

import msgspec
import structlog
from litestar.stores.base import Store

from service.digest.schemas import Digest
from service.metrics import DIGEST_CACHE

log = structlog.get_logger(__name__)


class DigestCache:
    """Digests by id, and request keys pointing at them; never fails a digest when the store does."""

    def __init__(self, store: Store, ttl_seconds: int, retry_seconds: float) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self.retry_seconds = retry_seconds
        self.error: str | None = None  # the last failure, while the store is failing
        self._skip_until = 0.0

    def _resting(self) -> bool:
        return time.monotonic() < self._skip_until

    def _failed(self, exc: Exception) -> None:
        self._skip_until = time.monotonic() + self.retry_seconds
        self.error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        log.warning("cache unavailable", error=type(exc).__name__)

    async def _get(self, key: str, level: str) -> bytes | None:
        if self._resting():
            DIGEST_CACHE.labels(level, "skipped").inc()
            return None
        try:
            raw = await self.store.get(key)
        except Exception as exc:  # a cache outage must not stop digests
            self._failed(exc)
            DIGEST_CACHE.labels(level, "error").inc()
            return None
        self.error = None
        DIGEST_CACHE.labels(level, "hit" if raw else "miss").inc()
        return raw

    async def by_digest(self, key: str) -> Digest | None:
        """A stored digest by id."""
        raw = await self._get(key, "digest")
        if not raw:
            return None
        try:
            return msgspec.json.decode(raw, type=Digest)
        except msgspec.MsgspecError:
            return None  # written by another version of the schema: recompute

    async def by_request(self, request_key: str) -> Digest | None:
        """The digest a byte-identical request got before."""
        key = await self._get(f"request:{request_key}", "request")
        return await self.by_digest(key.decode()) if key else None

    async def save(self, digest: Digest, request_key: str) -> bool:
        """Store a digest and its request key; False (and `error` says why) when the store failed."""
        if self.error and self._resting():
            return False
        try:
            await self.store.set(digest.id, msgspec.json.encode(digest), expires_in=self.ttl)
            await self.store.set(f"request:{request_key}", digest.id, expires_in=self.ttl)
        except Exception as exc:
            self._failed(exc)
            return False
        return True

    async def link(self, request_key: str, digest_id: str) -> None:
        """Point a request key at an existing digest (a new wording of an article already digested)."""
        if self._resting():
            return
        try:
            await self.store.set(f"request:{request_key}", digest_id, expires_in=self.ttl)
        except Exception as exc:
            self._failed(exc)

    async def probe(self) -> str | None:
        """Touch the store; the error text when it does not answer, None when it does (ends the pause)."""
        try:
            await self.store.exists("khulasa:probe")
        except Exception as exc:
            self._failed(exc)
        else:
            self.error = None
            self._skip_until = 0.0
        return self.error
