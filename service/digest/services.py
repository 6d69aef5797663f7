"""The digest service: the story of one request, from validation to the cached answer."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import anyio.to_thread
import structlog

from service.digest.admission import Lease, Slots
from service.digest.cache import DigestCache
from service.digest.schemas import Digest, DigestRequest, DigestWarning, LocalizedText
from service.digest.stages import DigestPipeline, DigestRun, TranslatedBatch
from service.errors import Problem
from service.metrics import DIGESTS

log = structlog.get_logger(__name__)

# A stream event: its name and its JSON-ready payload.
DigestEvent = tuple[str, Any]


class DigestService:
    """One per process: runs the pipeline within admission slots and answers from the cache when it can."""

    def __init__(self, pipeline: DigestPipeline, cache: DigestCache, slots: Slots) -> None:
        self.pipeline = pipeline
        self.cache = cache
        self.slots = slots

    async def create(self, request: DigestRequest, slots: Slots | None = None) -> Digest:
        """The digest of an article, from the cache when the same article and options were seen."""
        started = time.perf_counter()
        run = await self._open(request)
        if (hit := await self.cache.by_request(run.request_key)) is not None:
            return self._cached(hit, run, started)
        async with (slots or self.slots).admit(run.deadline) as lease:
            await lease.run(self.pipeline.clean, run)  # admitted before any parsing
            assert run.key is not None
            if (hit := await self.cache.by_digest(run.key)) is not None:
                await self.cache.link(run.request_key, run.key)
                return self._cached(hit, run, started)
            digest = await lease.run(self.pipeline.complete, run)
        return await self._store(digest, run, started)

    async def stream(self, request: DigestRequest, slots: Slots | None = None) -> AsyncGenerator[DigestEvent]:
        """The digest as events, each part as soon as it exists: article, summary, highlights, translation
        batches, then the whole digest (the same document `create` returns). Refusals before the first event
        raise, as `create` does; a failure after it is an `error` event. A cache hit sends every event at once."""
        started = time.perf_counter()
        run = await self._open(request)
        if (hit := await self.cache.by_request(run.request_key)) is not None:
            for event in _events_of(self._cached(hit, run, started)):
                yield event
            return
        async with (slots or self.slots).admit(run.deadline) as lease:
            await lease.run(self.pipeline.clean, run)
            assert run.key is not None
            if (hit := await self.cache.by_digest(run.key)) is not None:
                for event in _events_of(self._cached(hit, run, started)):
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
        yield "digest", await self._store(digest, run, started)

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
            send("highlights", run.highlights)
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

    async def get(self, key: str) -> Digest | None:
        """A stored digest by id (32 hex characters; anything else is not an id)."""
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            return None
        digest = await self.cache.by_digest(key)
        if digest is not None:
            digest.meta.cached = True
        return digest

    async def _open(self, request: DigestRequest) -> DigestRun:
        run = self.pipeline.start(request)
        if self.pipeline.roles_needed(run):  # models.load = lazy: the first request that needs a model loads it
            await anyio.to_thread.run_sync(self.pipeline.load_models, run)
        return run

    def _cached(self, digest: Digest, run: DigestRun, started: float) -> Digest:
        digest.meta.cached = True
        digest.meta.timings_ms = {"total": _ms(started)}
        DIGESTS.labels("cached").inc()
        log.info("digest", id=digest.id, cached=True, chars=len(run.request.text), ms=digest.meta.timings_ms["total"])
        return digest

    async def _store(self, digest: Digest, run: DigestRun, started: float) -> Digest:
        if not await self.cache.save(digest, run.request_key):
            digest.meta.warnings.append(
                DigestWarning(
                    "cache-unavailable",
                    f"cache unavailable, the digest was computed and not stored: {self.cache.error}",
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
    return {"ar": run.summary.text, "en": None, "method": run.summary.method, "model": run.summary.model}


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
