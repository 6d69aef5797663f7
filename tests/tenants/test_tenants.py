"""Tenants in the embedded mode: scoping of jobs, idempotency keys and digests; quotas; the integrator's job API."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from service.access import hash_key
from service.app import create_app, runtime_of
from service.config import Settings
from tests.conftest import make_settings

KEYS = {"a": "key-for-newsroom-a-000000000000", "b": "key-for-newsroom-b-000000000000"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def keyed(**env: str) -> Settings:
    return make_settings(
        models_load="off",
        auth_api_key_hashes=",".join(hash_key(k) for k in KEYS.values()),
        rate_limit_requests_per_minute="0",
        **env,
    )


def as_(who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {KEYS[who]}"}


@pytest.fixture
def client() -> Iterator[TestClient[Any]]:
    with TestClient(create_app(keyed())) as c:
        yield c


def tiny(k: int) -> dict[str, object]:
    return {"text": f"قال الوزير إن الاجتماع رقم {k} انتهى مساء أمس في العاصمة.", "ref": f"t-{k}"}


def wait(client: TestClient[Any], job_id: str, who: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        view: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=as_(who)).json()
        if view["status"] in ("done", "failed", "cancelled"):
            return view
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_an_idempotency_key_belongs_to_its_tenant(client: TestClient[Any], example_text: str) -> None:
    # Finding 1: B sending A's Idempotency-Key used to get A's job id and read A's results.
    a = client.post(
        "/v1/jobs", json={"text": example_text, "ref": "a-secret"}, headers={**as_("a"), "idempotency-key": "k1"}
    )
    assert a.status_code == 202
    b = client.post(
        "/v1/jobs", json={"text": example_text, "ref": "b-own"}, headers={**as_("b"), "idempotency-key": "k1"}
    )
    assert b.status_code == 202 and b.json()["duplicate"] is False and b.json()["id"] != a.json()["id"]
    # B cannot see A's job by id, in any form, and gets the same 404 as for a job that never existed.
    stolen = client.get(f"/v1/jobs/{a.json()['id']}", headers=as_("b"))
    missing = client.get(f"/v1/jobs/{'0' * 32}", headers=as_("b"))
    assert stolen.status_code == missing.status_code == 404
    assert stolen.json()["type"] == missing.json()["type"]
    assert client.delete(f"/v1/jobs/{a.json()['id']}", headers=as_("b")).status_code == 404
    assert [j["id"] for j in client.get("/v1/jobs", headers=as_("b")).json()["jobs"]] == [b.json()["id"]]
    mine = wait(client, b.json()["id"], "b")
    assert [x["ref"] for x in mine["articles"]] == ["b-own"]
    theirs = wait(client, a.json()["id"], "a")
    assert [x["ref"] for x in theirs["articles"]] == ["a-secret"]


def test_the_same_key_with_another_body_is_409_never_the_old_job(client: TestClient[Any]) -> None:
    first = client.post("/v1/jobs", json={"articles": [tiny(1)]}, headers={**as_("a"), "idempotency-key": "cms-7"})
    same = client.post("/v1/jobs", json={"articles": [tiny(1)]}, headers={**as_("a"), "idempotency-key": "cms-7"})
    assert same.status_code == 202 and same.json()["id"] == first.json()["id"] and same.json()["duplicate"] is True
    other = client.post("/v1/jobs", json={"articles": [tiny(2)]}, headers={**as_("a"), "idempotency-key": "cms-7"})
    assert other.status_code == 409, other.text
    problem = other.json()
    assert problem["type"].endswith("/idempotency-key-reused") and "different request body" in problem["detail"]
    assert other.headers["content-type"].startswith("application/problem+json")


def test_digests_are_scoped_and_cached_never_leaks(client: TestClient[Any], example_text: str) -> None:
    a = client.post("/v1/digest", json={"text": example_text}, headers=as_("a")).json()
    assert a["meta"]["cached"] is False
    # Finding 12: B could read A's digest by id, and `cached: true` told B that A had sent this text.
    assert client.get(f"/v1/digest/{a['id']}", headers=as_("b")).status_code == 404
    assert client.get(f"/v1/digest/{a['id']}", headers=as_("a")).status_code == 200
    b = client.post("/v1/digest", json={"text": example_text}, headers=as_("b")).json()
    assert b["id"] == a["id"] and b["meta"]["cached"] is False  # same content, same id; computed for B
    again = client.post("/v1/digest", json={"text": example_text}, headers=as_("b")).json()
    assert again["meta"]["cached"] is True


def test_a_shared_cache_still_does_not_tell_one_tenant_about_another(example_text: str) -> None:
    settings = keyed(cache_share_between_tenants="true")
    settings.auth.tenants = {"newsroom-c": [hash_key("key-c-1-0000000000000000"), hash_key("key-c-2-0000000000000000")]}
    with TestClient(create_app(settings)) as client:
        computed = runtime_of(client.app).digests.pipeline
        a = client.post("/v1/digest", json={"text": example_text}, headers=as_("a")).json()
        b = client.post("/v1/digest", json={"text": example_text}, headers=as_("b")).json()
        assert b["id"] == a["id"] and b["meta"]["cached"] is False
        assert computed is not None
        # Shared: B's answer came from A's computation (same id, the digest's own timings), yet says computed.
        assert b["meta"]["timings_ms"].keys() == {"total"}
        c1 = {"authorization": "Bearer key-c-1-0000000000000000"}
        c2 = {"authorization": "Bearer key-c-2-0000000000000000"}
        assert client.get(f"/v1/digest/{a['id']}", headers=c1).status_code == 404
        assert client.post("/v1/digest", json={"text": example_text}, headers=c1).json()["meta"]["cached"] is False
        # Two keys of one named tenant are one tenant: the second key sees the first key's request.
        assert client.post("/v1/digest", json={"text": example_text}, headers=c2).json()["meta"]["cached"] is True
        assert client.get(f"/v1/digest/{a['id']}", headers=c2).status_code == 200
        assert client.get("/v1/usage", headers=c2).json()["tenant"] == "newsroom-c"


def test_job_api_list_cancel_iso_and_malformed_ids(client: TestClient[Any]) -> None:
    ids = [client.post("/v1/jobs", json={"articles": [tiny(k)]}, headers=as_("a")).json()["id"] for k in range(3)]
    page = client.get("/v1/jobs", params={"limit": 2}, headers=as_("a")).json()
    assert [j["id"] for j in page["jobs"]] == ids[::-1][:2] and page["next_cursor"]
    rest = client.get("/v1/jobs", params={"limit": 2, "cursor": page["next_cursor"]}, headers=as_("a")).json()
    assert [j["id"] for j in rest["jobs"]] == ids[:1] and rest["next_cursor"] is None
    assert client.get("/v1/jobs", params={"cursor": "x"}, headers=as_("a")).status_code == 422
    view = wait(client, ids[0], "a")
    assert ISO.match(view["created_at"]) and ISO.match(view["finished_at"]), view
    assert ISO.match(view["articles"][0]["finished_at"])
    # Finding 16: the key of the job's finished set used to reach Redis as a job id (503).
    for bad in (f"{ids[0]}:finished", "x" * 300, "nope;x", ids[0].upper()):
        r = client.get(f"/v1/jobs/{bad}", headers=as_("a"))
        assert r.status_code == 404 and r.json()["type"].endswith("/job-not-found"), (bad, r.text)
        assert client.delete(f"/v1/jobs/{bad}", headers=as_("a")).status_code == 404


def test_cancel_leaves_what_ran_and_cancels_the_rest() -> None:
    with TestClient(create_app(keyed(jobs_worker_concurrency="1", jobs_dispatch_window="1"))) as client:
        job = client.post("/v1/jobs", json={"articles": [tiny(k) for k in range(300)]}, headers=as_("a")).json()
        cancelled = client.delete(f"/v1/jobs/{job['id']}", headers=as_("a")).json()
        assert cancelled["cancelled"] > 250, cancelled
        view = wait(client, job["id"], "a")
        progress = view["progress"]
        assert view["status"] == "cancelled" and progress["cancelled"] == cancelled["cancelled"]
        assert progress["done"] + progress["failed"] + progress["cancelled"] == 300
        statuses = {
            a["status"]
            for a in client.get(f"/v1/jobs/{job['id']}", params={"limit": 300}, headers=as_("a")).json()["articles"]
        }
        assert statuses <= {"done", "failed", "cancelled"} and "cancelled" in statuses
        assert client.delete(f"/v1/jobs/{job['id']}", headers=as_("a")).json()["cancelled"] == 0
        assert client.get("/v1/usage", headers=as_("a")).json()["queued_articles"] == 0


def test_characters_per_minute_across_digest_stream_and_jobs(example_text: str) -> None:
    n = len(example_text)
    with TestClient(create_app(keyed(rate_limit_chars_per_minute=str(int(n * 2.5))))) as client:
        assert client.post("/v1/digest", json={"text": example_text}, headers=as_("a")).status_code == 200
        assert client.post("/v1/jobs", json={"text": example_text}, headers=as_("a")).status_code == 202
        refused = client.post("/v1/digest/stream", json={"text": example_text}, headers=as_("a"))
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["type"].endswith("/quota-exceeded")
        usage = client.get("/v1/usage", headers=as_("a")).json()
        assert usage["character_count"] == 2 * n and usage["character_limit"] == int(n * 2.5)
        # Another tenant has its own count.
        assert client.post("/v1/digest", json={"text": example_text}, headers=as_("b")).status_code == 200
        too_big = client.post("/v1/jobs", json={"articles": [{"text": example_text}] * 3}, headers=as_("b"))
        assert too_big.status_code == 413 and too_big.json()["type"].endswith("/larger-than-quota")


def test_wrong_keys_are_rate_limited_by_address() -> None:
    # Finding 13: 200 wrong-key requests went through in 0.34 s, each a 401.
    with TestClient(create_app(keyed(rate_limit_failed_auth_per_minute="5"))) as client:
        assert client.get("/v1/usage", headers=as_("a")).status_code == 200
        codes = [client.get("/v1/usage", headers={"authorization": f"Bearer guess-{k}"}).status_code for k in range(8)]
        assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3
        blocked = client.get("/v1/usage", headers=as_("a"))  # a good key from a blocked address: no confirmation
        assert blocked.status_code == 429 and blocked.headers["retry-after"].isdigit()
        assert blocked.json()["type"].endswith("/too-many-failed-keys")
        assert client.get("/health/live").status_code == 200


def test_without_keys_everything_is_the_public_tenant(example_text: str) -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as client:
        usage = client.get("/v1/usage").json()
        assert usage["tenant"] == "public" and usage["queued_limit"] == 10_000 and usage["character_limit"] is None
        job = client.post("/v1/jobs", json={"text": example_text}).json()
        assert [j["id"] for j in client.get("/v1/jobs").json()["jobs"]] == [job["id"]]
