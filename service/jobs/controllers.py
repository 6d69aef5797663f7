"""HTTP routes of the jobs domain; every route is scoped to the caller's tenant."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath, HeaderParameter, QueryParameter

from service.access import tenant_of
from service.digest.controllers import require_json
from service.errors import JobNotFound
from service.jobs.schemas import JobAccepted, JobCancelled, JobList, JobRequest, JobView
from service.jobs.services import JobService
from service.text.arabic import strip_controls


def _not_found(job_id: str) -> JobNotFound:
    # The same answer for a malformed id, an expired job and another tenant's job.
    shown = strip_controls(job_id if len(job_id) <= 64 else job_id[:64] + "…")
    return JobNotFound(f"no job {shown!r} (it may have expired: jobs.retention_seconds)")


class JobController(Controller):
    path = "/v1/jobs"
    tags = ["jobs"]

    @post("/", guards=[require_json], status_code=202, summary="Digest one article or a batch in the background")
    async def submit(
        self,
        data: Annotated[JobRequest, Body()],
        job_service: NamedDependency[JobService],
        request: Request[Any, Any, Any],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=200)] = None,
    ) -> Response[JobAccepted]:
        accepted = await job_service.submit(data, idempotency_key, tenant_of(request))
        return Response(accepted, status_code=202, headers={"Location": accepted.location})

    @get("/", summary="Your jobs, newest first, a page at a time")
    async def list_jobs(
        self,
        job_service: NamedDependency[JobService],
        request: Request[Any, Any, Any],
        cursor: Annotated[str | None, QueryParameter(max_length=40)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> JobList:
        return await job_service.list(tenant_of(request), cursor, limit)

    @get("/{job_id:str}", summary="A job's status, progress and a page of its results")
    async def status(
        self,
        job_id: FromPath[str],
        job_service: NamedDependency[JobService],
        request: Request[Any, Any, Any],
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=0, le=1000)] = 100,
    ) -> JobView:
        view = await job_service.view(job_id, offset, limit, tenant_of(request))
        if view is None:
            raise _not_found(job_id)
        return view

    @delete(
        "/{job_id:str}",
        status_code=200,
        summary="Cancel a job's articles that have not started",
        description="Queued articles become `cancelled`; running ones finish and keep their results; finished "
        "ones stay. Cancelling again changes nothing (`cancelled: 0`).",
    )
    async def cancel(
        self, job_id: FromPath[str], job_service: NamedDependency[JobService], request: Request[Any, Any, Any]
    ) -> JobCancelled:
        cancelled = await job_service.cancel(job_id, tenant_of(request))
        if cancelled is None:
            raise _not_found(job_id)
        return cancelled
