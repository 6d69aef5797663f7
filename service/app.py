"""The app factory: settings in, a Litestar app out, with every plugin registered here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.logging.config import StructLoggingConfig
from litestar.middleware.logging import LoggingMiddlewareConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry

from service import __version__
from service.config import Settings, load_settings
from service.digest.controllers import DigestController
from service.digest.pipeline import TextResources
from service.digest.services import DigestService
from service.health.controllers import HealthController
from service.models.registry import ModelRegistry


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


def _store(settings: Settings) -> Store:
    if settings.cache.redis_url:
        return RedisStore.with_client(url=settings.cache.redis_url, namespace=settings.cache.namespace)
    return MemoryStore()


def create_app(settings: Settings | None = None, registry: ModelRegistry | None = None) -> Litestar:
    """Build the app. Models are loaded by the lifespan (models.load = startup) or on first use (lazy)."""
    settings = settings or load_settings()
    models = registry or ModelRegistry(settings)
    store = _store(settings)
    digest_service = DigestService(settings, models, TextResources.load(settings), store)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.models.load == "startup":
            await anyio.to_thread.run_sync(models.load_all)
        yield

    return Litestar(
        route_handlers=[DigestController, HealthController, PrometheusController],
        dependencies={"digest_service": Provide(lambda: digest_service, sync_to_thread=False)},
        lifespan=[lifespan],
        stores=StoreRegistry(stores={"digests": store}),
        plugins=[
            StructlogPlugin(_logging(settings)),
            ProblemDetailsPlugin(
                ProblemDetailsConfig(
                    enable_for_all_http_exceptions=True,
                    exception_to_problem_detail_map={
                        ValidationException: _validation_problem,
                        HTTPException: _http_problem,
                    },
                )
            ),
        ],
        middleware=[PrometheusConfig(app_name="khulasa", prefix="khulasa", group_path=True).middleware],
        exception_handlers={Exception: _internal_error},
        request_max_body_size=settings.limits.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Khulasa", version=__version__, description="Arabic news digests: summary, translation, highlights."
        ),
        state=State({"settings": settings}),
    )
