"""Accepting jobs: validate, record, enqueue one queue job per article."""

from __future__ import annotations

import uuid

import msgspec
from saq import Queue

from service.config import Settings
from service.errors import InvalidJob
from service.jobs import webhooks
from service.jobs.schemas import JobAccepted, JobRequest
from service.jobs.store import JobStore
from service.text.arabic import strip_controls


class JobService:
    """Owns nothing; the queue and store come from the app's lifespan."""

    def __init__(self, settings: Settings, queue: Queue, store: JobStore) -> None:
        self.settings = settings
        self.queue = queue
        self.store = store

    async def submit(self, request: JobRequest, idempotency_key: str | None) -> JobAccepted:
        """Record the job and enqueue its articles; the same Idempotency-Key returns the same job."""
        if request.articles is not None and request.text is not None:
            raise InvalidJob("send either `articles` (a batch) or `text` (one article), not both")
        if request.articles is None and not request.text:
            raise InvalidJob("send `articles` (a batch) or `text` (one article)")
        articles = request.batch()
        if not articles:
            raise InvalidJob("`articles` is empty")
        if len(articles) > self.settings.jobs.max_articles:
            raise InvalidJob(
                f"{len(articles)} articles; a job takes at most {self.settings.jobs.max_articles} "
                "(jobs.max_articles): split the batch"
            )
        if request.callback_url:
            await self._check_callback(request.callback_url)
        elif request.callback_include_digests:
            raise InvalidJob(
                "callback_include_digests needs a callback_url", extra={"field": "callback_include_digests"}
            )
        job_id = uuid.uuid4().hex
        if idempotency_key:
            existing = await self.store.claim_idempotency_key(
                idempotency_key, job_id, self.settings.jobs.idempotency_window_seconds
            )
            if existing:
                # The key's job, even if its first request is still writing it: never a second job.
                view = await self.store.view(existing, 0, 0)
                status = view.status if view else "queued"
                total = view.progress.total if view else len(articles)
                return JobAccepted(existing, status, total, f"/v1/jobs/{existing}", True)
        try:
            await self._record_and_enqueue(job_id, request)
        except BaseException:
            # Nothing half-made stays behind: the key is free again for the client's retry.
            await self.store.forget(job_id, idempotency_key)
            raise
        return JobAccepted(job_id, "queued", len(articles), f"/v1/jobs/{job_id}", False)

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

    async def _record_and_enqueue(self, job_id: str, request: JobRequest) -> None:
        # The caller's ref is echoed back: controls and bidi overrides are taken out first.
        articles = [msgspec.structs.replace(a, ref=strip_controls(a.ref) if a.ref else a.ref) for a in request.batch()]
        await self.store.create(job_id, [msgspec.to_builtins(a) for a in articles], request.callback_url)
        if request.callback_url and request.callback_include_digests:
            # Before any article is enqueued, so no delivery can read the record without it.
            callback = await self.store.callback(job_id)
            if callback is not None:
                callback.include_digests = True
                await self.store.save_callback(job_id, callback)
        jobs = self.settings.jobs
        for index in range(len(articles)):
            await self.queue.enqueue(
                "digest_article",
                key=f"{job_id}:{index}",
                job_id=job_id,
                index=index,
                timeout=int(self.settings.limits.request_timeout_seconds) + 60,
                heartbeat=jobs.heartbeat_seconds,
                # One attempt more than max_attempts: the last only records that the others died.
                retries=jobs.max_attempts + 1,
                retry_delay=1.0,
                retry_backoff=30,
                ttl=jobs.retention_seconds,
            )
