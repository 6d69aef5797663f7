"""SAQ job functions and worker wiring: one queue job per article, one per callback.

Each article job writes its result into the job record under its own index, first finisher wins, so a job
that runs twice (a worker killed mid-article, swept and retried) adds nothing: the batch completes exactly
once from the user's point of view. Any worker that sees every article finished enqueues the callback under
one queue key (deduplicated); the callback job does nothing once delivered. The article text stays in the
job record: queue jobs carry only (job id, index), so SAQ's own logs never hold article text.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from saq import Queue, Worker
from saq.types import Context, PartialTimersDict

from service.config import Settings
from service.digest.admission import Slots
from service.digest.services import DigestService
from service.errors import Problem, problem_document
from service.jobs import webhooks
from service.jobs.schemas import ArticleResult, JobArticle
from service.jobs.store import JobStore

log = structlog.get_logger(__name__)


def _plain_saq_logs() -> None:
    # SAQ's records propagate to the root logger, where service/logs.py renders them as JSON like the rest;
    # until logging is configured they are warnings and above only. Its per-shutdown "did not finish within
    # the shutdown grace period" warning is routine with a grace period of 0: demoted to debug.
    saq_log = logging.getLogger("saq")
    saq_log.propagate = True
    if saq_log.level == logging.NOTSET:
        saq_log.setLevel(logging.WARNING)
    if not any(isinstance(f, _RoutineShutdown) for f in saq_log.filters):
        saq_log.addFilter(_RoutineShutdown())


class _RoutineShutdown(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and str(record.msg).startswith("Some tasks did not finish"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger("saq").isEnabledFor(logging.DEBUG)
        return True


_plain_saq_logs()
SIGNATURE_HEADER = "X-Khulasa-Signature"


@dataclass
class JobRuntime:
    """What job functions need; built once per worker (or per API process for in-process workers)."""

    settings: Settings
    queue: Queue
    store: JobStore
    digests: DigestService
    slots: Slots  # the jobs' own admission slots, so a batch never takes interactive requests' places


class JobContext(Context, total=False):
    khulasa: JobRuntime


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The callback signature, Stripe-style: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`."""
    return webhooks.signature(secret, body, timestamp)


async def _heartbeat(job: Any) -> None:
    # A live job keeps telling SAQ so; a killed worker stops, and the sweep hands the article to another.
    while True:
        await asyncio.sleep(max(job.heartbeat / 3, 0.5))
        await job.update()


async def digest_article(ctx: JobContext, *, job_id: str, index: int) -> None:
    """Digest one article of a job and record its result (or its problem) in the job record."""
    runtime: JobRuntime = ctx["khulasa"]
    job = ctx["job"]
    attempts = runtime.settings.jobs.max_attempts
    record = await runtime.store.article(job_id, index)
    source = await runtime.store.source(job_id, index)
    if record is None or source is None:
        return  # the job expired
    if job.attempts > attempts:
        # Every real attempt died (worker killed) or overran SAQ's timeout: say so, never leave it running.
        record.status, record.attempts = "failed", attempts
        record.error = problem_document(
            500,
            "The article could not be digested",
            f"its worker died or timed out on each of {attempts} attempts (jobs.max_attempts)",
            "worker-died",
        )
        await runtime.store.finish_article(job_id, record)
    else:
        record.status, record.attempts = "running", job.attempts
        if await runtime.store.mark_running(job_id, record):
            await _digest(runtime, job, job_id, record, source, last_attempt=job.attempts >= attempts)
    if await runtime.store.all_finished(job_id):
        if await runtime.store.callback(job_id):
            # Enqueued before the end is stamped, so a crash in between cannot lose it; the queue key
            # dedupes it, and deliver_callback does nothing once the callback was delivered.
            await runtime.queue.enqueue(
                "deliver_callback",
                key=f"{job_id}:callback",
                job_id=job_id,
                retries=runtime.settings.jobs.callback_attempts,
                retry_delay=1.0,
                retry_backoff=30,
                timeout=60,
                ttl=runtime.settings.jobs.retention_seconds,
            )
        await runtime.store.mark_finished(job_id)


async def _digest(
    runtime: JobRuntime, job: Any, job_id: str, record: ArticleResult, source: dict[str, Any], last_attempt: bool
) -> None:
    beat = asyncio.create_task(_heartbeat(job)) if job.heartbeat else None
    try:
        # Validated at submission against the same schema; converted again because the record is JSON.
        request = msgspec.convert(source, JobArticle)
        record.digest = await runtime.digests.create(request, slots=runtime.slots)
        record.status, record.error = "done", None
    except msgspec.ValidationError as exc:
        record.status = "failed"
        record.error = problem_document(422, "The article does not match the schema", str(exc), "invalid-request")
    except Problem as exc:
        if exc.status_code >= 500 and not last_attempt:
            raise  # overload or timeout: worth another attempt, after SAQ's back-off
        record.status, record.error = "failed", exc.document()
    except Exception:
        if not last_attempt:
            raise  # SAQ logs the job by id only: its kwargs hold no article text
        log.exception("article failed", job=job_id, index=record.index)
        record.status = "failed"
        record.error = problem_document(
            500, "Internal error", f"the article failed after {job.attempts} attempts; the error is logged", "internal"
        )
    finally:
        if beat is not None:
            beat.cancel()
    await runtime.store.finish_article(job_id, record)
    log.info("job article", job=job_id, index=record.index, status=record.status, attempt=job.attempts)


async def deliver_callback(ctx: JobContext, *, job_id: str) -> None:
    """POST the finished job, signed, to its vetted target; a failed delivery raises so SAQ retries it."""
    runtime: JobRuntime = ctx["khulasa"]
    job = ctx["job"]
    jobs = runtime.settings.jobs
    callback = await runtime.store.callback(job_id)
    if callback is None or callback.status in ("delivered", "failed"):
        return  # nothing to send, or sent already (a duplicate enqueue after a re-run)
    # The callback is enqueued just before the job's end is stamped; stamp it here (the first stamp stays)
    # so that the payload always carries finished_at.
    await runtime.store.mark_finished(job_id)
    view = await runtime.store.view(job_id, 0, 10**6)
    if view is None:
        return  # expired
    callback.status, callback.attempts = "sending", job.attempts
    delivery = webhooks.delivery_id(job_id)
    body = webhooks.payload(view, delivery, include_digests=callback.include_digests)
    if not jobs.callback_secret:
        outcome = webhooks.Outcome(False, error=webhooks.NO_SECRET, permanent=True)
    else:
        policy = webhooks.policy_from(
            jobs.callback_allow_networks, jobs.callback_connect_timeout_seconds, jobs.callback_read_timeout_seconds
        )
        headers = webhooks.headers(jobs.callback_secret, job_id, delivery, body)
        outcome = await webhooks.deliver(callback.url, body, headers, policy)
    callback.last_status_code, callback.last_error = outcome.status_code, outcome.error
    if outcome.ok:
        callback.status = "delivered"
    elif outcome.permanent or job.attempts >= job.retries:
        callback.status = "failed"
    else:
        callback.status = "waiting"
    await runtime.store.save_callback(job_id, callback)
    log.info(
        "job callback",
        job=job_id,
        delivery=delivery,
        status=callback.status,
        attempt=job.attempts,
        code=outcome.status_code,
        error=outcome.error,
    )
    if callback.status == "waiting":
        # No URL or error text here: SAQ logs this message, and the URL may carry the receiver's token.
        raise RuntimeError(f"callback of job {job_id} not delivered ({outcome.error}); retrying")


def make_worker(runtime: JobRuntime, concurrency: int) -> Worker[JobContext]:
    """A SAQ worker over the runtime; runs in-process (serve) or alone (`khulasa worker`)."""

    async def startup(ctx: JobContext) -> None:
        ctx["khulasa"] = runtime

    timers: PartialTimersDict = {
        "schedule": 1,
        "worker_info": 10,
        "abort": 1,
        "sweep": runtime.settings.jobs.sweep_seconds,
    }
    worker: Worker[JobContext] = Worker(
        runtime.queue,
        functions=[digest_article, deliver_callback],
        concurrency=concurrency,
        startup=startup,
        timers=timers,
    )
    worker.SIGNALS = []  # the host process (uvicorn, or our CLI) owns signal handling
    return worker
