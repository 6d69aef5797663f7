"""The OpenAPI contract: its configuration (tags, security, docs pages) and the pass that finishes Litestar's
document so that client generators use it cleanly.

The finishing pass, run once on the served document:
- component schemas of the API's Structs come from msgspec itself (every constraint, `additionalProperties:
  false` where unknown fields are refused, descriptions on every property);
- 429 and 503 answers declare Retry-After;
- the job callback is an OpenAPI 3.1 `webhooks` entry (`job.finished`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Request, Router
from litestar.datastructures import ResponseHeader
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag

from service import __version__
from service.capabilities.schemas import Capabilities
from service.digest.schemas import Digest, DigestRequest
from service.docs_static import HEADERS as DOCS_HEADERS
from service.errors import ProblemDocument
from service.health.controllers import Liveness, Readiness
from service.jobs.schemas import JobAccepted, JobCancelled, JobList, JobRequest, JobView
from service.jobs.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    EVENT_JOB_FINISHED,
    JOB_HEADER,
    SIGNATURE_HEADER,
    CallbackPayload,
)
from service.usage.schemas import Usage

# The Structs whose schemas msgspec writes (with everything they reference).
ROOTS: tuple[type[msgspec.Struct], ...] = (
    DigestRequest,
    Digest,
    JobRequest,
    JobView,
    JobAccepted,
    ProblemDocument,
    Readiness,
    Liveness,
    Capabilities,
    CallbackPayload,
    JobList,
    JobCancelled,
    Usage,
)

TAGS = [
    Tag(name="digest", description="Digest one article now: summary, translation, highlights"),
    Tag(name="jobs", description="Digest articles and batches in the background, with progress and callbacks"),
    Tag(name="capabilities", description="What this server accepts and can do (open, no key)"),
    Tag(name="health", description="Liveness and readiness probes (open, no key)"),
    Tag(name="usage", description="Your counts and limits (characters per minute, queued articles)"),
    Tag(name="glossary", description="The newsroom's fixed English forms of names and terms"),
]

SECURITY_SCHEMES = {
    "bearerAuth": SecurityScheme(
        type="http", scheme="bearer", description="`Authorization: Bearer KEY` (when the server has API keys)"
    ),
    "apiKeyHeader": SecurityScheme(
        type="apiKey", name="X-API-Key", security_scheme_in="header", description="`X-API-Key: KEY`, the same key"
    ),
}

# Descriptions for the properties of Structs this module does not own (the callback payload), by Struct.
_OVERLAY: dict[str, dict[str, str]] = {
    "CallbackPayload": {
        "event": "The event: `job.finished`",
        "delivery_id": "One id per job event, the same on every retry (also X-Khulasa-Delivery): dedupe on it",
        "job": "The job: id, status, progress and where to fetch its results",
        "articles": "Each article's index, ref and status (with digest or error when callback_include_digests)",
    },
    "CallbackJob": {
        "id": "The job's id",
        "status": "done or failed",
        "progress": "Articles done, failed and in all",
        "created_at": "When the job was submitted",
        "finished_at": "When the last article finished",
        "results_url": "Where to GET the results (relative to the API's base URL)",
    },
    "CallbackArticle": {
        "index": "The article's position in the batch, from 0",
        "ref": "Your `ref` for it, echoed",
        "status": "done or failed",
        "digest": "Its digest (only with callback_include_digests)",
        "error": "Why it failed (only with callback_include_digests)",
    },
}

_RETRY_AFTER = {
    "description": "Seconds to wait before retrying",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}


def openapi_config(render_plugins: Sequence[OpenAPIRenderPlugin]) -> OpenAPIConfig:
    """The OpenAPI configuration: `/schema/openapi.json` (finished, open without a key) and the docs pages."""
    return OpenAPIConfig(
        title="Khulasa",
        version=__version__,
        summary="Arabic news digests: summary, English translation and highlights, as one JSON document.",
        description="Every refusal is `application/problem+json` (`ProblemDocument`) with a stable `type`; "
        "the README lists every type. With API keys on, send `Authorization: Bearer KEY` or `X-API-Key: KEY`.",
        tags=TAGS,
        security=[{"bearerAuth": []}, {"apiKeyHeader": []}],
        components=Components(security_schemes=dict(SECURITY_SCHEMES)),
        path="/schema",
        # The schema and the docs pages must load before a key is known.
        openapi_router=Router(
            "/schema",
            route_handlers=[],
            include_in_schema=False,
            opt={"exclude_from_auth": True, "exclude_from_rate_limit": True},
            response_headers=[ResponseHeader(name=k, value=v) for k, v in DOCS_HEADERS.items()],
        ),
        render_plugins=[FinishedJsonPlugin(), *render_plugins],
    )


class FinishedJsonPlugin(JsonRenderPlugin):
    """`/schema/openapi.json`: Litestar's document with the finishing pass applied (once; it is cached)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The finished document as JSON."""
        return self.render_json(request, finish(openapi_schema))


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """Finish Litestar's OpenAPI document in place (idempotent): msgspec's schemas, headers, webhooks."""
    if "webhooks" in document:
        return document
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    _, components = msgspec.json.schema_components(ROOTS, ref_template="#/components/schemas/{name}")
    schemas.update(components)
    for name, schema in schemas.items():
        _tidy(schema, _OVERLAY.get(name, {}))
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                _declare_retry_after(operation)
                _media_type_examples(operation)
    document["webhooks"] = {EVENT_JOB_FINISHED: {"post": _webhook_operation()}}
    return document


def _tidy(schema: dict[str, Any], overlay: dict[str, str]) -> None:
    """One component schema made plain for generators: one-line descriptions, typed enums, property
    descriptions beside (not inside) a nullable union."""
    if "description" in schema:
        schema["description"] = " ".join(str(schema["description"]).split())
    for name, prop in schema.get("properties", {}).items():
        branches = prop.get("anyOf", [])
        for branch in branches:
            if "description" in branch:
                prop.setdefault("description", branch.pop("description"))
        if name in overlay:
            prop.setdefault("description", overlay[name])
        for node in (prop, *branches, prop.get("items", {})):
            if "enum" in node and "type" not in node and all(isinstance(v, str) for v in node["enum"]):
                node["type"] = "string"


def _declare_retry_after(operation: dict[str, Any]) -> None:
    for status in ("429", "503"):
        response = operation.get("responses", {}).get(status)
        if response is not None:
            response.setdefault("headers", {})["Retry-After"] = dict(_RETRY_AFTER)


def _media_type_examples(operation: dict[str, Any]) -> None:
    """Request examples where Swagger UI and generators look for them (the media type's `examples` map), and
    the body schema as a plain reference instead of a one-member allOf."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        schema = media.get("schema", {})
        examples = schema.pop("examples", None)
        if isinstance(examples, list) and examples:
            media["examples"] = {
                f"example-{i}": {"summary": _example_summary(value), "value": value}
                for i, value in enumerate(examples, 1)
            }
        if list(schema) == ["allOf"] and len(schema["allOf"]) == 1:
            media["schema"] = schema["allOf"][0]


def _example_summary(value: Any) -> str:
    if not isinstance(value, dict):
        return "An example"
    if "articles" in value:
        return f"A batch of {len(value['articles'])} articles"
    return f"One article ({value.get('format', 'text')})"


def _webhook_operation() -> dict[str, Any]:
    headers = {
        SIGNATURE_HEADER: '`t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>`; reject old `t`',
        DELIVERY_HEADER: "One id per job event, the same on every retry: dedupe on it",
        EVENT_HEADER: "The event: `job.finished`",
        JOB_HEADER: "The job's id",
    }
    return {
        "operationId": "jobFinished",
        "tags": ["jobs"],
        "summary": "A job finished (POSTed to its callback_url)",
        "description": "Sent once every article is done or failed, signed with jobs.callback_secret. Any 2xx "
        "answer delivers it; anything else (a redirect included) is retried with back-off.",
        "parameters": [
            {"name": name, "in": "header", "required": True, "description": words, "schema": {"type": "string"}}
            for name, words in headers.items()
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallbackPayload"}}},
        },
        "responses": {"200": {"description": "Delivered (any 2xx)"}},
        "security": [],
    }
