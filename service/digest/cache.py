"""The digest cache: two levels (the request as sent, and the cleaned article's digest id) over one store,
with one failure state per process and a pause after a failure so no request pays Redis timeouts in a row.

Tenants: by default each tenant's entries live under its own prefix, so one tenant's requests can never
answer, or be seen by, another's. With `cache.share_between_tenants` the computed digests are shared, and a
per-tenant record of the digest ids the tenant asked for decides what `meta.cached` says and what
GET /v1/digest/{id} returns: a digest another tenant paid for is served, but reported as computed."""

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

    def __init__(self, store: Store, ttl_seconds: int, retry_seconds: float, shared: bool = False) -> None:
        self.store = store
        self.shared = shared
        self.ttl = ttl_seconds
        self.retry_seconds = retry_seconds
        self.error: str | None = None  # the last failure, while the store is failing
        self._skip_until = 0.0

    def _scope(self, tenant: str) -> str:
        # The compute cache's key prefix: one per tenant unless shared.
        return "" if self.shared else f"t:{tenant}:"

    def _seen_key(self, tenant: str, digest_id: str) -> str:
        return f"seen:{tenant}:{digest_id}"

    async def seen(self, tenant: str, digest_id: str) -> bool:
        """Whether the tenant asked for this digest before (always true for its own, unshared cache)."""
        if not self.shared:
            return True
        return await self._get(self._seen_key(tenant, digest_id), "seen") is not None

    async def mark_seen(self, tenant: str, digest_id: str) -> None:
        """Record that the tenant asked for this digest (shared cache only)."""
        if not self.shared or self._resting():
            return
        try:
            await self.store.set(self._seen_key(tenant, digest_id), b"1", expires_in=self.ttl)
        except Exception as exc:
            self._failed(exc)

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

    async def by_digest(self, key: str, tenant: str) -> Digest | None:
        """A stored digest by id, in the tenant's scope."""
        raw = await self._get(self._scope(tenant) + key, "digest")
        if not raw:
            return None
        try:
            return msgspec.json.decode(raw, type=Digest)
        except msgspec.MsgspecError:
            return None  # written by another version of the schema: recompute

    async def by_request(self, request_key: str, tenant: str) -> Digest | None:
        """The digest a byte-identical request got before, in the tenant's scope."""
        key = await self._get(f"{self._scope(tenant)}request:{request_key}", "request")
        return await self.by_digest(key.decode(), tenant) if key else None

    async def save(self, digest: Digest, request_key: str, tenant: str) -> bool:
        """Store a digest and its request key; False (and `error` says why) when the store failed."""
        if self.error and self._resting():
            return False
        try:
            scope = self._scope(tenant)
            await self.store.set(scope + digest.id, msgspec.json.encode(digest), expires_in=self.ttl)
            await self.store.set(f"{scope}request:{request_key}", digest.id, expires_in=self.ttl)
        except Exception as exc:
            self._failed(exc)
            return False
        return True

    async def link(self, request_key: str, digest_id: str, tenant: str) -> None:
        """Point a request key at an existing digest (a new wording of an article already digested)."""
        if self._resting():
            return
        try:
            await self.store.set(f"{self._scope(tenant)}request:{request_key}", digest_id, expires_in=self.ttl)
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
