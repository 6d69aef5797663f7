"""Faults an operator meets: a full Redis, slow and greedy clients, an in-process cache that must stay bounded,
a readiness probe that must not leak, and an image built from hashed, pinned inputs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis
import yaml
from litestar.testing import TestClient

from service.access import hash_key
from service.app import create_app, runtime_of
from service.stores import BoundedMemoryStore, FallbackStore
from tests.conftest import _free_port, make_settings, served

ROOT = Path(__file__).resolve().parents[2]
MISSING = "0" * 32  # a digest id no one has: GET answers 404, and the rate limit counts it

# -- the bounded in-process store (finding 19) -------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_bounded_store_evicts_least_recently_used_first_by_entries() -> None:
    store = BoundedMemoryStore(max_entries=3, max_bytes=10_000)
    for key in ("a", "b", "c"):
        await store.set(key, key * 10)
    assert await store.get("a") == b"a" * 10  # "a" is now the most recently used; "b" the oldest
    await store.set("d", "d" * 10)
    assert [await store.exists(k) for k in "abcd"] == [True, False, True, True]
    await store.set("e", "e")
    assert [await store.exists(k) for k in "acde"] == [True, False, True, True]
    assert len(store) == 3 and store.evictions == 2


async def test_bounded_store_respects_its_byte_bound_and_refuses_what_cannot_fit() -> None:
    store = BoundedMemoryStore(max_entries=1000, max_bytes=1000)
    for k in range(10):
        await store.set(f"k{k}", b"x" * 200)  # 202 bytes each with the key: at most four fit
        assert store.bytes <= 1000
    assert len(store) == 4 and [await store.exists(f"k{k}") for k in range(6, 10)] == [True] * 4
    await store.set("k9", b"y" * 10)  # replacing a value gives its bytes back
    assert store.bytes == 3 * 202 + 12
    await store.set("huge", b"z" * 2000)  # larger than the store: not kept, nothing evicted for it
    assert not await store.exists("huge") and len(store) == 4
    await store.delete_all()
    assert store.bytes == 0 and len(store) == 0


async def test_bounded_store_expires_and_renews() -> None:
    clock = Clock()
    store = BoundedMemoryStore(max_entries=10, max_bytes=10_000, clock=clock)
    await store.set("short", "1", expires_in=10)
    await store.set("forever", "2")
    assert await store.expires_in("short") == 10 and await store.expires_in("forever") is None
    clock.now += 9
    assert await store.get("short", renew_for=30) == b"1"
    clock.now += 25
    assert await store.get("short") == b"1"
    clock.now += 10
    assert await store.get("short") is None and store.bytes == len("forever") + 1


def test_the_default_cache_is_the_bounded_store_and_stays_within_its_settings(example_text: str) -> None:
    app = create_app(make_settings(models_load="off", cache_memory_max_entries="4", rate_limit_requests_per_minute="0"))
    store = runtime_of(app).stores.digests
    assert isinstance(store, BoundedMemoryStore) and store.max_entries == 4
    with TestClient(app) as client:
        ids = []
        for k in range(4):  # each digest stores two entries: the digest and its request key
            r = client.post("/v1/digest", json={"text": example_text + f"\nوقال مصدر إن الاجتماع رقم {k} انتهى."})
            assert r.status_code == 200
            ids.append(r.json()["id"])
            assert len(store) <= 4
        assert client.get(f"/v1/digest/{ids[0]}").status_code == 404  # the oldest left
        assert client.get(f"/v1/digest/{ids[-1]}").status_code == 200


class RefusingWrites(BoundedMemoryStore):
    """A primary that reads but refuses writes while `full` (what a Redis at maxmemory with noeviction does)."""

    full = True

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        if self.full:
            raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")
        await super().set(key, value, expires_in)


async def test_a_key_whose_write_failed_stays_in_the_process_until_its_window_ends() -> None:
    clock = Clock()
    primary = RefusingWrites(100, 100_000, clock=clock)
    primary.full = False
    await primary.set("n", "2", expires_in=60)  # a count Redis held before it filled up
    primary.full = True
    store = FallbackStore(primary, BoundedMemoryStore(100, 100_000, clock=clock))
    assert await store.get("n") == b"2"
    await store.set("n", "3", expires_in=60)  # refused by the primary: kept in the process from this value
    assert await store.get("n") == b"3" and store.write_error
    primary.full = False  # Redis has room again, but this window's count stays where it is counted
    await store.set("n", "4", expires_in=60)
    assert await store.get("n") == b"4" and await primary.get("n") == b"2"
    clock.now += 61  # the window ended: back to the primary
    await store.set("n", "1", expires_in=60)
    assert await primary.get("n") == b"1" and store.write_error is None


# -- a full Redis (finding 7) ------------------------------------------------------------------------------


@pytest.fixture
def full_redis() -> Iterator[str]:
    """A real redis-server on loopback with 1 MB of maxmemory and noeviction, filled until it refuses writes."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed: .ci/run must install it")
        pytest.skip("redis-server is not installed here")
    port = _free_port()
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(
        [binary, *args, "--maxmemory", "1mb", "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, socket_timeout=2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        refused = False
        for k in range(5000):  # 5 MB of 1 kB values at most: bounded
            try:
                client.set(f"filler:{k}", b"x" * 1024)
            except redis.ResponseError as exc:
                assert isinstance(exc, redis.exceptions.OutOfMemoryError), exc
                refused = True
                break
        assert refused, "the 1 MB Redis never refused a write"
        assert client.get("filler:0") == b"x" * 1024  # reads still work: the trap the limiter fell into
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_rate_limit_keeps_counting_when_redis_is_full(full_redis: str) -> None:
    settings = make_settings(redis_url=full_redis, rate_limit_requests_per_minute="3", models_load="off")
    app = create_app(settings)
    with TestClient(app) as client:
        codes = [client.get(f"/v1/digest/{MISSING}").status_code for _ in range(20)]
        assert codes == [404] * 3 + [429] * 17
        counters = app.stores.get("rate_limit")
        assert isinstance(counters, FallbackStore) and counters.write_error
        assert counters.write_error.startswith("OutOfMemoryError")


def test_ready_reports_a_full_redis_and_shows_details_only_to_a_keyed_caller(full_redis: str) -> None:
    settings = make_settings(redis_url=full_redis, auth_api_key_hashes=hash_key("ops-key"), models_load="off")
    port = full_redis.rsplit(":", 1)[1].split("/")[0]
    with TestClient(create_app(settings)) as client:
        open_ = client.get("/health/ready")
        assert open_.status_code == 200
        body = open_.json()
        assert body["status"] == "degraded"
        assert body["capabilities"]["cache"] == {"available": False}
        assert body["capabilities"]["rate_limit"] == {"available": False}
        assert all(set(c) == {"available"} for c in body["capabilities"].values())
        assert port not in open_.text and "memory" not in open_.text and "127.0.0.1" not in open_.text
        wrong = client.get("/health/ready", headers={"x-api-key": "not-the-key"})
        assert "detail" not in wrong.text
        keyed = client.get("/health/ready", headers={"authorization": "Bearer ops-key"}).json()
        cache = keyed["capabilities"]["cache"]
        assert cache["available"] is False and "out of memory" in cache["detail"] and "noeviction" in cache["detail"]
        assert "out of memory" in keyed["capabilities"]["rate_limit"]["detail"]


def test_ready_details_go_to_loopback_callers_when_keys_are_off() -> None:
    dead = _free_port()  # nothing listens there: the cache's error names the address
    with TestClient(create_app(make_settings(redis_url=f"redis://127.0.0.1:{dead}/0", models_load="off"))) as client:
        remote = client.get("/health/ready")  # the test client's address is "testclient", not loopback
        assert remote.json()["capabilities"]["cache"] == {"available": False}
        assert str(dead) not in remote.text
    with served(KHULASA_REDIS_URL=f"redis://127.0.0.1:{dead}/0", KHULASA_MODELS_LOAD="off") as (port, _):
        local = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10).json()
    assert (
        local["capabilities"]["cache"]["available"] is False and str(dead) in local["capabilities"]["cache"]["detail"]
    )


# -- slow and greedy clients (finding 9) --------------------------------------------------------------------

SLOW = {
    "KHULASA_MODELS_LOAD": "off",
    "KHULASA_SERVER_HEADER_TIMEOUT_SECONDS": "2",
    "KHULASA_SERVER_BODY_TIMEOUT_SECONDS": "2",
    "KHULASA_SERVER_TIMEOUT_KEEP_ALIVE": "1",
    "KHULASA_SERVER_LIMIT_CONCURRENCY": "80",
    "KHULASA_RATE_LIMIT_REQUESTS_PER_MINUTE": "0",
}


async def _slow_head(port: int, limit_s: float) -> tuple[float, bytes]:
    """Sends a request head one byte every 0.25 s; how long until the server answered or closed, and what."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    answer = b""
    try:
        while time.monotonic() - started < limit_s:
            try:
                writer.write(b"X")
                await writer.drain()
            except ConnectionError:
                break
            try:
                chunk = await asyncio.wait_for(reader.read(4096), 0.25)
            except TimeoutError:
                continue
            except ConnectionError:
                break
            answer += chunk
            if not chunk:
                break  # closed
        return time.monotonic() - started, answer
    finally:
        writer.close()


async def _slow_body(port: int, limit_s: float) -> tuple[float, bytes]:
    """POSTs a 1,000-byte body at 2 bytes per second."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(
        b"POST /v1/digest HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n"
    )
    answer = b""
    try:
        while time.monotonic() - started < limit_s:
            try:
                writer.write(b"  ")
                await writer.drain()
            except ConnectionError:
                break
            try:
                chunk = await asyncio.wait_for(reader.read(4096), 1.0)
            except TimeoutError:
                continue
            except ConnectionError:
                break
            answer += chunk
            if not chunk:
                break
        return time.monotonic() - started, answer
    finally:
        writer.close()


async def _live_while(port: int, seconds: float) -> list[float]:
    """/health/live latencies, polled during the slow clients."""
    out = []
    async with httpx.AsyncClient(timeout=5) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t = time.monotonic()
            r = await client.get(f"http://127.0.0.1:{port}/health/live")
            assert r.status_code == 200
            out.append(time.monotonic() - t)
            await asyncio.sleep(0.2)
    return out


def test_slow_heads_and_a_slow_body_are_cut_off_and_live_still_answers() -> None:
    with served(**SLOW) as (port, _):

        async def scenario() -> tuple[list[tuple[float, bytes]], tuple[float, bytes], list[float]]:
            heads = [_slow_head(port, 15) for _ in range(50)]
            results = await asyncio.gather(asyncio.gather(*heads), _slow_body(port, 15), _live_while(port, 3))
            return results[0], results[1], results[2]

        heads, body, live = asyncio.run(scenario())
    # Every slow head: a 408 problem and a closed connection within the 2 s head timeout (plus scheduling slack).
    assert len(heads) == 50
    assert all(elapsed < 6 for elapsed, _ in heads), sorted(e for e, _ in heads)[-5:]
    assert all(answer.startswith(b"HTTP/1.1 408") and b"application/problem+json" in answer for _, answer in heads)
    elapsed, answer = body
    assert elapsed < 6, elapsed
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"application/problem+json" in answer and b"connection: close" in answer.lower()
    assert len(live) >= 5 and max(live) < 2, live


def test_idle_connections_close_and_past_the_concurrency_ceiling_the_answer_is_503() -> None:
    env = {**SLOW, "KHULASA_SERVER_LIMIT_CONCURRENCY": "10", "KHULASA_SERVER_HEADER_TIMEOUT_SECONDS": "30"}
    with served(**env) as (port, _):
        # A connection that never sends a byte is closed too (it counts against the ceiling otherwise).
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(12)]
        try:
            time.sleep(0.3)
            r = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=5)
            assert r.status_code == 503
        finally:
            for s in idle:
                s.close()
        deadline = time.monotonic() + 5
        while httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=5).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # A kept-alive connection idle past server.timeout_keep_alive (1 s) is closed by the server.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            started, answer = time.monotonic(), b""
            while chunk := s.recv(4096):  # until the server closes (bounded by the socket's 5 s timeout)
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b'{"status":"alive"}')
            assert time.monotonic() - started < 4
        # A request head still incomplete past server.h11_max_incomplete_event_size (16 kB) is refused.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nx-filler: ")
            answer = b""
            for _ in range(20):  # 40 kB in 2 kB pieces, never ending the header
                try:
                    s.sendall(b"a" * 2048)
                except OSError:
                    break
                time.sleep(0.02)
            with contextlib.suppress(OSError):
                answer = s.recv(4096)
            assert answer.startswith(b"HTTP/1.1 400"), answer[:100]


def test_a_connection_that_sends_nothing_is_closed_after_the_head_timeout() -> None:
    with served(**SLOW) as (port, _), socket.create_connection(("127.0.0.1", port), timeout=8) as s:
        started = time.monotonic()
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408") and 1.5 < time.monotonic() - started < 6
        assert s.recv(4096) == b""


# -- the image: pinned base, hashed lock (finding 21), Redis settings in compose --------------------------


def _lock() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as name -> (version, hashes)."""
    text = (ROOT / "requirements.lock").read_text()
    out: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9_.\-]+)==([^\s\\;]+)", block)
        if m:
            name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
            out[name] = (m.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return out


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = _lock()
    assert len(lock) > 30
    assert all(hashes for _, hashes in lock.values()), [n for n, (_, h) in lock.items() if not h]
    for requirement in project["dependencies"] + project["optional-dependencies"]["ct2"]:
        m = re.match(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*==\s*([^\s;,]+)$", requirement)
        assert m, f"{requirement!r} is not pinned with =="
        name, version = re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(3)
        if name == "torch":
            continue  # the CPU build, from PyTorch's index: checked against the Dockerfile below
        assert name in lock, f"{name} is not in requirements.lock: run scripts/lock.sh"
        assert lock[name][0] == version, f"{name}: pyproject {version}, lock {lock[name][0]}: run scripts/lock.sh"
    assert "torch" not in lock  # it would bring the CUDA build's nvidia-* packages
    assert {"sympy", "networkx", "filelock", "jinja2", "fsspec"} <= set(lock)  # torch's own, locked


def test_the_dockerfile_installs_from_the_lock_and_pins_its_base() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"pip install --require-hashes --no-deps -r requirements\.lock", dockerfile)
    torch = re.search(r"pip install --no-deps --index-url \S+/whl/cpu torch==(\S+)", dockerfile)
    pinned = [
        d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"] if "torch" in d
    ]
    assert torch and pinned == [f"torch=={torch.group(1)}"]
    # The project itself: no dependency resolution outside the lock.
    assert re.search(r'pip install --no-deps --no-build-isolation "?\.', dockerfile)
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", dockerfile, re.M)
    assert base and "FROM ${PYTHON_IMAGE}" in dockerfile and base.group(1).startswith("python:3.11-slim-bookworm")


def test_compose_runs_redis_with_persistence_and_a_refusing_maxmemory() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    command = compose["services"]["redis"]["command"]
    flags = dict(zip(command[1::2], command[2::2], strict=False))
    assert flags["--appendonly"] == "yes" and flags["--maxmemory"] == "512mb"
    assert flags["--maxmemory-policy"] == "noeviction"  # job records must never be evicted silently
