"""HTTP routes of the jobs domain; every route is scoped to the caller's tenant."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, HeaderParameter, Parameter, QueryParameter

from service.access import tenant_of
from service.digest.controllers import require_json
from service.errors import JobNotFound, problem_responses, rate_limit_headers
from service.jobs.schemas import JobAccepted, JobCancelled, JobList, JobRequest, JobView
from service.jobs.services import JobService
from service.text.arabic import strip_controls


def _not_found(job_id: str) -> JobNotFound:
    # The same answer for a malformed id, an expired job and another tenant's job.
    shown = strip_controls(job_id if len(job_id) <= 64 else job_id[:64] + "…")
    return JobNotFound(f"no job {shown!r} (it may have expired: jobs.retention_seconds)")


# Job ids are uuid4 hex; anything else (`<id>:finished`, a path trick) is no job: 404 without touching Redis.
_JOB_ID = re.compile(r"[0-9a-f]{32}")
_JOB_ID_WORDS = "The job's `id` (32 hexadecimal characters), as POST /v1/jobs returned it"
_JOB_EXAMPLES = [
    # No callback_url here: an example must run as it is from Swagger, and a callback needs a public receiver.
    Example(
        summary="A batch of two articles",
        value={
            "articles": [
                {"text": "قال وزير الخارجية إن المحادثات كانت مثمرة.", "ref": "cms-1001"},
                {"text": "<h1>عنوان</h1><p>أعلنت الحكومة خطة جديدة.</p>", "format": "html", "ref": "cms-1002"},
            ],
        },
    ),
    Example(
        summary="A single article (the POST /v1/digest fields, plus ref)",
        value={"text": "قال وزير الخارجية إن المحادثات كانت مثمرة.", "ref": "cms-1003"},
    ),
]


class JobController(Controller):
    path = "/v1/jobs"
    tags = ["jobs"]
    response_headers = rate_limit_headers()

    @post(
        "/",
        guards=[require_json],
        status_code=202,
        operation_id="submitJob",
        responses=problem_responses(400, 401, 409, 413, 415, 422, 429, 500, 503),
        response_headers=[
            ResponseHeader(
                name="Location", description="The job's URL: GET it to follow the job", documentation_only=True
            )
        ],
        summary="Digest one article or a batch in the background",
        description="Send `articles` (a batch) or the fields of one article (`text`, ...), not both. Answers 202 "
        "with the job's id and Location; with `callback_url`, the finished job is POSTed there (see `webhooks`).",
    )
    async def submit(
        self,
        data: Annotated[JobRequest, Body(examples=_JOB_EXAMPLES)],
        job_service: NamedDependency[JobService],
        request: Request[Any, Any, Any],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                max_length=200,
                description="Resubmitting with the same key and body within jobs.idempotency_window_seconds returns "
                "the same job (`duplicate: true`); the same key with another body is a 409",
            ),
        ] = None,
    ) -> Response[JobAccepted]:
        accepted = await job_service.submit(data, idempotency_key, tenant_of(request))
        return Response(accepted, status_code=202, headers={"Location": accepted.location})

    @get(
        "/",
        operation_id="listJobs",
        responses=problem_responses(400, 401, 429, 500, 503),
        summary="Your jobs, newest first, a page at a time",
    )
    async def list_jobs(
        self,
        job_service: NamedDependency[JobService],
        request: Request[Any, Any, Any],
        cursor: Annotated[
            str | None, QueryParameter(max_length=40, description="From the previous page's `next_cursor`")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100, description="How many jobs in the page")] = 20,
    ) -> JobList:
        return await job_service.list(tenant_of(request), cursor, limit)

    @get(
        "/{job_id:str}",
        operation_id="getJob",
        responses=problem_responses(400, 401, 404, 422, 429, 500, 503),
        summary="A job's status, progress and a page of its results",
    )
    async def status(
        self,
        job_id: Annotated[str, Parameter(description=_JOB_ID_WORDS)],
        job_service: NamedDependency[JobService],
        request: Request[Any, Any, Any],
        offset: Annotated[int, QueryParameter(ge=0, description="The first article of the page (its index)")] = 0,
        limit: Annotated[int, QueryParameter(ge=0, le=1000, description="How many articles in the page")] = 100,
    ) -> JobView:
        if not _JOB_ID.fullmatch(job_id):
            raise JobNotFound(f"no job {job_id!r}: a job id is 32 hexadecimal characters")
        view = await job_service.view(job_id, offset, limit, tenant_of(request))
        if view is None:
            raise _not_found(job_id)
        return view

    @delete(
        "/{job_id:str}",
        status_code=200,
        operation_id="cancelJob",
        responses=problem_responses(400, 401, 404, 429, 500, 503),
        summary="Cancel a job's articles that have not started",
        description="Queued articles become `cancelled`; running ones finish and keep their results; finished "
        "ones stay. Cancelling again changes nothing (`cancelled: 0`).",
    )
    async def cancel(
        self,
        job_id: Annotated[str, Parameter(description="The job's id (32 hexadecimal characters)")],
        job_service: NamedDependency[JobService],
        request: Request[Any, Any, Any],
    ) -> JobCancelled:
        cancelled = await job_service.cancel(job_id, tenant_of(request))
        if cancelled is None:
            raise _not_found(job_id)
        return cancelled
