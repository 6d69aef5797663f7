"""Quotas and faults on a real redis-server: the flood against a small per-key quota, the global queue limit,
and a full Redis (maxmemory + noeviction)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from redis import Redis

from service.access import hash_key
from service.app import create_app
from service.jobs.tasks import dispatch
from tests.conftest import RedisServer, _free_port, build_runtime, make_settings

KEYS = {"a": "flood-key-a-000000000000000000", "b": "flood-key-b-000000000000000000"}


def tiny(k: int) -> dict[str, object]:
    return {"text": f"قال الوزير إن الاجتماع رقم {k} انتهى مساء أمس."}


@pytest.mark.redis
def test_a_flood_is_refused_past_the_quota_and_redis_stays_bounded(redis_server: RedisServer) -> None:
    # Finding 3: 20 requests of 10,000 articles queued 200,000 articles (+230 MB of Redis) in 45 s.
    settings = make_settings(
        redis_url=redis_server.url,
        cache_namespace=f"t-{uuid.uuid4().hex[:6]}",
        jobs_workers="0",
        models_load="off",
        rate_limit_requests_per_minute="0",
        auth_api_key_hashes=",".join(hash_key(k) for k in KEYS.values()),
        jobs_max_queued_articles_per_key="1000",
        jobs_max_queued_articles="1500",
    )
    redis = Redis.from_url(redis_server.url)
    before = int(redis.info("memory")["used_memory"])
    a = {"x-api-key": KEYS["a"]}
    with TestClient(create_app(settings)) as client:
        codes: list[int] = []
        started = time.monotonic()
        # 20 × 10,000 articles, as jobs of 1,000.
        for n in range(200):
            r = client.post("/v1/jobs", json={"articles": [tiny(n * 1000 + k) for k in range(1000)]}, headers=a)
            codes.append(r.status_code)
            if r.status_code == 429:
                assert int(r.headers["retry-after"]) > 0 and r.json()["type"].endswith("/quota-exceeded")
        elapsed = time.monotonic() - started
        assert codes[0] == 202 and codes[1:] == [429] * 199
        # A job larger than the whole quota can never fit: 413, not a 429 to retry forever.
        whole = client.post("/v1/jobs", json={"articles": [tiny(k) for k in range(1001)]}, headers=a)
        assert whole.status_code == 413 and whole.json()["type"].endswith("/larger-than-quota")
        usage = client.get("/v1/usage", headers=a).json()
        assert usage["queued_articles"] == 1000 and usage["queued_limit"] == 1000
        # The other tenant still gets in, until the server-wide limit (1,500) would be passed: 503.
        b = {"x-api-key": KEYS["b"]}
        assert client.post("/v1/jobs", json={"articles": [tiny(k) for k in range(400)]}, headers=b).status_code == 202
        full = client.post("/v1/jobs", json={"articles": [tiny(k) for k in range(200)]}, headers=b)
        assert full.status_code == 503 and full.json()["type"].endswith("/queue-full") and full.headers["retry-after"]
        after = int(redis.info("memory")["used_memory"])
        queued = sum(int(redis.llen(k)) for k in redis.scan_iter(f"{settings.cache.namespace}:jobs:pending:*"))
    print(
        f"flood: {codes.count(202)} accepted, {codes.count(429)} refused in {elapsed:.1f} s; {queued} articles "
        f"queued; used_memory {before} -> {after} (+{(after - before) / 1e6:.2f} MB)"
    )
    assert queued == 1400
    assert after - before < 5_000_000  # 1,400 small articles, not 200,000
    redis.close()


class FullRedis(RedisServer):
    """A redis-server with a tiny maxmemory and no eviction: writes past it are refused."""

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed here")
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                "4mb",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                Redis(port=self.port).ping()
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")


@pytest.fixture
def full_redis() -> Iterator[FullRedis]:
    server = FullRedis(_free_port())
    server.start()
    yield server
    server.stop()


def _fill(redis: Redis) -> int:  # type: ignore[type-arg]
    """Write junk until Redis refuses even small writes; the number of keys written. The connection stays
    open: closing it would free its buffers, and Redis would have room again."""
    n = 0
    for size in (2000, 200, 20, 1):
        try:
            while n < 100_000:
                redis.set(f"junk:{n}", "x" * size)
                n += 1
        except Exception as exc:
            assert "maxmemory" in str(exc)
    return n


@pytest.mark.redis
def test_a_full_redis_fails_articles_with_a_reason_and_refuses_submissions_whole(full_redis: FullRedis) -> None:
    # Finding 7: a full Redis left an article `running` forever.
    async def scenario() -> None:
        runtime = build_runtime(redis_url=full_redis.url, models_load="off", jobs_workers="0")
        await runtime.queue.connect()
        jobs, store = runtime.jobs, runtime.jobs.store
        from service.jobs.schemas import JobRequest

        accepted = await jobs.submit(JobRequest(articles=[JobRequest(**tiny(k)) for k in range(3)]), "full-1")  # type: ignore[misc]
        filler = Redis.from_url(full_redis.url)
        assert _fill(filler) > 0
        keys_before = int(await store.redis.dbsize())
        # A submission on a full Redis is refused whole: nothing of it is written.
        with pytest.raises(Exception, match="maxmemory"):
            await jobs.submit(JobRequest(articles=[JobRequest(**tiny(k)) for k in range(3)]), "full-2")  # type: ignore[misc]
        assert int(await store.redis.dbsize()) == keys_before
        # The dispatcher cannot hand the articles to the queue: each fails with the reason, none stays queued.
        await dispatch(runtime.job_runtime, 4)
        view = await store.view(accepted.id, 0, 10)
        assert view is not None and view.status == "failed" and view.progress.failed == 3, view
        assert {a.error.type.rsplit("/", 1)[1] for a in view.articles if a.error} == {"storage-full"}
        assert "maxmemory" in view.articles[0].error.detail  # type: ignore[union-attr]
        assert await store.load("public") == 0
        filler.close()
        await runtime.close()

    asyncio.run(scenario())
