"""One error model: every refusal, Khulasa's or Litestar's, is a problem document with a stable `type`, a short
`title`, the `status`, a `detail`, and the fields at fault by their API names. One test walks every problem type
the README's table lists and provokes it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from redis.exceptions import ConnectionError as RedisConnectionError

from service.access import hash_key
from service.app import create_app, runtime_of
from service.config import HOME
from service.digest.schemas import DigestRequest
from service.errors import PROBLEM_BASE, InvalidText, Problem, problem_kinds
from tests.conftest import make_settings

Client = TestClient  # type: ignore[type-arg]
README = (HOME / "README.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([a-z-]+)` \| (\d{3}) \|", re.MULTILINE)
ARTICLE = "قال وزير الخارجية إن المحادثات كانت مثمرة وإن الجانبين اتفقا على مواصلة الحوار."


def readme_types() -> dict[str, int]:
    """The problem types the README's table lists, with their statuses."""
    return {slug: int(status) for slug, status in ROW.findall(README)}


def assert_problem(r: httpx.Response, slug: str, status: int) -> dict[str, Any]:
    """The answer is a complete problem document of this type."""
    assert r.status_code == status, (slug, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body: dict[str, Any] = r.json()
    kind = {k.slug: k for k in problem_kinds()}[slug]
    assert body["type"] == PROBLEM_BASE + slug, body
    assert body["title"] == kind.title_text and len(body["title"]) <= 60, body
    assert body["status"] == status and body["detail"] and body["detail"] != body["title"], body
    if status in (429, 503):
        assert int(r.headers["retry-after"]) >= 1, r.headers
    return body


def test_the_readme_table_lists_every_problem_type_once_with_its_status() -> None:
    listed = readme_types()
    assert len(ROW.findall(README)) == len(listed), "a type is listed twice"
    assert listed == {kind.slug: kind.code for kind in problem_kinds()}


@pytest.fixture
def app() -> Iterator[Litestar]:
    yield create_app(make_settings(rate_limit_requests_per_minute="0", jobs_callback_secret="s" * 32))


def _post(c: Client, body: Any, **kw: Any) -> httpx.Response:
    return c.post("/v1/digest", json=body, **kw)


def _raw(c: Client, content: bytes, media: str = "application/json") -> httpx.Response:
    return c.post("/v1/digest", content=content, headers={"content-type": media})


# Each problem type, provoked through HTTP in the default app (c) or a specially configured one.
PROVOKE: dict[str, Callable[[Client], httpx.Response]] = {
    "invalid-json": lambda c: _raw(c, b'{"text": "no end'),
    "invalid-encoding": lambda c: _raw(c, b'{"text": "\xff\xfe"}'),
    "not-found": lambda c: c.get("/v2/nothing-here"),
    "digest-not-found": lambda c: c.get("/v1/digest/" + "0" * 32),
    "job-not-found": lambda c: c.get("/v1/jobs/" + "0" * 32),
    "method-not-allowed": lambda c: c.put("/v1/digest", json={"text": ARTICLE}),
    "article-too-large": lambda c: _post(c, {"text": "ب" * 60_001}),
    "markup-too-deep": lambda c: _post(c, {"text": "<div>" * 300 + ARTICLE + "</div>" * 300, "format": "html"}),
    "unsupported-media-type": lambda c: _raw(c, b"text=hello", "application/x-www-form-urlencoded"),
    "capability-unavailable": lambda c: _post(c, {"text": ARTICLE, "options": {"summary": "abstractive"}}),
    "empty-article": lambda c: _post(c, {"text": " \n\t "}),
    "invalid-job": lambda c: c.post("/v1/jobs", json={"text": ARTICLE, "callback_include_digests": True}),
    "invalid-request": lambda c: _post(c, {"text": ARTICLE, "colour": "red"}),
    "not-arabic": lambda c: _post(c, {"text": "This is an English article about the weather in London today."}),
    "glossary-entry-not-found": lambda c: c.delete("/v1/glossary/" + "كلمة غير موجودة"),
    "invalid-glossary": lambda c: c.put("/v1/glossary", json={"entries": [{"ar": "English", "en": "x"}]}),
    "glossary-too-large": lambda c: c.put(
        "/v1/glossary", json={"entries": [{"ar": f"كلمة رقم {k}", "en": f"w{k}"} for k in range(5001)]}
    ),
}


def _special(slug: str, monkeypatch: pytest.MonkeyPatch) -> httpx.Response:
    """The types that need their own settings or a failing part."""
    if slug == "unauthorized":
        with TestClient(create_app(make_settings(auth_api_key_hashes=hash_key("k" * 20)))) as c:
            return _post(c, {"text": ARTICLE})
    if slug == "body-too-large":
        with TestClient(create_app(make_settings(limits_max_body_bytes="2048"))) as c:
            r = _raw(c, b'{"text": "' + b"a" * 4096 + b'"}')
            assert r.json()["limit"] == 2048 and "2,048" in r.json()["detail"]
            return r
    if slug == "rate-limited":
        with TestClient(create_app(make_settings(rate_limit_requests_per_minute="1"))) as c:
            c.get("/v1/digest/" + "0" * 32)
            return c.get("/v1/digest/" + "0" * 32)
    if slug == "idempotency-key-reused":
        with TestClient(create_app(make_settings())) as c:
            key = {"Idempotency-Key": "same-key-twice"}
            assert c.post("/v1/jobs", json={"text": ARTICLE}, headers=key).status_code == 202
            return c.post("/v1/jobs", json={"text": ARTICLE + " وأضاف."}, headers=key)
    if slug in ("larger-than-quota", "quota-exceeded"):
        limit = len(ARTICLE) + 10
        with TestClient(create_app(make_settings(rate_limit_chars_per_minute=str(limit)))) as c:
            if slug == "larger-than-quota":
                return _post(c, {"text": ARTICLE + " " + ARTICLE})
            assert _post(c, {"text": ARTICLE}).status_code == 200
            return _post(c, {"text": ARTICLE})
    if slug == "queue-full":
        with TestClient(create_app(make_settings(jobs_max_queued_articles="1"))) as c:
            return c.post("/v1/jobs", json={"articles": [{"text": ARTICLE}, {"text": ARTICLE + " وأضاف."}]})
    if slug == "too-many-failed-keys":
        settings = make_settings(auth_api_key_hashes=hash_key("k" * 20), rate_limit_failed_auth_per_minute="2")
        with TestClient(create_app(settings)) as c:
            for _ in range(2):
                c.post("/v1/digest", json={"text": ARTICLE}, headers={"X-API-Key": "wrong-key-000000"})
            return c.post("/v1/digest", json={"text": ARTICLE}, headers={"X-API-Key": "wrong-key-000000"})
    if slug == "timeout":
        with TestClient(create_app(make_settings(limits_request_timeout_seconds="0.000001"))) as c:
            return _post(c, {"text": ARTICLE})
    app = create_app(make_settings(rate_limit_requests_per_minute="0"))
    runtime = runtime_of(app)
    if slug == "overloaded":
        runtime.digests.slots.used = runtime.digests.slots.size  # every slot taken
    elif slug == "queue-unavailable":

        async def down(*_: Any, **__: Any) -> None:
            raise RedisConnectionError("Connection refused")

        monkeypatch.setattr(runtime.jobs.store, "view", down)
    elif slug == "internal-error":

        async def bug(*_: Any, **__: Any) -> None:
            raise ZeroDivisionError("a bug")

        monkeypatch.setattr(runtime.digests, "create", bug)
    with TestClient(app) as c:
        if slug == "queue-unavailable":
            return c.get("/v1/jobs/" + "0" * 32)
        return _post(c, {"text": ARTICLE})


@pytest.mark.parametrize("slug", sorted(readme_types()))
def test_every_problem_type_in_the_readme_is_answered_as_documented(
    slug: str, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = readme_types()[slug]
    glossary = slug.startswith("glossary") or slug == "invalid-glossary"
    if glossary and not any(route.path.startswith("/v1/glossary") for route in app.routes):
        pytest.skip("the glossary routes are not mounted in this app")
    if slug == "invalid-text":
        # JSON cannot carry a lone surrogate (it is invalid-json there); the CLI and jobs reach this check.
        with pytest.raises(InvalidText) as caught:
            asyncio.run(runtime_of(app).digests.create(DigestRequest(text="قال \ud800")))
        assert caught.value.status_code == status and caught.value.document().type == PROBLEM_BASE + slug
        return
    if slug in PROVOKE:
        with TestClient(app) as c:
            r = PROVOKE[slug](c)
    else:
        r = _special(slug, monkeypatch)
    assert_problem(r, slug, status)


def test_schema_errors_name_the_field_by_its_api_name(app: Litestar) -> None:
    cases = [
        ({"text": ARTICLE, "options": {"summary": "magic"}}, "options.summary"),
        ({"text": ARTICLE, "colour": "red"}, "colour"),
        ({"title": "بلا نص"}, "text"),
        ({"text": ARTICLE, "options": {"zzz": 1}}, "options.zzz"),
        ({"text": ARTICLE, "options": {"max_key_points": 99}}, "options.max_key_points"),
    ]
    with TestClient(app) as c:
        for body, field in cases:
            errors = assert_problem(_post(c, body), "invalid-request", 422)["errors"]
            assert [e["field"] for e in errors] == [field] and errors[0]["source"] == "body", errors
            assert "data" not in str(errors)
        jobs = c.post("/v1/jobs", json={"articles": [{"text": ARTICLE}, {"text": ARTICLE, "bad": 1}]})
        assert assert_problem(jobs, "invalid-request", 422)["errors"][0]["field"] == "articles[1].bad"
        query = c.get("/v1/jobs/" + "0" * 32, params={"limit": 5000})
        assert assert_problem(query, "invalid-request", 422)["errors"][0] == {
            "field": "limit",
            "message": "Expected `int` <= 1000",
            "source": "query",
        }
        header = c.post("/v1/jobs", json={"text": ARTICLE}, headers={"Idempotency-Key": "k" * 300})
        assert assert_problem(header, "invalid-request", 422)["errors"][0]["field"] == "Idempotency-Key"
        whole = assert_problem(_post(c, [1, 2]), "invalid-request", 422)["errors"][0]
        assert whole["field"] is None and "array" in whole["message"]


def test_a_field_named_by_the_raiser_is_in_errors_too(app: Litestar) -> None:
    with TestClient(app) as c:
        body = assert_problem(PROVOKE["invalid-job"](c), "invalid-job", 422)
    assert body["field"] == "callback_include_digests"
    assert body["errors"] == [{"field": "callback_include_digests", "message": body["detail"]}]


def test_malformed_json_lone_surrogates_and_deep_nesting_are_400_not_500(app: Litestar) -> None:
    with TestClient(app) as c:
        surrogate = assert_problem(_raw(c, b'{"text": "\\ud800"}'), "invalid-json", 400)
        assert "surrogate" in surrogate["detail"]
        # Finding 15: 10,000 levels of nesting took the decoder past Python's recursion limit (a 500).
        for deep in (b"[" * 10_000 + b"]" * 10_000, b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"):
            assert "nested too deeply" in assert_problem(_raw(c, deep), "invalid-json", 400)["detail"]
        assert c.post("/v1/digest", json={"text": ARTICLE}).status_code == 200  # the server is fine after


def test_malformed_job_ids_are_404_without_reaching_the_queue(app: Litestar, monkeypatch: pytest.MonkeyPatch) -> None:
    # Finding 16: `<id>:finished` named another Redis key of the job and answered 503.
    calls: list[str] = []

    async def view(job_id: str, *_: Any) -> None:
        calls.append(job_id)

    monkeypatch.setattr(runtime_of(app).jobs.store, "view", view)
    with TestClient(app) as c:
        for bad in ("0" * 32 + ":finished", "0" * 32 + ":failed", "x" * 32, "0" * 31, "0" * 33):
            assert_problem(c.get(f"/v1/jobs/{bad}"), "job-not-found", 404)
        assert calls == []
        assert_problem(c.get("/v1/jobs/" + "0" * 32), "job-not-found", 404)
    assert calls == ["0" * 32]


def test_401_has_a_short_title_and_names_both_ways_to_send_a_key() -> None:
    with TestClient(create_app(make_settings(auth_api_key_hashes=hash_key("k" * 20)))) as c:
        missing = assert_problem(_post(c, {"text": ARTICLE}), "unauthorized", 401)
        wrong = assert_problem(_post(c, {"text": ARTICLE}, headers={"X-API-Key": "nope"}), "unauthorized", 401)
        assert "Bearer" in missing["detail"] and "X-API-Key" in missing["detail"]
        assert wrong["title"] == missing["title"] and wrong["detail"] != missing["detail"]
        assert c.get("/v1/digest/" + "0" * 32).headers["www-authenticate"] == "Bearer"


def test_429_carries_retry_after_and_the_rate_limit_headers() -> None:
    with TestClient(create_app(make_settings(rate_limit_requests_per_minute="2"))) as c:
        for _ in range(2):
            assert c.get("/v1/digest/" + "0" * 32).status_code == 404
        r = c.get("/v1/digest/" + "0" * 32)
    body = assert_problem(r, "rate-limited", 429)
    assert r.headers["ratelimit-limit"] == "2" and r.headers["ratelimit-remaining"] == "0"
    assert body["retry_after"] == int(r.headers["retry-after"]) == int(r.headers["ratelimit-reset"])
    assert "2 requests per minute" in body["detail"]


def test_405_says_which_methods_are_allowed(app: Litestar) -> None:
    with TestClient(app) as c:
        r = c.delete("/v1/digest")
    body = assert_problem(r, "method-not-allowed", 405)
    assert "POST" in r.headers["allow"] and "POST" in body["detail"] and "DELETE" in body["detail"]


def test_every_problem_kind_is_a_problem_subclass_with_a_distinct_type() -> None:
    kinds = problem_kinds()
    assert len({k.slug for k in kinds}) == len(kinds) and all(issubclass(k, Problem) for k in kinds)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", k.slug) and 400 <= k.code <= 599 for k in kinds)
