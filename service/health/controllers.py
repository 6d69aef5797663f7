"""Liveness and readiness, with each capability named."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from service.digest.services import DigestService
from service.models.registry import ModelRegistry


class Capability(msgspec.Struct):
    available: bool
    detail: str


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

    @get("/ready", summary="What this server can do now")
    async def ready(
        self, digest_service: NamedDependency[DigestService], model_registry: NamedDependency[ModelRegistry]
    ) -> Readiness:
        settings = digest_service.pipeline.settings
        cache_error = await digest_service.cache.probe()
        cache_backend = "redis" if settings.cache.redis_url else "memory (in-process)"
        caps = {"extractive_summary": Capability(True, "TF-IDF centrality, position and title overlap")}
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
        caps["cache"] = Capability(cache_error is None, cache_backend + (f": {cache_error}" if cache_error else ""))
        status: Literal["ready", "degraded"] = "ready" if all(c.available for c in caps.values()) else "degraded"
        return Readiness(status, caps)
