"""The app factory: settings in, a Litestar app out, with every plugin registered here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
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
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry
from redis.asyncio import Redis
from redis.exceptions import RedisError

from service import __version__
from service.access import OPEN_PATHS, api_key_middleware, rate_limit_identity
from service.config import Settings, load_settings
from service.digest.controllers import DigestController
from service.digest.pipeline import TextResources
from service.digest.services import DigestService
from service.health.controllers import HealthController
from service.jobs.controllers import JobController
from service.jobs.services import JobService
from service.jobs.tasks import JobRuntime, job_store, make_queue, make_worker
from service.models.registry import ModelRegistry
from service.stores import FallbackStore


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


def _redis_store(settings: Settings, namespace: str) -> RedisStore:
    # Short timeouts: a Redis that hangs must cost a request milliseconds, not the request.
    client = Redis.from_url(
        settings.cache.redis_url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=10
    )
    return RedisStore(client, namespace=namespace)


def build_stores(settings: Settings) -> dict[str, Store]:
    """The digest cache and the rate-limit counters: in Redis when configured, else in the process."""
    if not settings.cache.redis_url:
        return {"digests": MemoryStore(), "rate_limit": MemoryStore()}
    return {
        "digests": _redis_store(settings, settings.cache.namespace),
        # Rate-limit counters fall back to the process while Redis is away: limits hold, per process.
        "rate_limit": FallbackStore(_redis_store(settings, f"{settings.cache.namespace}:rate"), MemoryStore()),
    }


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
        )
        middleware.append(limit.middleware)
    return middleware


def create_app(settings: Settings | None = None, registry: ModelRegistry | None = None) -> Litestar:
    """Build the app. Models are loaded by the lifespan (models.load = startup) or on first use (lazy)."""
    settings = settings or load_settings()
    models = registry or ModelRegistry(settings)
    stores = build_stores(settings)
    resources = TextResources.load(settings)
    digest_service = DigestService(settings, models, resources, stores["digests"])
    queue = make_queue(settings)
    job_service = JobService(settings, queue, job_store(settings, queue))
    # Jobs get their own slots, so a batch never takes the places of interactive requests.
    job_slots = settings.jobs.workers * settings.jobs.worker_concurrency
    runtime = JobRuntime(
        settings,
        queue,
        job_service.store,
        DigestService(settings, models, resources, stores["digests"], slots=job_slots or 1),
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.models.load == "startup":
            await anyio.to_thread.run_sync(models.load_all)
        await queue.connect()
        workers = [make_worker(runtime, settings.jobs.worker_concurrency) for _ in range(settings.jobs.workers)]
        tasks = [asyncio.create_task(w.start()) for w in workers]
        try:
            yield
        finally:
            # Shutting down must not fail because Redis is away.
            with contextlib.suppress(Exception):
                await asyncio.gather(*(w.stop() for w in workers), return_exceptions=True)
            for task in tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                await queue.disconnect()

    return Litestar(
        route_handlers=[DigestController, JobController, HealthController, PrometheusController],
        dependencies={
            "digest_service": Provide(lambda: digest_service, sync_to_thread=False),
            "job_service": Provide(lambda: job_service, sync_to_thread=False),
        },
        lifespan=[lifespan],
        stores=StoreRegistry(stores=stores),
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
        state=State({"settings": settings}),
    )
