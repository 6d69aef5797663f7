"""The digest service: validates, runs the pipeline off the event loop, and caches results in a store."""

from __future__ import annotations

import re
import threading
import time

import anyio.to_thread
import msgspec
import structlog
from litestar.stores.base import Store

from service.config import Settings
from service.deadline import Deadline
from service.digest.pipeline import (
    TextResources,
    build_digest,
    check_text,
    digest_id,
    prepare,
    request_key,
    resolved_options,
)
from service.digest.schemas import Digest, DigestRequest
from service.errors import CapabilityUnavailable, DigestTimeout, Overloaded
from service.models.registry import ModelRegistry

log = structlog.get_logger(__name__)


class Slots:
    """A bounded count of digests being computed; released by the worker thread when its work really ends."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self.used >= self.size:
                return False
            self.used += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.used -= 1


class DigestService:
    """One per app: owns nothing but references to what the lifespan loaded."""

    def __init__(
        self, settings: Settings, models: ModelRegistry, resources: TextResources, store: Store, slots: int = 0
    ) -> None:
        self.settings = settings
        self.models = models
        self.resources = resources
        self.store = store
        self.cache_error: str | None = None
        # After a cache failure, requests skip the cache for a few seconds instead of each paying the
        # connect/read timeouts of a Redis that is away; the readiness probe always tries.
        self._skip_cache_until = 0.0
        self.slots = Slots(slots or settings.limits.max_in_flight)

    async def create(self, request: DigestRequest) -> Digest:
        """The digest of an article, from the cache when the same article and options were seen."""
        started = time.perf_counter()
        deadline = Deadline(self.settings.limits.request_timeout_seconds)
        check_text(request, self.settings)
        options = resolved_options(request.options, self.settings)
        await self._ensure_models(options.summary, options.translate)
        if options.summary == "abstractive" and self.models.summarizer is None:
            status = self.models.status["summary"]
            raise CapabilityUnavailable(
                "options.summary is 'abstractive' but no abstractive model is loaded "
                f"({status.detail or status.state}); use 'auto' or 'extractive'"
            )
        identities = {**self.models.identities(), "rules": self.resources.identity}
        # A byte-identical request (a CMS retrying, an archive run twice) skips cleaning altogether.
        seen = request_key(request, options, identities)
        cached = await self._load_alias(seen)
        if cached is None:
            article = await anyio.to_thread.run_sync(prepare, request, self.resources, self.settings)
            key = digest_id(article, options, identities)
            cached = await self._load(key)
        if cached is not None:
            cached.meta.cached = True
            cached.meta.timings_ms = {"total": _ms(started)}
            log.info("digest", id=cached.id, cached=True, chars=len(request.text), ms=cached.meta.timings_ms["total"])
            return cached
        if not self.slots.try_acquire():
            raise Overloaded(
                f"{self.slots.size} digests are already being computed (limits.max_in_flight); retry in "
                f"{self.settings.limits.retry_after_seconds} s",
                headers={"Retry-After": str(self.settings.limits.retry_after_seconds)},
            )

        handover = threading.Lock()
        state = {"started": False, "abandoned": False}

        def work() -> Digest:
            with handover:
                if state["abandoned"]:
                    raise DigestTimeout("the digest was abandoned before it started")
                state["started"] = True
            try:
                return build_digest(
                    article, request, options, key, self.models, self.resources, self.settings, identities, deadline
                )
            finally:
                self.slots.release()

        try:
            # The worker stops itself at the deadline (between steps, and generate's max_time); the grace
            # covers a step that overruns, after which the request answers and the worker is left to end.
            with anyio.fail_after(deadline.remaining() + 5):
                digest = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except BaseException as exc:
            # Cancelled before a worker thread picked the work up: the thread will not run it, so the
            # slot is released here (exactly once: the handover lock decides who does it).
            with handover:
                if not state["started"]:
                    state["abandoned"] = True
                    self.slots.release()
            if isinstance(exc, TimeoutError):
                deadline.check("waiting for the worker")
                raise DigestTimeout("the digest did not finish in time") from None
            raise
        if self.cache_error:
            digest.meta.warnings.append(
                f"cache unavailable, the digest was computed and not stored: {self.cache_error}"
            )
        else:
            await self._save(digest, seen)
        digest.meta.timings_ms["total"] = _ms(started)
        log.info(
            "digest",
            id=key,
            cached=False,
            chars=len(request.text),
            sentences=digest.meta.input["sentences"],
            ms=digest.meta.timings_ms["total"],
            method=digest.summary.method,
        )
        return digest

    async def get(self, key: str) -> Digest | None:
        """A stored digest by id (32 hex characters; anything else is not an id)."""
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            return None
        digest = await self._load(key)
        if digest is not None:
            digest.meta.cached = True
        return digest

    async def probe_cache(self) -> str | None:
        """Touch the store; the error text when it does not answer, None when it does."""
        try:
            await self.store.exists("khulasa:probe")
        except Exception as exc:
            self._cache_failed(exc)
        else:
            self.cache_error = None
            self._skip_cache_until = 0.0
        return self.cache_error

    def _cache_resting(self) -> bool:
        return time.monotonic() < self._skip_cache_until

    async def _ensure_models(self, summary: str, translate: str) -> None:
        # With models.load = "lazy" the first request that needs a model loads it.
        if summary != "extractive" and self.models.status["summary"].state == "not loaded yet":
            await anyio.to_thread.run_sync(self.models.ensure, "summary")
        if translate != "none" and self.models.status["translation"].state == "not loaded yet":
            await anyio.to_thread.run_sync(self.models.ensure, "translation")

    async def _load(self, key: str) -> Digest | None:
        if self._cache_resting():
            return None
        try:
            raw = await self.store.get(key)
        except Exception as exc:  # a cache outage must not stop digests
            self._cache_failed(exc)
            return None
        self.cache_error = None
        if not raw:
            return None
        try:
            return msgspec.json.decode(raw, type=Digest)
        except msgspec.MsgspecError:
            return None  # written by another version of the schema: recompute

    async def _load_alias(self, seen: str) -> Digest | None:
        if self._cache_resting():
            return None
        try:
            key = await self.store.get(f"request:{seen}")
        except Exception as exc:
            self._cache_failed(exc)
            return None
        return await self._load(key.decode()) if key else None

    async def _save(self, digest: Digest, seen: str) -> None:
        ttl = self.settings.cache.ttl_seconds
        try:
            await self.store.set(digest.id, msgspec.json.encode(digest), expires_in=ttl)
            await self.store.set(f"request:{seen}", digest.id, expires_in=ttl)
        except Exception as exc:
            self._cache_failed(exc)
            digest.meta.warnings.append(
                f"cache unavailable, the digest was computed and not stored: {self.cache_error}"
            )

    def _cache_failed(self, exc: Exception) -> None:
        self._skip_cache_until = time.monotonic() + self.settings.cache.retry_seconds
        self.cache_error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        log.warning("cache unavailable", error=self.cache_error)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
