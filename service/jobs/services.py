"""Accepting jobs: validate, check the tenant's quotas, record the job and its pending articles in one step."""

from __future__ import annotations

import hashlib
import uuid

import msgspec

from service.access import PUBLIC, Meter
from service.config import Settings
from service.errors import IdempotencyKeyReused, InvalidJob, LargerThanQuota, QueueFull, QuotaExceeded
from service.jobs import webhooks
from service.jobs.schemas import CallbackStatus, JobAccepted, JobCancelled, JobList, JobRequest, JobView
from service.jobs.store import JobStore, Submitted
from service.text.arabic import strip_controls


def body_hash(request: JobRequest) -> str:
    """A hash of the request as decoded (so key order and spacing do not matter): what an Idempotency-Key
    is bound to."""
    return hashlib.sha256(msgspec.json.encode(request)).hexdigest()


class JobService:
    """Submits, lists and cancels a tenant's jobs; the queue side is the workers' (see tasks.py)."""

    def __init__(self, settings: Settings, store: JobStore, meter: Meter | None = None) -> None:
        self.settings = settings
        self.store = store
        self.meter = meter

    async def submit(self, request: JobRequest, idempotency_key: str | None, tenant: str = PUBLIC) -> JobAccepted:
        """Record the job and its pending articles (all or nothing). The same Idempotency-Key with the same body
        returns the same job; with another body, 409."""
        jobs = self.settings.jobs
        if request.articles is not None and request.text is not None:
            raise InvalidJob("send either `articles` (a batch) or `text` (one article), not both")
        if request.articles is None and not request.text:
            raise InvalidJob("send `articles` (a batch) or `text` (one article)")
        articles = request.batch()
        if not articles:
            raise InvalidJob("`articles` is empty")
        if len(articles) > jobs.max_articles:
            raise InvalidJob(
                f"{len(articles)} articles; a job takes at most {jobs.max_articles} (jobs.max_articles): "
                "split the batch"
            )
        if jobs.max_queued_articles_per_key and len(articles) > jobs.max_queued_articles_per_key:
            raise LargerThanQuota(
                f"{len(articles)} articles in one job; you may have at most {jobs.max_queued_articles_per_key} "
                "queued or running (jobs.max_queued_articles_per_key): split the batch",
                extra={"limit": jobs.max_queued_articles_per_key},
            )
        if request.callback_url:
            await self._check_callback(request.callback_url)
        elif request.callback_include_digests:
            raise InvalidJob(
                "callback_include_digests needs a callback_url", extra={"field": "callback_include_digests"}
            )
        digest = body_hash(request)
        # A cheap look before the characters are counted: a tenant over its queue quota is told so at once.
        if jobs.max_queued_articles_per_key:
            load = await self.store.load(tenant)
            if load + len(articles) > jobs.max_queued_articles_per_key:
                raise self._tenant_full(load, len(articles))
        charged = await self._charge(tenant, sum(len(a.text) for a in articles))
        # The caller's ref is echoed back: controls and bidi overrides are taken out first.
        sources = [
            msgspec.to_builtins(msgspec.structs.replace(a, ref=strip_controls(a.ref) if a.ref else a.ref))
            for a in articles
        ]
        callback = None
        if request.callback_url:
            callback = CallbackStatus(request.callback_url, "waiting", include_digests=request.callback_include_digests)
        job_id = uuid.uuid4().hex
        chars = sum(len(a.text) for a in articles)
        outcome = None
        try:
            outcome = await self.store.submit(
                job_id,
                tenant,
                sources,
                callback,
                idempotency_key=idempotency_key,
                body_hash=digest,
                idempotency_window=jobs.idempotency_window_seconds,
                limit_tenant=jobs.max_queued_articles_per_key,
                limit_all=jobs.max_queued_articles,
                queued_ttl=jobs.queued_ttl_seconds,
            )
        finally:
            if charged and (outcome is None or outcome.outcome != "created") and self.meter is not None:
                # Nothing was queued (refused, a repeat, or Redis failed): the characters are given back.
                await self.meter.add("chars", tenant, -chars)
        return await self._answer(outcome, len(articles), digest)

    async def _answer(self, outcome: Submitted, n: int, digest: str) -> JobAccepted:
        if outcome.outcome == "created":
            return JobAccepted(outcome.job_id, "queued", n, f"/v1/jobs/{outcome.job_id}", False)
        if outcome.outcome == "existing":
            if outcome.body_hash != digest:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used with a different request body in the last "
                    f"{self.settings.jobs.idempotency_window_seconds} s (jobs.idempotency_window_seconds): "
                    "send a new key for a new request",
                    extra={"job": outcome.job_id},
                )
            view = await self.store.view(outcome.job_id, 0, 0)
            status = view.status if view else "queued"
            total = view.progress.total if view else n
            return JobAccepted(outcome.job_id, status, total, f"/v1/jobs/{outcome.job_id}", True)
        retry = str(self.settings.limits.retry_after_seconds * 6)
        if outcome.outcome == "tenant-full":
            raise self._tenant_full(outcome.load, n)
        raise QueueFull(
            f"the server has {outcome.load} articles queued or running, its limit is "
            f"{self.settings.jobs.max_queued_articles} (jobs.max_queued_articles); retry in {retry} s",
            headers={"Retry-After": retry},
        )

    def _tenant_full(self, load: int, n: int) -> QuotaExceeded:
        limit = self.settings.jobs.max_queued_articles_per_key
        retry = str(self.settings.limits.retry_after_seconds * 6)
        return QuotaExceeded(
            f"you have {load} articles queued or running and may have {limit} (jobs.max_queued_articles_per_key); "
            f"this job adds {n}: retry when some have finished (GET /v1/usage shows the count)",
            headers={"Retry-After": retry},
            extra={"limit": limit, "queued": load},
        )

    async def _charge(self, tenant: str, chars: int) -> bool:
        """Count the job's characters against the tenant's per-minute limit; True when counted."""
        per_minute = self.settings.rate_limit.chars_per_minute
        if not per_minute or self.meter is None:
            return False
        if chars > per_minute:
            raise LargerThanQuota(
                f"{chars} characters in one job; the limit is {per_minute} per minute "
                "(rate_limit.chars_per_minute): split the batch",
                extra={"limit": per_minute},
            )
        retry_after = await self.meter.take("chars", tenant, chars, per_minute)
        if retry_after is not None:
            raise QuotaExceeded(
                f"{chars} more characters would pass your limit of {per_minute} per minute "
                f"(rate_limit.chars_per_minute); retry in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
                extra={"limit": per_minute},
            )
        return True

    async def view(self, job_id: str, offset: int, limit: int, tenant: str = PUBLIC) -> JobView | None:
        """The tenant's job, or None (absent, expired, malformed id or another tenant's)."""
        return await self.store.view(job_id, offset, limit, tenant)

    async def list(self, tenant: str, cursor: str | None, limit: int) -> JobList:
        """The tenant's jobs, newest first."""
        position = int(cursor) if cursor and cursor.isdigit() else None
        if cursor and position is None:
            raise InvalidJob("`cursor` is not one this API gave: pass `next_cursor` from the previous page")
        jobs, after = await self.store.jobs(tenant, position, limit)
        return JobList(jobs, str(after) if after is not None else None)

    async def cancel(self, job_id: str, tenant: str = PUBLIC) -> JobCancelled | None:
        """Cancel what has not started; None when there is no such job for the tenant."""
        cancelled = await self.store.cancel(job_id, tenant)
        if cancelled is None:
            return None
        view = await self.store.view(job_id, 0, 0, tenant)
        if view is None:
            return None
        return JobCancelled(job_id, view.status, cancelled, view.progress)

    async def _check_callback(self, url: str) -> None:
        jobs = self.settings.jobs
        if not jobs.callback_secret:
            raise InvalidJob(
                "callback_url needs a signing secret on the server (jobs.callback_secret)",
                extra={"field": "callback_url"},
            )
        policy = webhooks.policy_from(
            jobs.callback_allow_networks, jobs.callback_connect_timeout_seconds, jobs.callback_read_timeout_seconds
        )
        try:
            await webhooks.check_target(url, policy)
        except webhooks.TargetRefused as exc:
            raise InvalidJob(f"callback_url {exc.reason}", extra={"field": "callback_url"}) from None
