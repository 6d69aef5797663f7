"""HTTP routes of the jobs domain."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath, HeaderParameter, QueryParameter

from service.digest.controllers import require_json
from service.errors import JobNotFound
from service.jobs.schemas import JobAccepted, JobRequest, JobView
from service.jobs.services import JobService


class JobController(Controller):
    path = "/v1/jobs"
    tags = ["jobs"]

    @post("/", guards=[require_json], status_code=202, summary="Digest one article or a batch in the background")
    async def submit(
        self,
        data: Annotated[JobRequest, Body()],
        job_service: NamedDependency[JobService],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=200)] = None,
    ) -> Response[JobAccepted]:
        accepted = await job_service.submit(data, idempotency_key)
        return Response(accepted, status_code=202, headers={"Location": accepted.location})

    @get("/{job_id:str}", summary="A job's status, progress and a page of its results")
    async def status(
        self,
        job_id: FromPath[str],
        job_service: NamedDependency[JobService],
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=0, le=1000)] = 100,
    ) -> JobView:
        view = await job_service.store.view(job_id, offset, limit)
        if view is None:
            raise JobNotFound(f"no job {job_id!r} (it may have expired: jobs.retention_seconds)")
        return view
