"""Job records in Redis, per tenant, and the tenants' pending lists that workers feed into the queue.

Layout under `<namespace>:jobs`:
  <job>                 hash: meta, tenant, a:<i> (result), src:<i> (article), o:<i> (finish order), callback...
  <job>:finished/failed/cancelled   sets of article indexes (progress is idempotent: first finisher wins)
  idem:<sha256(tenant, key)>        "<job id> <body hash>" for the Idempotency-Key window
  pending:<tenant>      list of "<job>:<index>:<deadline>" waiting for a worker
  ring / ring-set       tenants with pending work, in round-robin order
  load:<tenant> / load  queued + running articles (per tenant, and all together): the quotas
  index:<tenant>        sorted set of the tenant's jobs, newest last (GET /v1/jobs)
  inflight              entries between the pending list and SAQ (recovered if a worker dies in between)

A submission is one Lua script: the record, the pending entries, the counters, the index and the
Idempotency-Key are written together or not at all (Redis refuses the script's first write when it is out of
memory, before anything is written). Scripts that record a failure may run on a full Redis (their writes are
small), so an article never stays `running` or `queued` because Redis was full.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from service.access import PUBLIC
from service.errors import ProblemDocument
from service.jobs.schemas import (
    ArticleResult,
    CallbackStatus,
    JobStatus,
    JobSummary,
    JobView,
    Progress,
)

Redis = Any  # redis.asyncio.Redis or fakeredis' FakeAsyncRedis: the same API

JOB_ID = re.compile(r"[0-9a-f]{32}")

_SUBMIT = """
-- KEYS: record, idem, pending, ring, ring-set, load:<tenant>, load, index:<tenant>, seq:<tenant>
-- ARGV: job, has_idem, idem_value, idem_window, retention, limit_tenant, limit_all, n, tenant, nfields,
--       record prefix, fields..., entries...
if ARGV[2] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then
    local other = string.match(existing, '^(%S+)')
    if redis.call('EXISTS', ARGV[11] .. other) == 1 then return {1, existing} end
  end
end
local n = tonumber(ARGV[8])
local load_t = tonumber(redis.call('GET', KEYS[6]) or '0')
if tonumber(ARGV[6]) > 0 and load_t + n > tonumber(ARGV[6]) then return {2, tostring(load_t)} end
local load_all = tonumber(redis.call('GET', KEYS[7]) or '0')
if tonumber(ARGV[7]) > 0 and load_all + n > tonumber(ARGV[7]) then return {3, tostring(load_all)} end
local first = 12
local nf = tonumber(ARGV[10])
local i = first
while i < first + nf do
  local last = math.min(i + 999, first + nf - 1)
  redis.call('HSET', KEYS[1], unpack(ARGV, i, last))
  i = last + 1
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
i = first + nf
local stop = first + nf + n - 1
while i <= stop do
  local last = math.min(i + 999, stop)
  redis.call('RPUSH', KEYS[3], unpack(ARGV, i, last))
  i = last + 1
end
if redis.call('SISMEMBER', KEYS[5], ARGV[9]) == 0 then
  redis.call('SADD', KEYS[5], ARGV[9])
  redis.call('RPUSH', KEYS[4], ARGV[9])
end
redis.call('INCRBY', KEYS[6], n)
redis.call('INCRBY', KEYS[7], n)
local seq = redis.call('INCR', KEYS[9])
redis.call('ZADD', KEYS[8], seq, ARGV[1])
if ARGV[2] == '1' then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
return {0, ''}
"""

_NEXT = """
-- KEYS: ring, ring-set, inflight; ARGV: pending prefix, now
-- The next tenant in turn gives its oldest entry; the tenant goes to the back of the ring if it has more.
for _ = 1, 1000 do
  local tenant = redis.call('LPOP', KEYS[1])
  if not tenant then return false end
  local pending = ARGV[1] .. tenant
  local entry = redis.call('LPOP', pending)
  if redis.call('LLEN', pending) > 0 then
    redis.call('RPUSH', KEYS[1], tenant)
  else
    redis.call('SREM', KEYS[2], tenant)
  end
  if entry then
    redis.call('HSET', KEYS[3], entry, ARGV[2])
    return entry
  end
end
return false
"""

_FINISH = """
-- KEYS: record, finished, failed, cancelled, finish-seq, load; ARGV: index, result, kind, retention, load prefix
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
if ARGV[3] == 'failed' then redis.call('SADD', KEYS[3], ARGV[1]) end
if ARGV[3] == 'cancelled' then redis.call('SADD', KEYS[4], ARGV[1]) end
redis.call('HSET', KEYS[1], 'o:' .. ARGV[1], redis.call('INCR', KEYS[5]))
local tenant = redis.call('HGET', KEYS[1], 'tenant')
if tenant and tonumber(redis.call('GET', ARGV[5] .. tenant) or '0') > 0 then redis.call('DECR', ARGV[5] .. tenant) end
if tonumber(redis.call('GET', KEYS[6]) or '0') > 0 then redis.call('DECR', KEYS[6]) end
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[4])) end
return 1
"""

_CANCEL = """
-- KEYS: record, finished, cancelled, finish-seq, load; ARGV: total, retention, load prefix
-- Articles still queued become cancelled (running ones finish); the loads drop by as many.
redis.call('HSET', KEYS[1], 'cancelled', '1')
local n = 0
for i = 0, tonumber(ARGV[1]) - 1 do
  if redis.call('SISMEMBER', KEYS[2], i) == 0 then
    local raw = redis.call('HGET', KEYS[1], 'a:' .. i)
    if raw and string.find(raw, '"status":"queued"', 1, true) then
      local changed = string.gsub(raw, '"status":"queued"', '"status":"cancelled"', 1)
      redis.call('HSET', KEYS[1], 'a:' .. i, changed)
      redis.call('HDEL', KEYS[1], 'src:' .. i)
      redis.call('SADD', KEYS[2], i)
      redis.call('SADD', KEYS[3], i)
      redis.call('HSET', KEYS[1], 'o:' .. i, redis.call('INCR', KEYS[4]))
      n = n + 1
    end
  end
end
local tenant = redis.call('HGET', KEYS[1], 'tenant')
if n > 0 and tenant then
  local load_t = ARGV[3] .. tenant
  redis.call('DECRBY', load_t, math.min(n, tonumber(redis.call('GET', load_t) or '0')))
  redis.call('DECRBY', KEYS[5], math.min(n, tonumber(redis.call('GET', KEYS[5]) or '0')))
end
for i = 2, 3 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[2])) end
return n
"""

_MARK_RUNNING = """
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], ARGV[2])
return 1
"""

# Real Redis may run these on a full server (small writes that record a failure or move an entry); fakeredis
# does not read script flags.
_ALLOW_OOM = "#!lua flags=allow-oom\n"


def iso(epoch: float | None) -> str | None:
    """An epoch time as ISO 8601 in UTC (what the API shows)."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    """Now, as ISO 8601 in UTC."""
    return iso(time.time()) or ""


@dataclass(frozen=True)
class Submitted:
    """The outcome of a submission: `created`, or an existing job for the Idempotency-Key (with the hash of
    the body it was created from), or a quota that refused it (`tenant` or `all`, with the load then)."""

    outcome: str  # created | existing | tenant-full | all-full
    job_id: str = ""
    body_hash: str = ""
    load: int = 0


@dataclass(frozen=True)
class Entry:
    """One pending article, as the dispatcher takes it."""

    raw: str
    job_id: str
    index: int
    deadline: float


class JobStore:
    """Reads and writes job records and the pending lists; knows nothing of SAQ or models."""

    def __init__(self, redis: Redis, namespace: str, retention_seconds: int) -> None:
        self.redis = redis
        self.ns = f"{namespace}:jobs"
        self.retention = retention_seconds
        oom = "" if type(redis).__module__.startswith("fakeredis") else _ALLOW_OOM
        self._submit = redis.register_script(_SUBMIT)
        self._next = redis.register_script(oom + _NEXT)
        self._finish = redis.register_script(_FINISH)
        self._finish_small = redis.register_script(oom + _FINISH)
        self._cancel = redis.register_script(oom + _CANCEL)
        self._mark_running = redis.register_script(_MARK_RUNNING)
        # A tiny write that must not fail on a full Redis (the job's end would never be stamped).
        self._stamp = redis.register_script(oom + "return redis.call('HSETNX', KEYS[1], 'finished_at', ARGV[1])")

    def _key(self, job_id: str, suffix: str = "") -> str:
        return f"{self.ns}:{job_id}{suffix}"

    def _idem(self, tenant: str, key: str) -> str:
        scoped = hashlib.sha256(tenant.encode() + b"\0" + key.encode()).hexdigest()
        return f"{self.ns}:idem:{scoped}"

    def _load(self, tenant: str | None = None) -> str:
        return f"{self.ns}:load:{tenant}" if tenant is not None else f"{self.ns}:load"

    # -- submission -------------------------------------------------------------------------------------

    async def submit(
        self,
        job_id: str,
        tenant: str,
        sources: list[dict[str, Any]],
        callback: CallbackStatus | None,
        *,
        idempotency_key: str | None,
        body_hash: str,
        idempotency_window: int,
        limit_tenant: int,
        limit_all: int,
        queued_ttl: int,
    ) -> Submitted:
        """Write the job, its pending entries and counters in one step, unless a quota refuses it or the
        Idempotency-Key names a job already."""
        created = time.time()
        meta = {"created_at": created, "total": len(sources), "tenant": tenant}
        fields: list[str | bytes] = ["meta", msgspec.json.encode(meta), "tenant", tenant]
        for i, source in enumerate(sources):
            fields += [f"a:{i}", msgspec.json.encode(ArticleResult(i, source.get("ref"), "queued"))]
            fields += [f"src:{i}", msgspec.json.encode(source)]
        if callback is not None:
            fields += ["callback", msgspec.json.encode(callback)]
        deadline = int(created + queued_ttl)
        entries = [f"{job_id}:{i}:{deadline}" for i in range(len(sources))]
        keys = [
            self._key(job_id),
            self._idem(tenant, idempotency_key or ""),
            f"{self.ns}:pending:{tenant}",
            f"{self.ns}:ring",
            f"{self.ns}:ring-set",
            self._load(tenant),
            self._load(),
            f"{self.ns}:index:{tenant}",
            f"{self.ns}:seq:{tenant}",
        ]
        args: list[str | bytes | int] = [
            job_id,
            "1" if idempotency_key else "0",
            f"{job_id} {body_hash}",
            idempotency_window,
            self.retention,
            limit_tenant,
            limit_all,
            len(sources),
            tenant,
            len(fields),
            f"{self.ns}:",
            *fields,
            *entries,
        ]
        code, value = await self._submit(keys=keys, args=args)
        value = value.decode() if isinstance(value, bytes) else str(value)
        if int(code) == 1:
            other, _, other_hash = value.partition(" ")
            return Submitted("existing", other, other_hash)
        if int(code) == 2:
            return Submitted("tenant-full", load=int(value))
        if int(code) == 3:
            return Submitted("all-full", load=int(value))
        return Submitted("created", job_id, body_hash)

    async def load(self, tenant: str | None = None) -> int:
        """Queued plus running articles of a tenant (or of all tenants)."""
        raw = await self.redis.get(self._load(tenant))
        return int(raw or 0)

    # -- the dispatcher's side ----------------------------------------------------------------------------

    async def next_entry(self) -> Entry | None:
        """The next pending article, round-robin over tenants; it stays in `inflight` until `ack`."""
        raw = await self._next(
            keys=[f"{self.ns}:ring", f"{self.ns}:ring-set", f"{self.ns}:inflight"],
            args=[f"{self.ns}:pending:", str(time.time())],
        )
        if not raw:
            return None
        return _entry(raw.decode() if isinstance(raw, bytes) else str(raw))

    async def ack(self, entry: Entry) -> None:
        """The entry reached SAQ (or was settled): forget it."""
        await self.redis.hdel(f"{self.ns}:inflight", entry.raw)

    async def stale_inflight(self, older_than_seconds: float) -> list[Entry]:
        """Entries a dispatcher took but never acknowledged (it died in between)."""
        raws = await self.redis.hgetall(f"{self.ns}:inflight")
        cutoff = time.time() - older_than_seconds
        out = []
        for raw, taken in raws.items():
            if float(taken) < cutoff:
                out.append(_entry(raw.decode() if isinstance(raw, bytes) else str(raw)))
        return out

    async def pending_count(self, tenant: str) -> int:
        """Articles of a tenant waiting for the dispatcher."""
        return int(await self.redis.llen(f"{self.ns}:pending:{tenant}"))

    # -- articles ---------------------------------------------------------------------------------------

    async def article(self, job_id: str, index: int) -> ArticleResult | None:
        raw = await self.redis.hget(self._key(job_id), f"a:{index}")
        return msgspec.json.decode(raw, type=ArticleResult) if raw else None

    async def mark_running(self, job_id: str, result: ArticleResult) -> bool:
        """Record that an article started, unless it already finished (a second run after a sweep must not
        hide a finished result, even for a moment); False when it had finished."""
        written = await self._mark_running(
            keys=[self._key(job_id), self._key(job_id, ":finished")],
            args=[str(result.index), msgspec.json.encode(result)],
        )
        return bool(written)

    async def finish_article(self, job_id: str, result: ArticleResult, small: bool = False) -> bool:
        """Record an article's final state; the first run to finish wins (a late second run after a sweep
        changes nothing), so progress and results always agree. False when it had finished already.
        `small`: a failure record, written even on a full Redis."""
        result.finished_at = result.finished_at or now_iso()
        script = self._finish_small if small else self._finish
        written = await script(
            keys=[
                self._key(job_id),
                self._key(job_id, ":finished"),
                self._key(job_id, ":failed"),
                self._key(job_id, ":cancelled"),
                f"{self.ns}:finish-seq",
                self._load(),
            ],
            args=[
                str(result.index),
                msgspec.json.encode(result),
                result.status,
                str(self.retention),
                f"{self.ns}:load:",
            ],
        )
        return bool(written)

    async def fail_article(self, job_id: str, index: int, problem: ProblemDocument) -> bool:
        """Settle an article as failed with a problem, even on a full Redis: its text is dropped first (a
        delete frees memory and is always allowed), then a small failure record is written."""
        record = await self.article(job_id, index)
        if record is None:
            return False
        await self.redis.hdel(self._key(job_id), f"src:{index}")
        record.status, record.error, record.digest = "failed", problem, None
        return await self.finish_article(job_id, record, small=True)

    async def tenant(self, job_id: str) -> str:
        """The tenant that submitted the job."""
        raw = await self.redis.hget(self._key(job_id), "tenant")
        return raw.decode() if isinstance(raw, bytes) else str(raw or PUBLIC)

    async def source(self, job_id: str, index: int) -> dict[str, Any] | None:
        """The article as submitted (kept in the job record, not in the queue, so queue logs never hold it)."""
        raw = await self.redis.hget(self._key(job_id), f"src:{index}")
        source: dict[str, Any] | None = msgspec.json.decode(raw) if raw else None
        return source

    async def finish_order(self, job_id: str) -> dict[int, int]:
        """Article index → its place in the order articles finished (over all jobs and tenants)."""
        raw = await self.redis.hgetall(self._key(job_id))
        out = {}
        for field, value in raw.items():
            name = field.decode() if isinstance(field, bytes) else field
            if name.startswith("o:"):
                out[int(name[2:])] = int(value)
        return out

    # -- jobs -------------------------------------------------------------------------------------------

    async def cancel(self, job_id: str, tenant: str | None) -> int | None:
        """Cancel the articles that have not started; None when the job is not the tenant's (or absent)."""
        meta = await self._meta(job_id, tenant)
        if meta is None:
            return None
        n = await self._cancel(
            keys=[
                self._key(job_id),
                self._key(job_id, ":finished"),
                self._key(job_id, ":cancelled"),
                f"{self.ns}:finish-seq",
                self._load(),
            ],
            args=[str(int(meta["total"])), str(self.retention), f"{self.ns}:load:"],
        )
        return int(n)

    async def progress(self, job_id: str, total: int | None = None) -> Progress:
        if total is None:
            meta = await self._meta(job_id, None)
            total = int(meta["total"]) if meta else 0
        async with self.redis.pipeline(transaction=False) as pipe:
            for suffix in (":finished", ":failed", ":cancelled"):
                pipe.scard(self._key(job_id, suffix))
            finished, failed, cancelled = (int(n) for n in await pipe.execute())
        return Progress(done=finished - failed - cancelled, failed=failed, total=total, cancelled=cancelled)

    async def all_finished(self, job_id: str) -> bool:
        progress = await self.progress(job_id)
        return progress.done + progress.failed + progress.cancelled >= progress.total

    async def mark_finished(self, job_id: str) -> None:
        """Stamp the job's end (the first stamp stays)."""
        await self._stamp(keys=[self._key(job_id)], args=[str(time.time())])

    async def save_callback(self, job_id: str, callback: CallbackStatus) -> None:
        await self.redis.hset(self._key(job_id), "callback", msgspec.json.encode(callback))

    async def callback(self, job_id: str) -> CallbackStatus | None:
        raw = await self.redis.hget(self._key(job_id), "callback")
        return msgspec.json.decode(raw, type=CallbackStatus) if raw else None

    async def _meta(self, job_id: str, tenant: str | None) -> dict[str, Any] | None:
        """The job's meta, or None when there is no such job for this tenant (None: any tenant, for workers).
        A malformed id is no job: it never reaches Redis as part of a key."""
        if not JOB_ID.fullmatch(job_id):
            return None
        raw = await self.redis.hget(self._key(job_id), "meta")
        if not raw:
            return None
        meta: dict[str, Any] = msgspec.json.decode(raw)
        if tenant is not None and meta.get("tenant", PUBLIC) != tenant:
            return None  # another tenant's job is as absent as a missing one
        return meta

    async def view(self, job_id: str, offset: int = 0, limit: int = 100, tenant: str | None = None) -> JobView | None:
        """The job with a page of its articles, or None when it does not exist (or expired, or belongs to
        another tenant)."""
        meta = await self._meta(job_id, tenant)
        if meta is None:
            return None
        total = int(meta["total"])
        indexes = range(offset, min(total, offset + limit))
        raws = await self.redis.hmget(self._key(job_id), [f"a:{i}" for i in indexes]) if indexes else []
        articles = [msgspec.json.decode(r, type=ArticleResult) for r in raws if r]
        progress = await self.progress(job_id, total)
        finished_raw, cancelled = await self.redis.hmget(self._key(job_id), ["finished_at", "cancelled"])
        finished = progress.done + progress.failed + progress.cancelled >= total
        status: JobStatus
        if finished:
            if cancelled and progress.cancelled:
                status = "cancelled"
            else:
                status = "failed" if progress.failed == total else "done"
        elif progress.done or progress.failed or await self._any_running(job_id, total):
            status = "running"
        else:
            status = "queued"
        if finished and not finished_raw:
            # The last article is recorded a moment before the worker stamps the job's end: a view in between
            # stamps it (the first stamp stays), so a finished job always has its finished_at.
            await self.mark_finished(job_id)
            finished_raw = await self.redis.hget(self._key(job_id), "finished_at")
        ttl = await self.redis.ttl(self._key(job_id))
        return JobView(
            id=job_id,
            status=status,
            progress=progress,
            created_at=iso(float(meta["created_at"])) or "",
            finished_at=iso(float(finished_raw)) if finished_raw and finished else None,
            expires_in_seconds=int(ttl) if ttl and ttl > 0 else None,
            callback=await self.callback(job_id),
            offset=offset,
            articles=articles,
        )

    async def jobs(self, tenant: str, cursor: int | None, limit: int) -> tuple[list[JobSummary], int | None]:
        """A page of the tenant's jobs, newest first, and the cursor of the next page (None at the end).
        Jobs whose records expired leave the index as they are met."""
        index = f"{self.ns}:index:{tenant}"
        top = f"({cursor}" if cursor is not None else "+inf"
        out: list[JobSummary] = []
        last: int | None = None
        while len(out) < limit:
            rows = await self.redis.zrevrangebyscore(index, top, "-inf", start=0, num=limit - len(out), withscores=True)
            if not rows:
                return out, None
            for member, score in rows:
                job_id = member.decode() if isinstance(member, bytes) else str(member)
                last = int(score)
                view = await self.view(job_id, 0, 0, tenant)
                if view is None:
                    await self.redis.zrem(index, member)
                    continue
                out.append(
                    JobSummary(
                        view.id, view.status, view.progress, view.created_at, view.finished_at, f"/v1/jobs/{view.id}"
                    )
                )
            top = f"({last}"
        more = await self.redis.zrevrangebyscore(index, top, "-inf", start=0, num=1)
        return out, (last if more else None)

    async def _any_running(self, job_id: str, total: int) -> bool:
        raws = await self.redis.hmget(self._key(job_id), [f"a:{i}" for i in range(min(total, 1000))])
        return any(r and b'"running"' in r for r in raws)


def _entry(raw: str) -> Entry:
    job_id, index, deadline = raw.split(":")
    return Entry(raw, job_id, int(index), float(deadline))
