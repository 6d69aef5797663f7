"""A tenant's usage: the meters and the job loads, read, never changed."""

from __future__ import annotations

from service.access import Meter
from service.config import Settings
from service.jobs.store import JobStore
from service.usage.schemas import Usage


class UsageService:
    """Reads the same counters the limits use, so what it shows is what the limits see."""

    def __init__(self, settings: Settings, meter: Meter, store: JobStore) -> None:
        self.settings = settings
        self.meter = meter
        self.store = store

    async def usage(self, tenant: str) -> Usage:
        """The tenant's counts and limits now."""
        limits, jobs = self.settings.rate_limit, self.settings.jobs
        return Usage(
            tenant=tenant,
            character_count=max(0, await self.meter.count("chars", tenant)),
            character_limit=limits.chars_per_minute or None,
            character_reset_seconds=self.meter.seconds_left(),
            queued_articles=await self.store.load(tenant),
            queued_limit=jobs.max_queued_articles_per_key or None,
            queued_ttl_seconds=jobs.queued_ttl_seconds,
            requests_per_minute_limit=limits.requests_per_minute or None,
            max_articles_per_job=jobs.max_articles,
            server_queued_articles=await self.store.load(),
            server_queued_limit=jobs.max_queued_articles or None,
        )
