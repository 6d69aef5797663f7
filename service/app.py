"""The app factory: a runtime in, a Litestar app out, with every route, plugin and middleware registered here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.logging.config import StructLoggingConfig
from litestar.middleware.logging import LoggingMiddlewareConfig
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin
from litestar.stores.registry import StoreRegistry
from redis.exceptions import RedisError

from service import __version__
from service.access import OPEN_PATHS, api_key_middleware, rate_limit_identity
from service.config import Settings, load_settings
from service.digest.controllers import DigestController
from service.digest.services import DigestService
from service.glossary.controllers import GlossaryController
from service.glossary.services import GlossaryService
from service.health.controllers import HealthController
from service.jobs.controllers import JobController
from service.jobs.services import JobService
from service.models.registry import ModelRegistry
from service.runtime import Runtime
from service.web.controllers import WebController


def _validation_problem(exc: ValidationException) -> ProblemDetailsException:
    """Schema errors are 422 and name the field; a body that is not JSON at all stays 400."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    not_json = any(
        "JSON" in str(e.get("message", "")) or "decode" in str(e.get("message", "")).lower()
        for e in errors
        if isinstance(e, dict)
    )
    fields = ", ".join(f"{e.get('key')}: {e.get('message')}" for e in errors if isinstance(e, dict) and e.get("key"))
    detail = fields or "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    return ProblemDetailsException(
        status_code=400 if not_json or not fields else 422,
        title="The request body is not valid JSON" if not_json else "The request does not match the schema",
        detail=detail or str(exc.detail),
        type_="https://khulasa.dev/problems/" + ("invalid-json" if not_json else "invalid-request"),
        extra={"errors": errors} if errors else None,
    )


def _http_problem(exc: HTTPException) -> ProblemDetailsException:
    title = "The request body is not valid JSON" if "JSON is malformed" in exc.detail else exc.detail
    return ProblemDetailsException(
        status_code=exc.status_code,
        title=title,
        detail=exc.detail,
        headers=exc.headers,
        extra=exc.extra if isinstance(exc.extra, dict) else None,
    )


def _bad_encoding(exc: UnicodeDecodeError) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=400,
        title="The request body is not valid UTF-8",
        detail=f"byte {exc.start} cannot be decoded as UTF-8: send the article as UTF-8 JSON",
        type_="https://khulasa.dev/problems/invalid-encoding",
    )


def _redis_down(exc: RedisError) -> ProblemDetailsException:
    # Only the job endpoints reach Redis without a fallback: digests answer from computation.
    return ProblemDetailsException(
        status_code=503,
        title="The job queue is unavailable",
        detail=f"Redis did not answer ({type(exc).__name__}); POST /v1/digest still works. Retry in 5 s.",
        headers={"Retry-After": "5"},
        type_="https://khulasa.dev/problems/queue-unavailable",
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Never leak a traceback; the log has it, keyed by the path.
    request.logger.exception("unhandled error", path=request.url.path)
    problem = ProblemDetailsException(
        status_code=500, title="Internal error", detail="the digest failed on the server; the error is logged"
    )
    return problem.to_response(request)


def _logging(settings: Settings) -> StructlogConfig:
    # Article text and keys never reach the logs: requests log method, path and size; responses their status.
    return StructlogConfig(
        structlog_logging_config=StructLoggingConfig(log_exceptions="debug"),
        middleware_logging_config=LoggingMiddlewareConfig(
            request_log_fields=("path", "method", "query"),
            response_log_fields=["status_code"],
        ),
    )


def _cors(settings: Settings) -> CORSConfig | None:
    if not settings.cors.allow_origins:
        return None  # closed by default
    return CORSConfig(
        allow_origins=settings.cors.allow_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["content-type", "authorization", "x-api-key"],
    )


def _middleware(settings: Settings) -> list[Any]:
    # Metrics first (outermost), so that 401 and 429 answers are counted too.
    middleware: list[Any] = [PrometheusConfig(app_name="khulasa", prefix="khulasa", group_path=True).middleware]
    if (auth := api_key_middleware(settings)) is not None:
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

    return Litestar(
        route_handlers=[
            DigestController,
            JobController,
            HealthController,
            PrometheusController,
            WebController,
            GlossaryController,
        ],
        dependencies={
            "digest_service": Provide(_provide_digests, sync_to_thread=False),
            "job_service": Provide(_provide_jobs, sync_to_thread=False),
            "model_registry": Provide(_provide_models, sync_to_thread=False),
            "glossary_service": Provide(_provide_glossary, sync_to_thread=False),
        },
        lifespan=[lifespan],
        stores=StoreRegistry(stores=runtime.stores.by_name()),
        plugins=[
            StructlogPlugin(_logging(settings)),
            ProblemDetailsPlugin(
                ProblemDetailsConfig(
                    enable_for_all_http_exceptions=True,
                    exception_to_problem_detail_map={
                        ValidationException: _validation_problem,
                        HTTPException: _http_problem,
                        UnicodeDecodeError: _bad_encoding,
                        RedisError: _redis_down,
                    },
                )
            ),
        ],
        middleware=_middleware(settings),
        cors_config=_cors(settings),
        exception_handlers={Exception: _internal_error},
        request_max_body_size=settings.limits.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Khulasa", version=__version__, description="Arabic news digests: summary, translation, highlights."
        ),
        state=State({"runtime": runtime, "settings": settings}),
    )
