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
    done: int
    failed: int
    total: int
    cancelled: int = 0


class ArticleResult(msgspec.Struct):
    """One article's outcome: its digest, or a problem document; never both."""

    index: int
    ref: str | None
    status: ArticleStatus
    attempts: int = 0
    digest: Digest | None = None
    error: ProblemDocument | None = None
    finished_at: Annotated[str | None, Meta(description="When the article finished (ISO 8601, UTC)")] = None


class CallbackStatus(msgspec.Struct):
    """The callback's delivery: `last_error` is one of a few fixed phrases, never network details."""

    url: str
    status: Literal["waiting", "sending", "delivered", "failed"]
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    include_digests: bool = False


class JobView(msgspec.Struct):
    """A job as GET /v1/jobs/{id} shows it; `articles` is a page (offset, limit) of the results."""

    id: str
    status: JobStatus
    progress: Progress
    created_at: Annotated[str, Meta(description="When the job was accepted (ISO 8601, UTC)")]
    finished_at: Annotated[str | None, Meta(description="When its last article finished (ISO 8601, UTC)")]
    expires_in_seconds: int | None
    callback: CallbackStatus | None
    offset: int
    articles: list[ArticleResult]


class JobAccepted(msgspec.Struct):
    id: str
    status: JobStatus
    total: int
    location: str
    duplicate: bool  # true when an Idempotency-Key returned an existing job


class JobSummary(msgspec.Struct):
    """A job in GET /v1/jobs: its state without its articles."""

    id: str
    status: JobStatus
    progress: Progress
    created_at: str
    finished_at: str | None
    location: str


class JobList(msgspec.Struct):
    """A page of the caller's jobs, newest first; pass `next_cursor` as `cursor` for the next page."""

    jobs: list[JobSummary]
    next_cursor: str | None


class JobCancelled(msgspec.Struct):
    """What DELETE /v1/jobs/{id} did: articles cancelled now; running ones finish, finished ones stay."""

    id: str
    status: JobStatus
    cancelled: int
    progress: Progress
