"""The jobs API: batches of articles digested in the background, with progress and an optional callback."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.digest.schemas import Digest, DigestRequest
from service.errors import ProblemDocument

# A job is `cancelled` when DELETE /v1/jobs/{id} came before all its articles ran (those that ran keep their
# results); `failed` when every article failed; `done` when all finished otherwise.
JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
# An article is `cancelled` when its job was cancelled before it started; an article that waited longer than
# jobs.queued_ttl_seconds is `failed` with the problem `expired`.
ArticleStatus = Literal["queued", "running", "done", "failed", "cancelled"]


class JobArticle(DigestRequest, kw_only=True, forbid_unknown_fields=True):
    """One article of a batch: the POST /v1/digest request, plus the caller's own reference."""

    ref: Annotated[str, Meta(max_length=200, description="Your id for this article, echoed back")] | None = None


_CREATED = "When the job was accepted (ISO 8601, UTC)"
_FINISHED = "When its last article finished (ISO 8601, UTC); null until then"
_SINGLE_TEXT = "The article, when the job is a single article (else send `articles`)"


class JobRequest(JobArticle, kw_only=True, forbid_unknown_fields=True):
    """A batch (`articles`), or a single article given by the same fields as POST /v1/digest, and where to POST
    the result. The single article is validated exactly as a batch article is (the fields are inherited)."""

    # Optional here: a batch sends `articles` instead.
    text: Annotated[str | None, Meta(description=_SINGLE_TEXT)] = None  # type: ignore[assignment]
    articles: Annotated[list[JobArticle], Meta(max_length=10_000, description="The batch")] | None = None
    callback_url: (
        Annotated[
            str,
            Meta(
                pattern=r"^https?://",
                max_length=2000,
                description="Where to POST the finished job: a public http(s) URL (checked at submission and again "
                "at delivery; loopback, private and link-local targets are refused unless the operator allows them)",
            ),
        ]
        | None
    ) = None
    callback_include_digests: Annotated[
        bool, Meta(description="Put every article's digest (or error) in the callback, not only its status")
    ] = False

    def batch(self) -> list[JobArticle]:
        """The articles to digest, whichever form the request used."""
        if self.articles is not None:
            return self.articles
        return [
            JobArticle(text=self.text or "", title=self.title, format=self.format, options=self.options, ref=self.ref)
        ]


class Progress(msgspec.Struct):
    """How far the job has come, in articles."""

    done: Annotated[int, Meta(description="Articles digested")]
    failed: Annotated[int, Meta(description="Articles that failed (each has an `error`)")]
    total: Annotated[int, Meta(description="Articles in the job")]
    cancelled: Annotated[int, Meta(description="Articles cancelled before they ran")] = 0


class ArticleResult(msgspec.Struct):
    """One article's outcome: its digest, or a problem document; never both."""

    index: Annotated[int, Meta(description="The article's position in the batch, from 0")]
    ref: Annotated[str | None, Meta(description="Your `ref` for it, echoed")]
    status: Annotated[ArticleStatus, Meta(description="queued, running, done or failed")]
    attempts: Annotated[int, Meta(description="Times it was tried")] = 0
    digest: Annotated[Digest | None, Meta(description="The digest, once done (as POST /v1/digest gives it)")] = None
    error: Annotated[ProblemDocument | None, Meta(description="Why it failed, as a problem document")] = None
    finished_at: Annotated[str | None, Meta(description="When the article finished (ISO 8601, UTC)")] = None


class CallbackStatus(msgspec.Struct):
    """The callback's delivery: `last_error` is one of a few fixed phrases, never network details."""

    url: Annotated[str, Meta(description="The callback_url")]
    status: Annotated[
        Literal["waiting", "sending", "delivered", "failed"], Meta(description="Where the delivery stands")
    ]
    attempts: Annotated[int, Meta(description="Delivery attempts so far")] = 0
    last_status_code: Annotated[int | None, Meta(description="The receiver's last HTTP status")] = None
    last_error: Annotated[str | None, Meta(description="Why the last attempt failed, as a fixed phrase")] = None
    include_digests: Annotated[bool, Meta(description="Whether the callback carries the digests")] = False


class JobView(msgspec.Struct):
    """A job as GET /v1/jobs/{id} shows it; `articles` is a page (offset, limit) of the results."""

    id: Annotated[str, Meta(description="The job's id (32 hex digits)")]
    status: Annotated[
        JobStatus,
        Meta(description="queued, running, done, failed (only when every article failed) or cancelled"),
    ]
    progress: Annotated[Progress, Meta(description="Articles done, failed and in all")]
    created_at: Annotated[str, Meta(description=_CREATED)]
    finished_at: Annotated[str | None, Meta(description=_FINISHED)]
    expires_in_seconds: Annotated[int | None, Meta(description="Seconds until the job and its results expire")]
    callback: Annotated[CallbackStatus | None, Meta(description="The callback's delivery; null without callback_url")]
    offset: Annotated[int, Meta(description="The index of the first article in `articles`")]
    articles: Annotated[list[ArticleResult], Meta(description="A page of the articles' results (offset, limit)")]


class JobAccepted(msgspec.Struct):
    """A job was accepted (or an existing one returned for the same Idempotency-Key)."""

    id: Annotated[str, Meta(description="The job's id (32 hex digits)")]
    status: Annotated[JobStatus, Meta(description="The job's status now")]
    total: Annotated[int, Meta(description="Articles in the job")]
    location: Annotated[str, Meta(description="The job's URL (also the Location header)")]
    # true when an Idempotency-Key returned an existing job
    duplicate: Annotated[bool, Meta(description="True when the Idempotency-Key returned an existing job")]


class JobSummary(msgspec.Struct):
    """A job in GET /v1/jobs: its state without its articles."""

    id: Annotated[str, Meta(description="The job's id (32 hex digits)")]
    status: Annotated[JobStatus, Meta(description="The job's status now")]
    progress: Annotated[Progress, Meta(description="Articles done, failed, cancelled and in all")]
    created_at: Annotated[str, Meta(description=_CREATED)]
    finished_at: Annotated[str | None, Meta(description=_FINISHED)]
    location: Annotated[str, Meta(description="The job's URL")]


class JobList(msgspec.Struct):
    """A page of the caller's jobs, newest first; pass `next_cursor` as `cursor` for the next page."""

    jobs: Annotated[list[JobSummary], Meta(description="The page of jobs, newest first")]
    next_cursor: Annotated[str | None, Meta(description="The cursor of the next page; null on the last")]


class JobCancelled(msgspec.Struct):
    """What DELETE /v1/jobs/{id} did: articles cancelled now; running ones finish, finished ones stay."""

    id: Annotated[str, Meta(description="The job's id")]
    status: Annotated[JobStatus, Meta(description="The job's status after the cancel")]
    cancelled: Annotated[int, Meta(description="Articles cancelled by this request (0 when repeated)")]
    progress: Annotated[Progress, Meta(description="Articles done, failed, cancelled and in all")]
