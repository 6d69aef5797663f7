"""Liveness and readiness, with each capability named; the details only for callers who may see them."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency

from service.digest.services import DigestService
from service.health.probes import may_see_details, redis_memory, write_probe
from service.models.registry import ModelRegistry


class Capability(msgspec.Struct, omit_defaults=True):
    available: bool
    # What is behind it and why it is down: only for keyed callers (or loopback ones when keys are off).
    detail: str | None = None


class Readiness(msgspec.Struct):
    status: Literal["ready", "degraded"]
    capabilities: dict[str, Capability]


class Liveness(msgspec.Struct):
    status: Literal["alive"]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", summary="The process answers")
    async def live(self) -> Liveness:
        return Liveness("alive")

    @get(
        "/ready",
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
