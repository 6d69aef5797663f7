"""Liveness and readiness, with each capability named; the details only for callers who may see them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from msgspec import Meta

from service.digest.services import DigestService
from service.errors import problem_responses
from service.health.probes import may_see_details, redis_memory, write_probe
from service.models.registry import ModelRegistry


class Capability(msgspec.Struct, omit_defaults=True):
    """Whether one capability works now, and (for keyed or loopback callers) what provides it or why not."""

    available: Annotated[bool, Meta(description="True when this capability works now")]
    # What is behind it and why it is down: only for keyed callers (or loopback ones when keys are off).
    detail: Annotated[
        str | None, Meta(description="What provides it, or why it is unavailable (keyed or loopback callers only)")
    ] = None


class Readiness(msgspec.Struct):
    """What this server can do now: `degraded` when a capability is missing (it still serves)."""

    status: Annotated[Literal["ready", "degraded"], Meta(description="ready: every capability works")]
    capabilities: Annotated[
        dict[str, Capability],
        Meta(
            description="By name: extractive_summary, abstractive_summary, translation, entities, cache "
            "(and any other model role)"
        ),
    ]


class Liveness(msgspec.Struct):
    """The process answers."""

    status: Annotated[Literal["alive"], Meta(description="Always `alive`")]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]
    security = [{}]  # open: orchestrators probe without keys

    @get("/live", operation_id="getHealthLive", responses=problem_responses(500), summary="The process answers")
    async def live(self) -> Liveness:
        return Liveness("alive")

    @get(
        "/ready",
        operation_id="getHealthReady",
        responses=problem_responses(500),
        summary="What this server can do now",
        description="Open: status and each capability's availability. With a valid API key (keys on), or from "
        "loopback (keys off), each capability also has a `detail`: backend, memory use, error text.",
    )
    async def ready(
        self,
        request: Request[Any, Any, Any],
        digest_service: NamedDependency[DigestService],
        model_registry: NamedDependency[ModelRegistry],
    ) -> Readiness:
        settings = digest_service.pipeline.settings
        caps: dict[str, Capability] = {
            "extractive_summary": Capability(True, "TF-IDF centrality, position and title overlap")
        }
        for name, role in model_registry.roles.items():
            model = model_registry.status[name]
            # The entities role is the model's part; "entities" below is what the rules always give.
            key = {"summary": "abstractive_summary", "entities": "entity_model"}.get(name, name)
            caps[key] = Capability(model.available, f"{role.purpose}: {model.detail or model.state}")
        translation = model_registry.status.get("translation")
        caps["entities"] = Capability(
            True,
            "rules and gazetteer; English names of people and organisations "
            + (
                "from the translation model"
                if translation and translation.available
                else "unavailable (no translation model)"
            ),
        )
        # EXISTS first (it also ends the cache's pause after a failure), then a write: a full Redis reads fine.
        store = digest_service.cache.store
        cache_error = await digest_service.cache.probe() or await write_probe(store)
        backend = "redis" if settings.cache.redis_url else "memory (in-process)"
        memory = await redis_memory(store) if settings.cache.redis_url else ""
        caps["cache"] = Capability(cache_error is None, backend + memory + (f": {cache_error}" if cache_error else ""))
        if settings.rate_limit.requests_per_minute:
            counters = request.app.stores.get("rate_limit")
            limit_error = await write_probe(counters) if settings.cache.redis_url else None
            caps["rate_limit"] = Capability(
                limit_error is None,
                "shared in Redis"
                if settings.cache.redis_url and not limit_error
                else "counted per process" + (f" while Redis refuses writes: {limit_error}" if limit_error else ""),
            )
        status: Literal["ready", "degraded"] = "ready" if all(c.available for c in caps.values()) else "degraded"
        if not may_see_details(request, settings.auth.api_key_hashes):
            caps = {name: Capability(c.available) for name, c in caps.items()}
        return Readiness(status, caps)
