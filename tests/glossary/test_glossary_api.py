"""The glossary domain: the service on litestar's MemoryStore, and /v1/glossary in a small app."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.testing import TestClient

from service.access import ApiKeyMiddleware, hash_key
from service.glossary.controllers import GlossaryController
from service.glossary.services import GlossaryFull, GlossaryService
from service.trust.glossary import GlossaryEntry
from tests.conftest import RedisServer

FILE = [GlossaryEntry("مسعود بزشكيان", "Masoud Pezeshkian", "person")]
PMF = {"ar": "الحشد الشعبي", "en": "Popular Mobilization Forces", "kind": "organization"}


# -- service ------------------------------------------------------------------------------------------------


async def test_service_keeps_tenants_apart_and_overrides_file_entries() -> None:
    service = GlossaryService(MemoryStore(), FILE)
    base = await service.glossary("public")
    assert base.english_for("بزشكيان") == "Masoud Pezeshkian"
    await service.replace("key:a", [GlossaryEntry("مسعود بزشكيان", "Masoud Pezeshkiyan", "person")])
    mine = await service.glossary("key:a")
    assert mine.english_for("مسعود بزشكيان") == "Masoud Pezeshkiyan" and mine.version != base.version
    assert (await service.glossary("key:b")).version == base.version  # another newsroom is untouched
    view = await service.view("key:a")
    assert [(i.en, i.source) for i in view.entries] == [("Masoud Pezeshkiyan", "tenant")]


async def test_service_upsert_delete_clear() -> None:
    service = GlossaryService(MemoryStore(), FILE)
    await service.upsert("t", GlossaryEntry("الحشد الشعبي", "PMF"))
    await service.upsert("t", GlossaryEntry("الحشد الشعبى", "Popular Mobilization Forces"))  # same, normalised
    assert [e.en for e in await service.tenant_entries("t")] == ["Popular Mobilization Forces"]
    v1 = (await service.glossary("t")).version
    assert await service.delete("t", "الحشدُ الشعبي") is True
    assert await service.delete("t", "الحشد الشعبي") is False
    assert (await service.glossary("t")).version != v1
    await service.upsert("t", GlossaryEntry("الحشد الشعبي", "PMF"))
    await service.clear("t")
    assert await service.tenant_entries("t") == []


async def test_service_bound() -> None:
    service = GlossaryService(MemoryStore(), max_entries=3)
    with pytest.raises(GlossaryFull):
        await service.replace("t", [GlossaryEntry(f"كلمة {k}", f"w{k}") for k in range(4)])
    await service.replace("t", [GlossaryEntry(f"كلمة {k}", f"w{k}") for k in range(3)])
    with pytest.raises(GlossaryFull):
        await service.upsert("t", GlossaryEntry("كلمة أخرى", "other"))
    await service.upsert("t", GlossaryEntry("كلمة 1", "one"))  # replacing stays within the bound
    assert len(await service.tenant_entries("t")) == 3


# -- API ----------------------------------------------------------------------------------------------------


def make_app(service: GlossaryService, key_hashes: list[str] | None = None) -> Litestar:
    middleware = [DefineMiddleware(ApiKeyMiddleware, hashes=key_hashes)] if key_hashes else []
    return Litestar(
        route_handlers=[GlossaryController],
        dependencies={"glossary_service": Provide(lambda: service, sync_to_thread=False)},
        plugins=[ProblemDetailsPlugin(ProblemDetailsConfig(enable_for_all_http_exceptions=True))],
        middleware=middleware,
    )


@pytest.fixture
def client() -> Iterator[TestClient]:  # type: ignore[type-arg]
    service = GlossaryService(MemoryStore(), FILE, max_entries=50)
    with TestClient(make_app(service)) as c:
        yield c


def test_get_lists_file_entries_for_the_public_tenant(client: TestClient) -> None:  # type: ignore[type-arg]
    r = client.get("/v1/glossary")
    assert r.status_code == 200
    body = r.json()
    assert body["tenant"] == "public" and body["file_entries"] == 1 and body["tenant_entries"] == 0
    assert body["entries"] == [
        {"ar": "مسعود بزشكيان", "en": "Masoud Pezeshkian", "kind": "person", "note": None, "source": "file"}
    ]


def test_put_replaces_and_changes_the_version(client: TestClient) -> None:  # type: ignore[type-arg]
    v0 = client.get("/v1/glossary").json()["version"]
    r = client.put("/v1/glossary", json={"entries": [PMF]})
    assert r.status_code == 200, r.text
    v1 = r.json()["version"]
    assert v1 != v0 and r.json()["tenant_entries"] == 1
    # PUT is idempotent, and replaces: the second list is the whole list.
    assert client.put("/v1/glossary", json={"entries": [PMF]}).json()["version"] == v1
    other = {"ar": "محور المقاومة", "en": "Axis of Resistance"}
    body = client.put("/v1/glossary", json={"entries": [other]}).json()
    assert [e["ar"] for e in body["entries"] if e["source"] == "tenant"] == ["محور المقاومة"]


def test_put_one_entry_and_delete_it(client: TestClient) -> None:  # type: ignore[type-arg]
    path = "/v1/glossary/" + quote("الحشد الشعبي")
    r = client.put(path, json={"en": "Popular Mobilization Forces", "kind": "organization"})
    assert r.status_code == 200, r.text
    assert any(e["en"] == "Popular Mobilization Forces" for e in r.json()["entries"])
    assert client.delete("/v1/glossary/" + quote("الحشدُ الشعبى")).status_code == 204
    r = client.delete(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert "glossary-entry-not-found" in r.json()["type"]


def test_delete_all(client: TestClient) -> None:  # type: ignore[type-arg]
    client.put("/v1/glossary", json={"entries": [PMF]})
    assert client.delete("/v1/glossary").status_code == 204
    assert client.get("/v1/glossary").json()["tenant_entries"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"entries": [{"ar": "", "en": "x"}]},
        {"entries": [{"ar": "Latin only", "en": "x"}]},
        {"entries": [{"ar": "الحشد", "en": "x", "kind": "weapon"}]},
        {"entries": [{"ar": "الحشد", "en": "x" * 201}]},
        {"entries": [{"ar": "الحشد"}]},
        {"entries": "not a list"},
        {"items": []},
    ],
)
def test_invalid_bodies_are_422_problems(client: TestClient, body: object) -> None:  # type: ignore[type-arg]
    r = client.put("/v1/glossary", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "invalid-glossary" in r.json()["type"] and r.json()["detail"]


def test_invalid_single_entry_is_422(client: TestClient) -> None:  # type: ignore[type-arg]
    assert client.put("/v1/glossary/abc", json={"en": "x"}).status_code == 422
    assert client.put("/v1/glossary/" + quote("الحشد"), json={"en": ""}).status_code == 422
    assert client.delete("/v1/glossary/abc").status_code == 422


def test_too_many_entries_is_413(client: TestClient) -> None:  # type: ignore[type-arg]
    entries = [{"ar": f"كلمة {k}", "en": f"w{k}"} for k in range(51)]
    r = client.put("/v1/glossary", json={"entries": entries})
    assert r.status_code == 413 and "glossary-too-large" in r.json()["type"]
    assert client.get("/v1/glossary").json()["tenant_entries"] == 0  # nothing stored


def test_oversized_body_is_413(client: TestClient) -> None:  # type: ignore[type-arg]
    huge = b'{"entries": [' + b'{"ar": "\\u0628", "en": "x"},' * 150_000 + b'{"ar": "\\u0628", "en": "x"}]}'
    r = client.put("/v1/glossary", content=huge, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_not_json_is_a_4xx_problem(client: TestClient) -> None:  # type: ignore[type-arg]
    r = client.put("/v1/glossary", content=b"{nope", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("application/problem+json")


def test_each_api_key_has_its_own_glossary() -> None:
    service = GlossaryService(MemoryStore(), FILE)
    with TestClient(make_app(service, [hash_key("alpha"), hash_key("beta")])) as c:
        assert c.get("/v1/glossary").status_code == 401
        a, b = {"X-API-Key": "alpha"}, {"X-API-Key": "beta"}
        assert c.put("/v1/glossary", json={"entries": [PMF]}, headers=a).status_code == 200
        view_a, view_b = c.get("/v1/glossary", headers=a).json(), c.get("/v1/glossary", headers=b).json()
        assert view_a["tenant"].startswith("key:") and view_a["tenant"] != view_b["tenant"]
        assert view_a["tenant_entries"] == 1 and view_b["tenant_entries"] == 0
        assert view_a["version"] != view_b["version"]


@pytest.mark.redis
async def test_service_on_redis(redis_server: RedisServer) -> None:
    from redis.asyncio import Redis

    store = RedisStore(Redis.from_url(redis_server.url), namespace="test-glossary")
    service = GlossaryService(store, FILE)
    await service.replace("key:a", [GlossaryEntry("الحشد الشعبي", "PMF", "organization")])
    # A second process (another service on the same store) sees the same entries and version.
    other = GlossaryService(RedisStore(Redis.from_url(redis_server.url), namespace="test-glossary"), FILE)
    assert (await other.glossary("key:a")).version == (await service.glossary("key:a")).version
    assert (await other.glossary("key:a")).english_for("والحشد الشعبي") == "PMF"


def test_openapi_documents_the_routes() -> None:
    schema = make_app(GlossaryService(MemoryStore())).openapi_schema.to_schema()
    assert {"/v1/glossary", "/v1/glossary/{ar}"} <= set(schema["paths"])
    assert {"get", "put", "delete"} <= set(schema["paths"]["/v1/glossary"])
