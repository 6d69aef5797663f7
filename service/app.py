"""The app factory: a runtime in, a Litestar app out, with every route, plugin and middleware registered here."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin
from litestar.stores.registry import StoreRegistry
from redis.exceptions import RedisError

from service import logs
from service.access import OPEN_PATHS, api_key_middleware, rate_limit_identity
from service.capabilities.controllers import CapabilitiesController
from service.config import Settings, load_settings
from service.digest.controllers import DigestController
from service.digest.services import DigestService
from service.docs_static import DocsAssetsController, docs_pages
from service.errors import (
    PROBLEM_BASE,
    BodyTooLarge,
    InternalError,
    InvalidEncoding,
    InvalidJson,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    Problem,
    QueueUnavailable,
    RateLimited,
    Unauthorized,
)
from service.glossary.controllers import GlossaryController
from service.glossary.services import GlossaryService
from service.health.controllers import HealthController
from service.jobs.controllers import JobController
from service.jobs.services import JobService
from service.models.registry import ModelRegistry
from service.openapi import openapi_config
from service.runtime import Runtime
from service.usage.controllers import UsageController
from service.usage.services import UsageService
from service.web.controllers import WebController

_UNKNOWN_OR_MISSING = re.compile(r"^Object (?:contains unknown|missing required) field `([^`]+)`")


def _field_error(error: Any) -> dict[str, Any]:
    """Litestar's `{key, message, source}` as `{field, message, source}`, the field by its API name: `data` is
    Litestar's name for the body, and an unknown or missing field is named by the message, not the key."""
    error = error if isinstance(error, dict) else {"message": str(error)}
    message, source = str(error.get("message", "")), error.get("source")
    key = str(error.get("key") or "")
    if source == "body" or key == "data":
        source = "body"
        key = "" if key == "data" else key
        if match := _UNKNOWN_OR_MISSING.match(message):
            key = f"{key}.{match.group(1)}" if key else match.group(1)
    elif source == "header":
        key = key.replace("_", "-").title()  # idempotency_key → Idempotency-Key, as the client sent it
    out: dict[str, Any] = {"field": key or None, "message": message}
    if source in ("body", "query", "path", "header"):
        out["source"] = source
    return out


def _on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Schema errors are 422 with every field named; a body that is not JSON at all is 400."""
    raw = exc.extra if isinstance(exc.extra, list) else []
    errors = [_field_error(e) for e in raw]
    if not any(e["field"] for e in errors) and _looks_like_json_error(" ".join(e["message"] for e in errors)):
        return _not_json(" ".join(e["message"] for e in errors)).to_response(request)
    fields = "; ".join(f"{e['field'] or 'the body'}: {e['message']}" for e in errors)
    return InvalidRequest(
        f"{fields or exc.detail}; fix the named field (the schema is at /schema/openapi.json)",
        extra={"errors": errors} if errors else None,
    ).to_response(request)


def _looks_like_json_error(message: str) -> bool:
    return any(word in message for word in ("JSON is malformed", "truncated", "decode", "Invalid", "invalid"))


def _not_json(message: str) -> Problem:
    # msgspec reports a lone surrogate (\ud800) as "truncated": name both causes.
    hint = " (or a string holds a lone surrogate such as \\ud800)" if "truncated" in message else ""
    return InvalidJson(f"{message}{hint}: send the article as UTF-8 JSON")


def _http_problem(settings: Settings) -> Callable[[Request[Any, Any, Any], HTTPException], Response[Any]]:
    """Litestar's own refusals (routing, body size, rate limit, keys, malformed JSON) as Khulasa problems."""
    body_limit = settings.limits.max_body_bytes

    def handle(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        headers = dict(exc.headers or {})
        status, message = exc.status_code, str(exc.detail)
        problem: Problem
        if status == 400:
            problem = _not_json(message)
        elif status == 401:
            problem = Unauthorized(message, headers=headers)
        elif status == 404:
            found = message not in ("", "Not Found")  # a route's own 404 keeps its words
            detail = message if found else f"no route {request.method} {request.url.path}; the API is at /schema"
            problem = NotFound(detail, headers=headers)
        elif status == 405:
            problem = MethodNotAllowed(
                f"{request.method} is not allowed on {request.url.path}; use {headers.get('allow', 'another method')}",
                headers=headers,
            )
        elif status == 413:
            problem = BodyTooLarge(
                f"the body is over limits.max_body_bytes ({body_limit:,} bytes): split the batch into several "
                "jobs or raise the limit",
                extra={"limit": body_limit},
                headers=headers,
            )
        elif status == 429:
            retry = _retry_seconds(headers)
            headers["Retry-After"] = str(retry)
            problem = RateLimited(
                f"over {headers.get('RateLimit-Limit', 'rate_limit.requests_per_minute')} requests per minute for "
                f"this key (or address); retry in {retry} s (the RateLimit-* headers say the same)",
                extra={"retry_after": retry},
                headers=headers,
            )
        else:
            return ProblemDetailsException(
                status_code=status, title=message, detail=message, headers=headers, type_=PROBLEM_BASE + str(status)
            ).to_response(request)
        return problem.to_response(request)

    return handle


def _retry_seconds(headers: dict[str, str]) -> int:
    reset = headers.get("RateLimit-Reset") or headers.get("ratelimit-reset") or ""
    return max(1, int(reset)) if reset.isdecimal() else 60


def _on_problem(request: Request[Any, Any, Any], exc: ProblemDetailsException) -> Response[Any]:
    """Khulasa's own problems; a 429 or 503 without Retry-After gets one."""
    if exc.status_code in (429, 503) and "Retry-After" not in (exc.headers or {}):
        exc.headers = {**(exc.headers or {}), "Retry-After": str(request.app.state.settings.limits.retry_after_seconds)}
    return exc.to_response(request)


def _bad_encoding(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Any]:
    return InvalidEncoding(f"byte {exc.start} cannot be decoded as UTF-8: send the article as UTF-8 JSON").to_response(
        request
    )


def _redis_down(request: Request[Any, Any, Any], exc: RedisError) -> Response[Any]:
    # Only the job endpoints reach Redis without a fallback: digests answer from computation.
    return QueueUnavailable(
        f"Redis did not answer ({type(exc).__name__}); POST /v1/digest still works. Retry in 5 s.",
        headers={"Retry-After": "5"},
        extra={"retry_after": 5},
    ).to_response(request)


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, RecursionError) and "deserializ" in str(exc):
        # A body nested thousands of levels deep: the decoder's recursion limit, not a bug (finding 15).
        return InvalidJson(
            "the JSON is nested too deeply to decode; a digest request is at most a few levels deep"
        ).to_response(request)
    # Never leak a traceback; the log has it, keyed by the path.
    request.logger.exception("unhandled error", path=request.url.path)
    return InternalError("the request failed on the server; the error is logged").to_response(request)


def _exception_handlers(settings: Settings) -> dict[Any, Any]:
    """One error model: every refusal, Khulasa's or Litestar's, is a problem document with a stable `type`."""
    return {
        ProblemDetailsException: _on_problem,
        ValidationException: _on_validation,
        HTTPException: _http_problem(settings),
        UnicodeDecodeError: _bad_encoding,
        RedisError: _redis_down,
        Exception: _internal_error,
    }


def _logging(settings: Settings) -> StructlogConfig:
    # One JSON line per record and one per request (service/logs.py); never article text or keys.
    return logs.litestar_config(settings.server.log_level)


def _cors(settings: Settings) -> CORSConfig | None:
    if not settings.cors.allow_origins:
        return None  # closed by default
    return CORSConfig(
        allow_origins=settings.cors.allow_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["content-type", "authorization", "x-api-key"],
    )


def _middleware(settings: Settings, runtime: Runtime) -> list[Any]:
    # Metrics first (outermost), so that 401 and 429 answers are counted too.
    middleware: list[Any] = [PrometheusConfig(app_name="khulasa", prefix="khulasa", group_path=True).middleware]
    if (auth := api_key_middleware(settings, runtime.meter)) is not None:
        middleware.append(auth)  # before the rate limit, which counts per key
    if settings.rate_limit.requests_per_minute:
        limit = RateLimitConfig(
            rate_limit=("minute", settings.rate_limit.requests_per_minute),
            exclude=OPEN_PATHS,
            identifier_for_request=rate_limit_identity,
            store="rate_limit",
            exclude_opt_key="exclude_from_rate_limit",  # the editors' page and its files
        )
        middleware.append(limit.middleware)
    return middleware


class MetricsController(PrometheusController):
    """`GET /metrics` for Prometheus: text, not part of the JSON API's contract."""

    include_in_schema = False


def runtime_of(app: Litestar) -> Runtime:
    """The process's runtime, kept on the app's state (the public handle tests and tools use)."""
    return _runtime(app.state)


def _runtime(state: State) -> Runtime:
    runtime: Runtime = state.runtime
    return runtime


def _provide_digests(state: State) -> DigestService:
    return _runtime(state).digests


def _provide_jobs(state: State) -> JobService:
    return _runtime(state).jobs


def _provide_glossary(state: State) -> GlossaryService:
    return _runtime(state).glossary


def _provide_usage(state: State) -> UsageService:
    return _runtime(state).usage


def _provide_models(state: State) -> ModelRegistry:
    return _runtime(state).models


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Litestar:
    """Build the app around a runtime (built from the settings unless given). The lifespan starts it
    (models loaded with models.load = startup, queue connected, in-process workers) and closes it."""
    owned = runtime is None  # a runtime handed in is closed by whoever built it
    runtime = runtime or Runtime.build(settings or load_settings())
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await (runtime.close() if owned else runtime.stop())

    app = Litestar(
        route_handlers=[
            DigestController,
            JobController,
            UsageController,
            CapabilitiesController,
            HealthController,
            MetricsController,
            WebController,
            DocsAssetsController,
            GlossaryController,
        ],
        dependencies={
            "digest_service": Provide(_provide_digests, sync_to_thread=False),
            "job_service": Provide(_provide_jobs, sync_to_thread=False),
            "usage_service": Provide(_provide_usage, sync_to_thread=False),
            "model_registry": Provide(_provide_models, sync_to_thread=False),
            "glossary_service": Provide(_provide_glossary, sync_to_thread=False),
        },
        lifespan=[lifespan],
        stores=StoreRegistry(stores=runtime.stores.by_name()),
        plugins=[
            StructlogPlugin(_logging(settings)),
            # The plugin's own handlers are replaced by _exception_handlers (they need the request and settings).
            ProblemDetailsPlugin(ProblemDetailsConfig(exception_handler=_on_problem)),
        ],
        middleware=_middleware(settings, runtime),
        cors_config=_cors(settings),
        exception_handlers=_exception_handlers(settings),
        request_max_body_size=settings.limits.max_body_bytes,
        openapi_config=openapi_config(docs_pages()),
        state=State({"runtime": runtime, "settings": settings}),
    )
    logs.log_requests(app)
    return app
