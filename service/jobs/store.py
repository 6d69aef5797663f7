"""Job records in Redis: one hash per job, a set of finished articles (so progress is idempotent), an
idempotency index. Every write refreshes the retention TTL."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import msgspec

from service.jobs.schemas import ArticleResult, CallbackStatus, JobStatus, JobView, Progress

Redis = Any  # redis.asyncio.Redis or fakeredis' FakeAsyncRedis: the same API

_FINISH = """
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
if ARGV[3] == '1' then redis.call('SADD', KEYS[3], ARGV[1]) end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[4])) end
return 1
"""

_MARK_RUNNING = """
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], ARGV[2])
return 1
"""


class JobStore:
    """Reads and writes job records; knows nothing of queues or models."""

    def __init__(self, redis: Redis, namespace: str, retention_seconds: int) -> None:
        self.redis = redis
        self.ns = f"{namespace}:jobs"
        self.retention = retention_seconds

    def _key(self, job_id: str, suffix: str = "") -> str:
        return f"{self.ns}:{job_id}{suffix}"

    def _idem(self, key: str) -> str:
        return f"{self.ns}:idem:{hashlib.sha256(key.encode()).hexdigest()}"

    async def forget(self, job_id: str, idempotency_key: str | None) -> None:
        """Remove a job that could not be fully created, and free its idempotency key."""
        names = [self._key(job_id), self._key(job_id, ":finished"), self._key(job_id, ":failed")]
        if idempotency_key:
            names.append(self._idem(idempotency_key))
        await self.redis.delete(*names)

    async def claim_idempotency_key(self, key: str, job_id: str, window_seconds: int) -> str | None:
        """Bind the key to job_id unless it is bound already; returns the job id it was bound to before."""
        name = self._idem(key)
        if await self.redis.set(name, job_id, nx=True, ex=window_seconds):
            return None
        existing = await self.redis.get(name)
        return existing.decode() if isinstance(existing, bytes) else existing

    async def create(self, job_id: str, sources: list[dict[str, Any]], callback_url: str | None) -> None:
        meta = {"created_at": time.time(), "total": len(sources)}
        fields: dict[str, bytes] = {"meta": msgspec.json.encode(meta)}
        for i, source in enumerate(sources):
            fields[f"a:{i}"] = msgspec.json.encode(ArticleResult(i, source.get("ref"), "queued"))
            fields[f"src:{i}"] = msgspec.json.encode(source)
        if callback_url:
            fields["callback"] = msgspec.json.encode(CallbackStatus(callback_url, "waiting"))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(job_id), mapping=fields)
            pipe.expire(self._key(job_id), self.retention)
            await pipe.execute()

    async def exists(self, job_id: str) -> bool:
        return bool(await self.redis.exists(self._key(job_id)))

    async def article(self, job_id: str, index: int) -> ArticleResult | None:
        raw = await self.redis.hget(self._key(job_id), f"a:{index}")
        return msgspec.json.decode(raw, type=ArticleResult) if raw else None

    async def mark_running(self, job_id: str, result: ArticleResult) -> bool:
        """Record that an article started, unless it already finished (a second run after a sweep must not
        hide a finished result, even for a moment); False when it had finished."""
        written = await self.redis.eval(
            _MARK_RUNNING,
            2,
            self._key(job_id),
            self._key(job_id, ":finished"),
            str(result.index),
            msgspec.json.encode(result),
        )
        return bool(written)

    async def finish_article(self, job_id: str, result: ArticleResult) -> bool:
        """Record an article's final state; the first run to finish wins (a late second run after a sweep
        changes nothing), so progress and results always agree. False when it had finished already."""
        written = await self.redis.eval(
            _FINISH,
            3,
            self._key(job_id),
            self._key(job_id, ":finished"),
            self._key(job_id, ":failed"),
            str(result.index),
            msgspec.json.encode(result),
            "1" if result.status == "failed" else "0",
            str(self.retention),
        )
        return bool(written)

    async def source(self, job_id: str, index: int) -> dict[str, Any] | None:
        """The article as submitted (kept in the job record, not in the queue, so queue logs never hold it)."""
        raw = await self.redis.hget(self._key(job_id), f"src:{index}")
        source: dict[str, Any] | None = msgspec.json.decode(raw) if raw else None
        return source

    async def progress(self, job_id: str) -> Progress:
        meta = await self._meta(job_id)
        finished = await self.redis.scard(self._key(job_id, ":finished"))
        failed = await self.redis.scard(self._key(job_id, ":failed"))
        return Progress(done=int(finished) - int(failed), failed=int(failed), total=int(meta["total"]))

    async def all_finished(self, job_id: str) -> bool:
        progress = await self.progress(job_id)
        return progress.done + progress.failed >= progress.total

    async def mark_finished(self, job_id: str) -> None:
        """Stamp the job's end (the first stamp stays)."""
        await self.redis.hsetnx(self._key(job_id), "finished_at", str(time.time()))

    async def save_callback(self, job_id: str, callback: CallbackStatus) -> None:
        await self.redis.hset(self._key(job_id), "callback", msgspec.json.encode(callback))

    async def callback(self, job_id: str) -> CallbackStatus | None:
        raw = await self.redis.hget(self._key(job_id), "callback")
        return msgspec.json.decode(raw, type=CallbackStatus) if raw else None

    async def _meta(self, job_id: str) -> dict[str, Any]:
        raw = await self.redis.hget(self._key(job_id), "meta")
        if not raw:
            raise KeyError(job_id)
        meta: dict[str, Any] = msgspec.json.decode(raw)
        return meta

    async def view(self, job_id: str, offset: int = 0, limit: int = 100) -> JobView | None:
        """The job with a page of its articles, or None when it does not exist (or expired)."""
        try:
            meta = await self._meta(job_id)
        except KeyError:
            return None
        total = int(meta["total"])
        indexes = range(offset, min(total, offset + limit))
        raws = await self.redis.hmget(self._key(job_id), [f"a:{i}" for i in indexes]) if indexes else []
        articles = [msgspec.json.decode(r, type=ArticleResult) for r in raws if r]
        progress = await self.progress(job_id)
        finished_raw = await self.redis.hget(self._key(job_id), "finished_at")
        finished = progress.done + progress.failed == total
        status: JobStatus
        if finished:
            status = "failed" if progress.failed == total else "done"
        elif progress.done or progress.failed or await self._any_running(job_id, total):
            status = "running"
        else:
            status = "queued"
        ttl = await self.redis.ttl(self._key(job_id))
        return JobView(
            id=job_id,
            status=status,
            progress=progress,
            created_at=float(meta["created_at"]),
            finished_at=float(finished_raw) if finished_raw and finished else None,
            expires_in_seconds=int(ttl) if ttl and ttl > 0 else None,
            callback=await self.callback(job_id),
            offset=offset,
            articles=articles,
        )

    async def _any_running(self, job_id: str, total: int) -> bool:
        raws = await self.redis.hmget(self._key(job_id), [f"a:{i}" for i in range(min(total, 1000))])
        return any(r and b'"running"' in r for r in raws)
