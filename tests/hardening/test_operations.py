"""Overload, deadlines, Redis faults, access control, CORS and what the logs may carry."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx
import pytest
from litestar.testing import TestClient

from service.access import hash_key
from service.app import create_app, runtime_of
from service.runtime import Runtime
from tests.conftest import RedisServer, _free_port, build_runtime, make_settings, served

ROOT = Path(__file__).resolve().parents[2]


def _article(k: int, text: str) -> str:
    return text + f"\nوقال مصدر مطلع إن الاجتماع رقم {k} كان مثمرا للغاية."


# -- overload and deadlines (need real work that takes time: the tiny models with the real profiles) --------


@pytest.fixture(scope="module")
def slow_runtime(tiny_models: dict[str, Path]) -> Runtime:
    rt = build_runtime(
        summary_model=str(tiny_models["summary"]),
        translation_model=str(tiny_models["translation"]),
        limits_max_in_flight="1",
        limits_retry_after_seconds="7",
    )
    rt.models.load_all()
    return rt


async def test_past_max_in_flight_the_answer_is_503_with_retry_after(slow_runtime: Runtime, example_text: str) -> None:
    app = create_app(runtime=Runtime.build(slow_runtime.settings, models=slow_runtime.models))
    service = runtime_of(app).digests
    # httpx's ASGI transport runs requests truly concurrently on this loop (models are already loaded).
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://khulasa") as client:
        results: dict[str, object] = {}

        async def first() -> None:
            results["first"] = await client.post("/v1/digest", json={"text": _article(1, example_text)})

        async with anyio.create_task_group() as tg:
            tg.start_soon(first)
            with anyio.fail_after(30):
                while service.slots.used == 0:  # noqa: ASYNC110  # polls a thread-side counter
                    await anyio.sleep(0.01)
            second = await client.post("/v1/digest", json={"text": _article(2, example_text)})
        assert second.status_code == 503
        assert second.headers["retry-after"] == "7"
        assert "limits.max_in_flight" in second.json()["detail"]
        assert results["first"].status_code == 200  # type: ignore[attr-defined]
        assert service.slots.used == 0
        # A cached digest needs no slot.
        again = await client.post("/v1/digest", json={"text": _article(1, example_text)})
        assert again.status_code == 200 and again.json()["meta"]["cached"] is True


def test_a_digest_past_its_deadline_answers_504_and_frees_its_slot(
    tiny_models: dict[str, Path], example_text: str
) -> None:
    settings = make_settings(
        summary_model=str(tiny_models["summary"]),
        translation_model=str(tiny_models["translation"]),
        limits_request_timeout_seconds="0.3",
    )
    app = create_app(settings)
    service = runtime_of(app).digests
    with TestClient(app) as client:
        started = time.monotonic()
        r = client.post("/v1/digest", json={"text": example_text * 4})
        assert r.status_code == 504, r.text
        assert "limits.request_timeout_seconds" in r.json()["detail"]
        assert time.monotonic() - started < 10
        deadline = time.monotonic() + 10
        while service.slots.used and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.slots.used == 0
        assert client.get(f"/v1/digest/{'0' * 32}").status_code == 404  # still answering


# -- Redis faults ------------------------------------------------------------------------------------------


def test_redis_down_at_start_then_back_without_restart(example_text: str) -> None:
    server = RedisServer(_free_port())  # not started yet
    with TestClient(create_app(make_settings(redis_url=server.url))) as client:
        d = client.post("/v1/digest", json={"text": example_text}).json()
        assert d["meta"]["cached"] is False
        assert any(w["code"] == "cache-unavailable" for w in d["meta"]["warnings"])
        ready = client.get("/health/ready").json()
        assert ready["status"] == "degraded" and not ready["capabilities"]["cache"]["available"]
        server.start()
        try:
            assert client.get("/health/ready").json()["capabilities"]["cache"]["available"]
            first = client.post("/v1/digest", json={"text": example_text}).json()
            assert not any(w["code"] == "cache-unavailable" for w in first["meta"]["warnings"])
            second = client.post("/v1/digest", json={"text": example_text}).json()
            assert second["meta"]["cached"] is True and second["id"] == d["id"]
        finally:
            server.stop()


def test_redis_killed_and_restarted_while_serving(redis_server: RedisServer, example_text: str) -> None:
    with TestClient(create_app(make_settings(redis_url=redis_server.url))) as client:
        a = client.post("/v1/digest", json={"text": _article(1, example_text)}).json()
        assert client.post("/v1/digest", json={"text": _article(1, example_text)}).json()["meta"]["cached"]
        redis_server.stop()
        b = client.post("/v1/digest", json={"text": _article(2, example_text)})
        assert b.status_code == 200 and any(w["code"] == "cache-unavailable" for w in b.json()["meta"]["warnings"])
        assert client.get("/health/ready").json()["capabilities"]["cache"]["available"] is False
        redis_server.start()  # same port, empty: the in-memory Redis lost its data, as a restart would
        assert client.get("/health/ready").json()["capabilities"]["cache"]["available"] is True
        c = client.post("/v1/digest", json={"text": _article(1, example_text)}).json()
        assert c["id"] == a["id"] and not any(w["code"] == "cache-unavailable" for w in c["meta"]["warnings"])
        assert client.post("/v1/digest", json={"text": _article(1, example_text)}).json()["meta"]["cached"]
        assert client.get("/health/ready").json()["capabilities"]["cache"]["available"] is True


# -- access control ------------------------------------------------------------------------------------


def test_api_keys_when_configured(example_text: str) -> None:
    settings = make_settings(auth_api_key_hashes=f"{hash_key('newsroom-key')},{hash_key('archive-key')}")
    with TestClient(create_app(settings)) as client:
        body = {"text": example_text}
        missing = client.post("/v1/digest", json=body)
        assert missing.status_code == 401 and missing.headers["content-type"].startswith("application/problem+json")
        assert missing.headers["www-authenticate"] == "Bearer"
        assert client.post("/v1/digest", json=body, headers={"authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/v1/digest", json=body, headers={"authorization": "Bearer newsroom-key"}).status_code == 200
        assert client.post("/v1/digest", json=body, headers={"x-api-key": "archive-key"}).status_code == 200
        assert client.get("/health/live").status_code == 200
        assert client.get("/health/ready").status_code == 200


def test_rate_limit_per_key(example_text: str) -> None:
    settings = make_settings(auth_api_key_hashes=f"{hash_key('a')},{hash_key('b')}", rate_limit_requests_per_minute="3")
    with TestClient(create_app(settings)) as client:
        codes = [
            client.post("/v1/digest", json={"text": example_text}, headers={"x-api-key": "a"}).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = client.post("/v1/digest", json={"text": example_text}, headers={"x-api-key": "a"})
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert client.post("/v1/digest", json={"text": example_text}, headers={"x-api-key": "b"}).status_code == 200
        assert all(client.get("/health/live").status_code == 200 for _ in range(5))


def test_rate_limit_per_address_in_redis_survives_redis_going_away(
    redis_server: RedisServer, example_text: str
) -> None:
    settings = make_settings(redis_url=redis_server.url, rate_limit_requests_per_minute="2")
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        # Two processes share the counter in Redis.
        assert one.post("/v1/digest", json={"text": example_text}).status_code == 200
        assert two.post("/v1/digest", json={"text": example_text}).status_code == 200
        assert one.post("/v1/digest", json={"text": example_text}).status_code == 429
        redis_server.stop()
        # Without Redis each process limits on its own, and keeps answering.
        assert two.post("/v1/digest", json={"text": example_text}).status_code == 200
        assert two.post("/v1/digest", json={"text": example_text}).status_code == 200
        assert two.post("/v1/digest", json={"text": example_text}).status_code == 429


def test_cors_is_closed_by_default_and_opens_per_origin(example_text: str) -> None:
    preflight = {"origin": "https://cms.example", "access-control-request-method": "POST"}
    with TestClient(create_app(make_settings())) as closed:
        r = closed.post("/v1/digest", json={"text": example_text}, headers={"origin": "https://cms.example"})
        assert "access-control-allow-origin" not in r.headers
    with TestClient(create_app(make_settings(cors_allow_origins="https://cms.example"))) as open_:
        r = open_.options("/v1/digest", headers=preflight)
        assert r.headers.get("access-control-allow-origin") == "https://cms.example"
        r = open_.options("/v1/digest", headers={**preflight, "origin": "https://evil.example"})
        assert r.headers.get("access-control-allow-origin") != "https://evil.example"


def test_logs_carry_ids_sizes_and_timings_never_text_or_keys() -> None:
    secret_text = "قال المصدر السري زمردة إن الاجتماع سيعقد غدا في عمان."
    with served(KHULASA_AUTH_API_KEY_HASHES=hash_key("very-secret-key"), KHULASA_MODELS_LOAD="off") as (port, proc):
        url = f"http://127.0.0.1:{port}/v1/digest"
        ok = httpx.post(url, json={"text": secret_text}, headers={"authorization": "Bearer very-secret-key"})
        refused = httpx.post(url, json={"text": secret_text}, headers={"authorization": "Bearer very-secret-key-2"})
        assert ok.status_code == 200 and refused.status_code == 401
        proc.terminate()
        out = proc.communicate(timeout=20)[0]
    assert ok.json()["id"] in out and '"chars":' in out and '"ms":' in out
    assert "زمردة" not in out and "very-secret-key" not in out


# -- load ----------------------------------------------------------------------------------------------


def test_load_script_against_a_served_instance() -> None:
    with served(KHULASA_RATE_LIMIT_REQUESTS_PER_MINUTE="0", KHULASA_MODELS_LOAD="off") as (port, _):
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "load.py"),
                "--url",
                f"http://127.0.0.1:{port}",
                "--clients",
                "4",
                "--requests",
                "40",
                "--seconds",
                "60",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["requests"] == 40 and report["errors"] == {}
    assert 0 < report["cache_hit_ratio"] < 1 and report["p50_ms"] > 0


def test_load_script_refuses_non_loopback_targets() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "load.py"), "--url", "http://10.0.0.1:8000"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0 and "loopback" in result.stderr


def test_after_a_cache_failure_requests_skip_redis_for_a_while(example_text: str) -> None:
    app = create_app(make_settings(redis_url=RedisServer(_free_port()).url, cache_retry_seconds="60"))
    cache = runtime_of(app).digests.cache
    calls: list[str] = []

    class CountingStore:
        """The real Redis store, with its reads counted."""

        def __init__(self, inner: object) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        async def get(self, key: str, renew_for: object = None) -> bytes | None:
            calls.append(key)
            return await self.inner.get(key)  # type: ignore[attr-defined,no-any-return]

    cache.store = CountingStore(cache.store)  # type: ignore[assignment]
    with TestClient(app) as client:
        first = client.post("/v1/digest", json={"text": _article(1, example_text)}).json()
        tried = len(calls)
        second = client.post("/v1/digest", json={"text": _article(2, example_text)}).json()
    assert tried >= 1 and len(calls) == tried  # the second request did not wait on Redis
    for d in (first, second):
        assert any(w["code"] == "cache-unavailable" for w in d["meta"]["warnings"])
