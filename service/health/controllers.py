"""Liveness and readiness, with each capability named."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from service.digest.services import DigestService


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
    async def ready(self, digest_service: NamedDependency[DigestService]) -> Readiness:
        models = digest_service.models
        summary, translation = models.status["summary"], models.status["translation"]
        cache_error = await digest_service.probe_cache()
        cache_backend = "redis" if digest_service.settings.cache.redis_url else "memory (in-process)"
        caps = {
            "extractive_summary": Capability(True, "TF-IDF centrality, position and title overlap"),
            "abstractive_summary": Capability(summary.available, summary.detail or summary.state),
            "translation": Capability(translation.available, translation.detail or translation.state),
            "entities": Capability(
                True,
                "rules and gazetteer; English names of people and organisations "
                + ("from the translation model" if translation.available else "unavailable (no translation model)"),
            ),
            "cache": Capability(cache_error is None, cache_backend + (f": {cache_error}" if cache_error else "")),
        }
        status: Literal["ready", "degraded"] = "ready" if all(c.available for c in caps.values()) else "degraded"
        return Readiness(status, caps)
