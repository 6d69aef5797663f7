"""The OpenAPI contract as integrators use it: a client generated with openapi-python-client from the served
document (no warnings) drives a live loopback server; the document declares what the server does; the docs
pages come from the package; GET /v1/capabilities tells a UI what it needs."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn
from litestar.testing import TestClient

from service.access import hash_key
from service.app import create_app
from service.docs_static import ASSETS, ASSETS_DIR
from tests.conftest import make_settings

Client = TestClient  # type: ignore[type-arg]
KEY = "contract-test-key-0123456789"
ARTICLE = "قال وزير الخارجية إن المحادثات كانت مثمرة وإن الجانبين اتفقا على مواصلة الحوار في الأسبوع المقبل."
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
OPERATIONS = {
    ("post", "/v1/digest"): "createDigest",
    ("post", "/v1/digest/stream"): "streamDigest",
    ("get", "/v1/digest/{digest_id}"): "getDigest",
    ("post", "/v1/jobs"): "submitJob",
    ("get", "/v1/jobs/{job_id}"): "getJob",
    ("get", "/v1/capabilities"): "getCapabilities",
    ("get", "/health/live"): "getHealthLive",
    ("get", "/health/ready"): "getHealthReady",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The served OpenAPI document of an app with API keys on (fetched without a key)."""
    with TestClient(create_app(make_settings(auth_api_key_hashes=hash_key(KEY)))) as c:
        r = c.get("/schema/openapi.json")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, path, operation


def test_operations_have_readable_ids_tags_in_order_and_a_security_scheme(document: dict[str, Any]) -> None:
    found = {(m, p): op["operationId"] for m, p, op in _operations(document)}
    assert {k: found.get(k) for k in OPERATIONS} == OPERATIONS
    assert all(re.fullmatch(r"[a-z]+[A-Za-z]*", op_id) for op_id in found.values()), found
    assert [t["name"] for t in document["tags"]][:4] == ["digest", "jobs", "capabilities", "health"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert schemes["apiKeyHeader"]["in"] == "header" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    assert document["security"] == [{"bearerAuth": []}, {"apiKeyHeader": []}]
    for method, path in [("get", "/health/live"), ("get", "/v1/capabilities")]:
        assert document["paths"][path][method]["security"] == [{}], path  # open
    assert "/metrics" not in document["paths"]


def test_every_refusal_is_declared_with_the_problem_schema(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        errors = {code: r for code, r in operation["responses"].items() if not code.startswith("2")}
        probe = path.startswith("/health/")  # not rate-limited
        assert "500" in errors and ("429" in errors) != probe, (method, path)
        for code, response in errors.items():
            content = response["content"]
            assert list(content) == ["application/problem+json"], (path, code)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/ProblemDocument"}
        for code in ("429", "503"):
            if code in errors:
                assert errors[code]["headers"]["Retry-After"]["schema"]["type"] == "integer"
        success = next(r for c, r in operation["responses"].items() if c.startswith("2"))
        assert probe or "RateLimit-Remaining" in success.get("headers", {}), path
    assert "422" in document["paths"]["/v1/digest"]["post"]["responses"]
    submit = document["paths"]["/v1/jobs"]["post"]["responses"]["202"]
    assert "Location" in submit["headers"]


def _properties(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, schema in document["components"]["schemas"].items():
        for prop, spec in schema.get("properties", {}).items():
            yield name, prop, spec


def test_every_property_is_described_and_refused_unknowns_are_declared(document: dict[str, Any]) -> None:
    undescribed = [f"{s}.{p}" for s, p, spec in _properties(document) if not spec.get("description")]
    assert undescribed == []
    schemas = document["components"]["schemas"]
    for name in ("DigestRequest", "DigestOptions", "JobRequest", "JobArticle"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["Digest"].get("additionalProperties") is None  # responses may grow
    max_key_points = schemas["DigestOptions"]["properties"]["max_key_points"]["anyOf"][0]
    assert (max_key_points["minimum"], max_key_points["maximum"]) == (0, 20)
    assert schemas["DigestMeta"]["properties"]["input"]["$ref"].endswith("/InputStats")
    assert "total" in schemas["DigestMeta"]["properties"]["timings_ms"]["description"]
    assert schemas["ArticleResult"]["properties"]["error"]["anyOf"][0]["$ref"].endswith("/ProblemDocument")
    assert schemas["FieldError"]["properties"]["field"]["description"]


def test_examples_are_valid_requests(document: dict[str, Any]) -> None:
    with TestClient(create_app(make_settings(rate_limit_requests_per_minute="0"))) as c:
        for path in ("/v1/digest", "/v1/jobs"):
            examples = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"]
            assert len(examples) >= 2
            for example in examples.values():
                value = example["value"]
                assert not ("articles" in value and "text" in value)
                r = c.post(path, json=value)
                assert r.status_code in (200, 202), (path, r.text)


def test_the_callback_is_a_webhook_with_its_payload_schema(document: dict[str, Any]) -> None:
    hook = document["webhooks"]["job.finished"]["post"]
    assert hook["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CallbackPayload")
    assert {p["name"] for p in hook["parameters"]} >= {"X-Khulasa-Signature", "X-Khulasa-Delivery"}
    payload = document["components"]["schemas"]["CallbackPayload"]
    assert set(payload["properties"]) == {"event", "delivery_id", "job", "articles"}


# -- the generated client against a live server ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    """The app with API keys on, served by uvicorn in a thread on a loopback port."""
    app = create_app(make_settings(auth_api_key_hashes=hash_key(KEY), rate_limit_requests_per_minute="0"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def generated(live_url: str, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """A client package generated from the live server's own document; the generator must warn about nothing."""
    if not GENERATOR.exists():
        pytest.fail("openapi-python-client is not installed: pip install -e '.[test]'")
    root = tmp_path_factory.mktemp("generated")
    schema = root / "openapi.json"
    r = httpx.get(f"{live_url}/schema/openapi.json", timeout=10)  # no key: the document is open
    assert r.status_code == 200
    schema.write_text(r.text, encoding="utf-8")
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff hook
    out = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(root / "khulasa_client"),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    printed = out.stdout + out.stderr
    assert out.returncode == 0, printed
    assert "warning" not in printed.lower() and "error" not in printed.lower(), printed
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module("khulasa_client")
    finally:
        sys.path.remove(str(root))


def test_the_generated_client_digests_gets_submits_polls_and_parses_problems(
    generated: ModuleType, live_url: str
) -> None:
    from khulasa_client.api.capabilities import get_capabilities  # type: ignore[import-not-found]
    from khulasa_client.api.digest import create_digest, get_digest  # type: ignore[import-not-found]
    from khulasa_client.api.jobs import get_job, submit_job  # type: ignore[import-not-found]
    from khulasa_client.models import (  # type: ignore[import-not-found]
        Capabilities,
        Digest,
        DigestOptions,
        DigestRequest,
        DigestRequestFormat,
        JobAccepted,
        JobArticle,
        JobRequest,
        JobView,
        ProblemDocument,
    )

    client = generated.AuthenticatedClient(base_url=live_url, token=KEY, timeout=httpx.Timeout(60))
    anonymous = generated.Client(base_url=live_url, timeout=httpx.Timeout(10))

    digest = create_digest.sync(client=client, body=DigestRequest(text=ARTICLE, format_=DigestRequestFormat.TEXT))
    assert isinstance(digest, Digest), digest
    assert digest.summary.ar and digest.meta.input_.chars_received == len(ARTICLE)
    stored = get_digest.sync(client=client, digest_id=digest.id)
    assert isinstance(stored, Digest) and stored.id == digest.id and stored.meta.cached

    accepted = submit_job.sync(
        client=client,
        body=JobRequest(articles=[JobArticle(text=ARTICLE, ref="a"), JobArticle(text=ARTICLE + " وأضاف.", ref="b")]),
    )
    assert isinstance(accepted, JobAccepted) and accepted.total == 2
    deadline = time.monotonic() + 30
    while True:
        view = get_job.sync(client=client, job_id=accepted.id)
        assert isinstance(view, JobView), view
        if view.status in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert view.status == "done" and [a.ref for a in view.articles] == ["a", "b"]
    for article in view.articles:
        if not isinstance(article.digest, Digest):  # the generated parser falls back to the raw dict
            Digest.from_dict(article.digest)  # raises with the field it could not parse
        assert isinstance(article.digest, Digest), (article.status, article.error)

    refused = create_digest.sync(client=client, body=DigestRequest(text="An English article about the weather today."))
    assert isinstance(refused, ProblemDocument) and refused.status == 422 and refused.type_.endswith("/not-arabic")
    invalid = create_digest.sync(
        client=client, body=DigestRequest(text=ARTICLE, options=DigestOptions(max_key_points=99))
    )
    assert isinstance(invalid, ProblemDocument) and invalid.errors[0].field == "options.max_key_points"
    denied = create_digest.sync(client=anonymous, body=DigestRequest(text=ARTICLE))
    assert isinstance(denied, ProblemDocument) and denied.status == 401

    capabilities = get_capabilities.sync(client=anonymous)
    assert isinstance(capabilities, Capabilities) and capabilities.auth_required is True


# -- the docs pages and discovery --------------------------------------------------------------------------


def test_docs_pages_load_only_assets_of_the_package_with_a_strict_policy() -> None:
    with TestClient(create_app(make_settings(auth_api_key_hashes=hash_key(KEY)))) as c:
        for page in ("/schema", "/schema/swagger", "/schema/redoc"):
            r = c.get(page)  # no key needed
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), page
            assert "script-src 'self';" in r.headers["content-security-policy"]
            assert not re.search(r"(src|href)=\"(https?:)?//", r.text), r.text  # nothing from another origin
            assert "<script>" not in r.text  # no inline script
            for asset in re.findall(r'(?:src|href)="(/schema/assets/[^"]+)"', r.text):
                got = c.get(asset)
                assert got.status_code == 200 and got.content == (ASSETS_DIR / asset.rsplit("/", 1)[1]).read_bytes()
        assert c.get("/schema/assets/..%2Fconfig.py").status_code == 404
    css = (ASSETS_DIR / "khulasa-docs.css").read_text()
    assert "unicode-bidi: plaintext" in css and "word-break: normal" in css


def test_vendored_assets_match_their_recorded_versions() -> None:
    table = (ASSETS_DIR.parent / "VERSIONS.md").read_text()
    recorded = dict(re.findall(r"`assets/([\w.-]+)` \|[^\n]*\| ([0-9a-f]{64}) \|", table))
    assert set(recorded) == {n for n in ASSETS if n not in ("khulasa-docs.css", "swagger-init.js")}
    for name, digest in recorded.items():
        assert hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest() == digest, name
    for licence in ("swagger-ui.LICENSE.txt", "redoc.LICENSE.txt"):
        assert (ASSETS_DIR / licence).stat().st_size > 500


def test_capabilities_tell_a_ui_what_it_needs_and_nothing_secret(tmp_path: Path) -> None:
    folder = tmp_path / "secret-place" / "my-marian"
    settings = make_settings(
        auth_api_key_hashes=hash_key(KEY), limits_max_article_chars="5000", translation_model=str(folder)
    )
    with TestClient(create_app(settings)) as c:
        r = c.get("/v1/capabilities")  # open: a UI asks before it has a key
        assert c.post("/v1/digest", json={"text": ARTICLE}).status_code == 401
    assert r.status_code == 200
    caps = r.json()
    assert caps["auth_required"] is True and caps["languages"]["source"] == ["ar"]
    assert caps["limits"]["max_article_chars"] == 5000 and caps["limits"]["max_html_chars"] == 20_000
    summary = next(o for o in caps["options"]["choices"] if o["name"] == "options.summary")
    assert summary["values"] == ["auto", "abstractive", "extractive"] and summary["default"] == "auto"
    assert caps["options"]["ranges"][0] == {
        "name": "options.max_key_points",
        "minimum": 0,
        "maximum": 20,
        "default": 5,
        "description": caps["options"]["ranges"][0]["description"],
    }
    translation = next(m for m in caps["models"] if m["role"] == "translation")
    assert translation["model"] == "my-marian" and translation["available"] is False
    text = json.dumps(caps)
    assert "secret-place" not in text and str(tmp_path) not in text and hash_key(KEY) not in text


def test_generator_is_pinned_in_the_test_extra() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert re.search(r'"openapi-python-client==\d+\.\d+\.\d+"', pyproject)
    assert shutil.which("openapi-python-client", path=str(GENERATOR.parent))
