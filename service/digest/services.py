"""The digest service: the story of one request, from validation to the cached answer."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

import anyio.to_thread
import msgspec
import structlog

from service.access import PUBLIC, Meter
from service.digest.admission import Lease, Slots
from service.digest.cache import DigestCache
from service.digest.schemas import Digest, DigestRequest, DigestWarning, LocalizedText
from service.digest.stages import DigestPipeline, DigestRun, TranslatedBatch
from service.errors import LargerThanQuota, Problem, QuotaExceeded
from service.metrics import DIGESTS
from service.trust.glossary import Glossary

log = structlog.get_logger(__name__)

# A stream event: its name and its JSON-ready payload.
DigestEvent = tuple[str, Any]
# A newsroom's glossary by tenant, and a warning when only part of it could be read.
GlossaryLookup = Callable[[str], Awaitable[tuple[Glossary, str | None]]]


class DigestService:
    """One per process: runs the pipeline within admission slots and answers from the cache when it can."""

    def __init__(
        self,
        pipeline: DigestPipeline,
        cache: DigestCache,
        slots: Slots,
        glossaries: GlossaryLookup | None = None,
        meter: Meter | None = None,
        chars_per_minute: int = 0,
    ) -> None:
        self.pipeline = pipeline
        self.cache = cache
        self.slots = slots
        self.glossaries = glossaries
        self.meter = meter
        self.chars_per_minute = chars_per_minute

    async def charge(self, tenant: str, chars: int) -> None:
        """Count article characters against the tenant's `rate_limit.chars_per_minute`; 429 past it (with
        Retry-After), 413 for one submission larger than the whole limit (waiting would not help)."""
        if not self.chars_per_minute or self.meter is None:
            return
        if chars > self.chars_per_minute:
            raise LargerThanQuota(
                f"{chars} characters in one request; the limit is {self.chars_per_minute} per minute "
                "(rate_limit.chars_per_minute): split the work",
                extra={"limit": self.chars_per_minute},
            )
        retry_after = await self.meter.take("chars", tenant, chars, self.chars_per_minute)
        if retry_after is not None:
            raise QuotaExceeded(
                f"{chars} more characters would pass your limit of {self.chars_per_minute} per minute "
                f"(rate_limit.chars_per_minute); retry in {retry_after} s (GET /v1/usage shows the count)",
                headers={"Retry-After": str(retry_after)},
                extra={"limit": self.chars_per_minute},
            )

    async def create(self, request: DigestRequest, slots: Slots | None = None, tenant: str = PUBLIC) -> Digest:
        """The digest of an article, from the cache when the same article and options were seen (by this
        tenant, or by any tenant with a shared cache); `tenant` is also the newsroom whose glossary applies."""
        started = time.perf_counter()
        run = await self._open(request, tenant)
        if (hit := await self.cache.by_request(run.request_key, tenant)) is not None:
            return await self._cached(hit, run, started, tenant)
        async with (slots or self.slots).admit(run.deadline) as lease:
            await lease.run(self.pipeline.clean, run)  # admitted before any parsing
            assert run.key is not None
            if (hit := await self.cache.by_digest(run.key, tenant)) is not None:
                await self.cache.link(run.request_key, run.key, tenant)
                return await self._cached(hit, run, started, tenant)
            digest = await lease.run(self.pipeline.complete, run)
        return await self._store(digest, run, started, tenant)

    async def stream(
        self, request: DigestRequest, slots: Slots | None = None, tenant: str = PUBLIC
    ) -> AsyncGenerator[DigestEvent]:
        """The digest as events, each part as soon as it exists: article, summary, highlights, translation
        batches, then the whole digest (the same document `create` returns). Refusals before the first event
        raise, as `create` does; a failure after it is an `error` event. A cache hit sends every event at once."""
        started = time.perf_counter()
        run = await self._open(request, tenant)
        if (hit := await self.cache.by_request(run.request_key, tenant)) is not None:
            for event in _events_of(await self._cached(hit, run, started, tenant)):
                yield event
            return
        async with (slots or self.slots).admit(run.deadline) as lease:
            await lease.run(self.pipeline.clean, run)
            assert run.key is not None
            if (hit := await self.cache.by_digest(run.key, tenant)) is not None:
                for event in _events_of(await self._cached(hit, run, started, tenant)):
                    yield event
                return
            yield "article", _article_event(run)
            try:
                digest = None
                async for event in self._stream_stages(run, lease):
                    if event[0] == "digest":
                        digest = event[1]
                    else:
                        yield event
            except Problem as exc:
                yield "error", exc.document()
                return
        assert digest is not None
        yield "digest", await self._store(digest, run, started, tenant)

    async def _stream_stages(self, run: DigestRun, lease: Lease) -> AsyncIterator[DigestEvent]:
        """Summary, highlights and translation batches as the worker thread produces them."""
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[DigestEvent] = asyncio.Queue()

        def send(name: str, payload: Any) -> None:
            loop.call_soon_threadsafe(events.put_nowait, (name, payload))

        def work(run: DigestRun) -> None:
            # Unlike `complete`, nothing runs beside the summary: the editor waits for it, and the translation
            # beside it made the summary event about 1.3 s later here (4.2 s against 2.9 s on two cores).
            self.pipeline.summarise(run)
            send("summary", _summary_event(run))
            self.pipeline.highlight(run)
            assert run.highlights is not None
            # With the glossary's English and the sentences naming each entity, as in the digest.
            send("highlights", msgspec.structs.replace(run.highlights, entities=self.pipeline.english_entities(run)))
            self.pipeline.translate(run, on_batch=lambda batch: send("translation", _translation_event(batch)))
            send("digest", self.pipeline.assemble(run))

        task = asyncio.ensure_future(lease.run(work, run))
        getter: asyncio.Future[DigestEvent] | None = None
        try:
            while not task.done() or not events.empty():
                getter = asyncio.ensure_future(events.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                else:
                    getter.cancel()
            task.result()  # a failure in the thread raises here
        finally:
            if getter is not None:
                getter.cancel()
            if not task.done():
                task.cancel()  # the client went away: the run's deadline is cancelled, the thread stops

    async def get(self, key: str, tenant: str = PUBLIC) -> Digest | None:
        """A stored digest by id (32 hex characters; anything else is not an id), only when this tenant asked
        for it: another tenant's digest is as absent as a missing one."""
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            return None
        if not await self.cache.seen(tenant, key):
            return None
        digest = await self.cache.by_digest(key, tenant)
        if digest is not None:
            digest.meta.cached = True
        return digest

    async def _open(self, request: DigestRequest, tenant: str = PUBLIC) -> DigestRun:
        glossary, problem = await self.glossaries(tenant) if self.glossaries is not None else (None, None)
        run = self.pipeline.start(request, glossary)
        if problem:
            run.warn("glossary-unavailable", problem)
        if self.pipeline.roles_needed(run):  # models.load = lazy: the first request that needs a model loads it
            await anyio.to_thread.run_sync(self.pipeline.load_models, run)
        return run

    async def _cached(self, digest: Digest, run: DigestRun, started: float, tenant: str) -> Digest:
        # With a shared cache, a digest only another tenant asked for is reported as computed: `cached` must
        # not tell this tenant what others sent.
        digest.meta.cached = await self.cache.seen(tenant, digest.id)
        await self.cache.mark_seen(tenant, digest.id)
        digest.meta.timings_ms = {"total": _ms(started)}
        DIGESTS.labels("cached").inc()
        log.info(
            "digest",
            id=digest.id,
            cached=digest.meta.cached,
            chars=len(run.request.text),
            ms=digest.meta.timings_ms["total"],
        )
        return digest

    async def _store(self, digest: Digest, run: DigestRun, started: float, tenant: str) -> Digest:
        await self.cache.mark_seen(tenant, digest.id)
        if not await self.cache.save(digest, run.request_key, tenant):
            digest.meta.warnings.append(
                DigestWarning(
                    "cache-unavailable",
                    "cache unavailable: the digest was computed and not stored (see /health/ready)",
                )
            )
        digest.meta.timings_ms["total"] = _ms(started)
        DIGESTS.labels("computed").inc()
        log.info(
            "digest",
            id=digest.id,
            cached=False,
            chars=len(run.request.text),
            sentences=digest.meta.input.sentences,
            ms=digest.meta.timings_ms["total"],
            method=digest.summary.method,
        )
        return digest


def _article_event(run: DigestRun) -> dict[str, Any]:
    article = run.prepared
    return {
        "title": LocalizedText(article.title, None) if article.title else None,
        "sections": [LocalizedText(s, None) for s in article.sections],
        "removed": article.removed,
        "sentences": len(article.sentences),
        "warnings": list(run.warnings),
    }


def _summary_event(run: DigestRun) -> dict[str, Any]:
    assert run.summary is not None
    trust = run.summary_trust
    return {
        "ar": run.summary.text,
        "en": None,
        "method": run.summary.method,
        "model": run.summary.model,
        "sentences": [
            {"ar": ar, "en": None, "sources": src.sources, "score": src.score}
            for ar, src in zip(trust.sentences, trust.sources, strict=True)
        ]
        if trust is not None
        else [],
        "unsupported": trust.unsupported if trust is not None else [],
    }


def _translation_event(batch: TranslatedBatch) -> dict[str, Any]:
    return {"sentences": [{"index": i, "ar": ar, "en": en} for i, ar, en in batch]}


def _events_of(digest: Digest) -> list[DigestEvent]:
    """Every event of a finished digest at once (a cache hit)."""
    article = {
        "title": digest.title,
        "sections": digest.sections,
        "removed": digest.removed,
        "sentences": digest.meta.input.sentences,
        "warnings": digest.meta.warnings,
    }
    events: list[DigestEvent] = [("article", article), ("summary", digest.summary), ("highlights", digest.highlights)]
    if digest.translation is not None:
        pairs = [{"index": i, "ar": p.ar, "en": p.en} for i, p in enumerate(digest.translation.sentences)]
        events.append(("translation", {"sentences": pairs}))
    events.append(("digest", digest))
    return events


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
