"""HTTP route of the usage domain."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency

from service.access import tenant_of
from service.errors import problem_responses, rate_limit_headers
from service.usage.schemas import Usage
from service.usage.services import UsageService


class UsageController(Controller):
    path = "/v1/usage"
    tags = ["usage"]

    response_headers = rate_limit_headers()

    @get(
        "/",
        operation_id="getUsage",
        responses=problem_responses(401, 429, 500, 503),
        summary="Your usage and limits",
        description="Characters this minute, articles queued, and the limits.",
    )
    async def usage(self, usage_service: NamedDependency[UsageService], request: Request[Any, Any, Any]) -> Usage:
        return await usage_service.usage(tenant_of(request))
