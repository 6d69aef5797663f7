"""Liveness and readiness, with each capability named."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from msgspec import Meta

from service.digest.services import DigestService
from service.errors import problem_responses
from service.models.registry import ModelRegistry


class Capability(msgspec.Struct):
    """Whether one capability works now, and in words what provides it or why not."""

    available: Annotated[bool, Meta(description="True when this capability works now")]
    detail: Annotated[str, Meta(description="What provides it, or why it is unavailable")]


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
        "/ready", operation_id="getHealthReady", responses=problem_responses(500), summary="What this server can do now"
    )
    async def ready(
        self, digest_service: NamedDependency[DigestService], model_registry: NamedDependency[ModelRegistry]
    ) -> Readiness:
        settings = digest_service.pipeline.settings
        cache_error = await digest_service.cache.probe()
        cache_backend = "redis" if settings.cache.redis_url else "memory (in-process)"
        caps = {"extractive_summary": Capability(True, "TF-IDF centrality, position and title overlap")}
        for name, role in model_registry.roles.items():
            model = model_registry.status[name]
            key = {"summary": "abstractive_summary"}.get(name, name)
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
