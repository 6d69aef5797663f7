"""The composition root: the process built once, from the settings, for every way Khulasa runs.

`khulasa serve`, `khulasa worker`, `khulasa digest`, the benchmark and the tests all call `Runtime.build`;
the app keeps the runtime on its state and hands its services to controllers by dependency injection.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from saq import Queue, Worker

from service.access import Meter
from service.config import ConfigError, Settings
from service.digest.admission import Slots
from service.digest.cache import DigestCache
from service.digest.services import DigestService
from service.digest.stages import DigestPipeline, TextResources
from service.glossary.services import GlossaryService
from service.highlights.ner import ENTITIES_ROLE
from service.jobs.queue import job_store, make_queue
from service.jobs.services import JobService
from service.jobs.tasks import JobContext, JobRuntime, make_worker
from service.models.registry import ModelRegistry, ModelRole
from service.stores import Stores
from service.summary.abstractive import SUMMARY_ROLE
from service.translation.seq2seq import TRANSLATION_ROLE
from service.trust.glossary import GlossaryError, load_glossary_file
from service.usage.services import UsageService

# Every model role the product uses: name, purpose and loader. A new role is one entry here.
MODEL_ROLES: tuple[ModelRole[Any], ...] = (SUMMARY_ROLE, TRANSLATION_ROLE, ENTITIES_ROLE)


@dataclass
class Runtime:
    """Everything one process holds: stores, text resources, models, services and the job queue."""

    settings: Settings
    stores: Stores
    resources: TextResources
    models: ModelRegistry
    digests: DigestService
    queue: Queue
    jobs: JobService
    job_runtime: JobRuntime
    glossary: GlossaryService
    meter: Meter
    usage: UsageService
    _workers: list[Worker[JobContext]] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls, settings: Settings, roles: tuple[ModelRole[Any], ...] = MODEL_ROLES, models: ModelRegistry | None = None
    ) -> Runtime:
        """Build the process's parts (nothing loaded or connected yet: see `start`). `models` reuses a registry
        whose models are already loaded (the tests share one across apps; stores and queue are per runtime,
        since they belong to one event loop)."""
        cache = settings.cache
        stores = Stores.build(cache.redis_url, cache.namespace, cache.memory_max_entries, cache.memory_max_bytes)
        resources = TextResources.load(settings)
        models = models or ModelRegistry(settings, roles)
        limits = settings.limits
        glossary = _glossary_service(settings, stores)
        pipeline = DigestPipeline(settings, models, resources)
        pipeline.default_glossary = glossary.file_glossary()
        # Per-tenant meters (characters, failed keys) on the rate-limit connection: short timeouts.
        meter = Meter(stores.clients[1] if stores.clients else None, settings.cache.namespace)
        digests = DigestService(
            pipeline,
            DigestCache(stores.digests, cache.ttl_seconds, cache.retry_seconds, cache.share_between_tenants),
            Slots(limits.max_in_flight, limits.retry_after_seconds),
            glossary.for_digest,
            meter,
            settings.rate_limit.chars_per_minute,
        )
        queue = make_queue(settings)
        store = job_store(settings, queue)
        # Jobs get their own slots, so a batch never takes the places of interactive requests.
        job_slots = Slots(max(1, settings.jobs.workers * settings.jobs.worker_concurrency), limits.retry_after_seconds)
        return cls(
            settings,
            stores,
            resources,
            models,
            digests,
            queue,
            JobService(settings, store, meter),
            JobRuntime(settings, queue, store, digests, job_slots),
            glossary,
            meter,
            UsageService(settings, meter, store),
        )

    def use_job_slots(self, size: int) -> None:
        """A dedicated worker process sizes its slots to its own concurrency."""
        self.job_runtime.slots = Slots(size, self.settings.limits.retry_after_seconds)

    async def start(self, workers: int | None = None, concurrency: int | None = None) -> None:
        """Load the models (models.load = startup), connect the queue and start in-process job workers."""
        if self.settings.models.load == "startup":
            await anyio.to_thread.run_sync(self.models.load_all)
        await self.queue.connect()
        count = self.settings.jobs.workers if workers is None else workers
        size = concurrency or self.settings.jobs.worker_concurrency
        self._workers = [make_worker(self.job_runtime, size) for _ in range(count)]
        self._tasks = [asyncio.create_task(w.start()) for w in self._workers]

    async def run_worker(self, concurrency: int) -> None:
        """Run one job worker in the foreground until it is stopped (`khulasa worker`)."""
        worker = make_worker(self.job_runtime, concurrency)
        self._workers.append(worker)
        await worker.start()

    async def stop_workers(self) -> None:
        """Ask the job workers to stop after their current articles."""
        with contextlib.suppress(Exception):
            await asyncio.gather(*(w.stop() for w in self._workers), return_exceptions=True)

    async def stop(self) -> None:
        """Stop the job workers and disconnect the queue (the models stay loaded: `start` may come again)."""
        # Shutting down must not fail because Redis is away.
        await self.stop_workers()
        for task in self._tasks:
            task.cancel()
        self._workers, self._tasks = [], []
        with contextlib.suppress(Exception):
            await self.queue.disconnect()

    async def close(self) -> None:
        """Stop everything: workers, queue, store connections and the models' batcher threads."""
        await self.stop()
        with contextlib.suppress(Exception):
            await self.stores.close()
        self.models.close()


def _glossary_service(settings: Settings, stores: Stores) -> GlossaryService:
    """The newsroom glossary: the file's entries for everyone, each newsroom's own in the digest store (Redis
    when configured, under keys that never expire)."""
    path = settings.resolve(settings.glossary.file)
    try:
        entries = load_glossary_file(path)
    except GlossaryError as exc:
        raise ConfigError(f"glossary.file: {' '.join(str(exc).split())}") from None
    return GlossaryService(stores.digests, entries, settings.glossary.max_entries)
