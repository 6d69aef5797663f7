"""The job queue: SAQ on Redis, or on an in-process Redis (fakeredis) when none is configured."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from saq import Job, Queue
from saq.queue.redis import RedisQueue

from service.config import Settings
from service.jobs.store import JobStore


def make_queue(settings: Settings) -> Queue:
    """The queue on Redis when cache.redis_url names one; else an in-process Redis (fakeredis): the same
    semantics, without durability across restarts."""
    name = f"{settings.cache.namespace}-digest-jobs"
    if settings.cache.redis_url:
        # A connect timeout so that a Redis that is away answers 503 fast; no read timeout, because the
        # workers' dequeue is a blocking pop.
        client = Redis.from_url(settings.cache.redis_url, socket_connect_timeout=2, health_check_interval=10)
        return RedisQueue(client, name=name)
    from fakeredis import FakeAsyncRedis

    return EmbeddedQueue(FakeAsyncRedis(), name=name)


class EmbeddedQueue(RedisQueue):
    """SAQ's Redis queue on fakeredis. fakeredis has no INFO (SAQ reads the server version from it) and
    its blocking pops spin a core, so this queue names the version and polls instead of blocking."""

    POLL_SECONDS = 0.05

    async def version(self) -> tuple[int, ...]:
        return (7, 0, 0)

    async def dequeue(self, timeout: float = 0.0, poll_interval: float = 0.0) -> Job | None:  # noqa: ASYNC109
        waited = 0.0
        while True:
            job_id = await self.redis.lmove(self._queued, self._active, "LEFT", "RIGHT")
            if job_id is not None:
                return await self._get_job_by_id(job_id)
            if timeout and waited >= timeout:
                return None
            await asyncio.sleep(self.POLL_SECONDS)
            waited += self.POLL_SECONDS


def job_store(settings: Settings, queue: Queue) -> JobStore:
    return JobStore(queue.redis, settings.cache.namespace, settings.jobs.retention_seconds)  # type: ignore[attr-defined]
