"""Problem-details errors (RFC 9457): every refusal says what was wrong and what to do."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import status_codes as st
from litestar.plugins.problem_details import ProblemDetailsException
from msgspec import Meta

PROBLEM_BASE = "https://khulasa.dev/problems/"


class ProblemDocument(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document: what the API, job results and the CLI emit for every refusal."""

    type: Annotated[str, Meta(description="A stable URI naming the kind of problem")]
    title: Annotated[str, Meta(description="A short summary of the kind of problem")]
    status: Annotated[int, Meta(description="The HTTP status code")]
    detail: Annotated[str, Meta(description="What went wrong with this request and what to change")]
    errors: Annotated[
        list[dict[str, Any]] | None, Meta(description="Per-field schema errors, when the body did not validate")
    ] = None


def problem_document(status: int, title: str, detail: str, slug: str) -> ProblemDocument:
    """A problem document for a failure that is not raised as a Problem (a job article that kept dying)."""
    return ProblemDocument(PROBLEM_BASE + slug, title, status, detail)


class Problem(ProblemDetailsException):
    """Base of Khulasa's errors; `type` names the problem, `detail` says it in words."""

    slug = "about:blank"
    title_text = "Bad request"
    code = st.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(
            detail=detail,
            status_code=self.code,
            title=self.title_text,
            type_=f"{PROBLEM_BASE}{self.slug}",
            extra=extra,
            headers=headers,
        )

    def document(self) -> ProblemDocument:
        """The problem as a document, for job results and the command line."""
        return ProblemDocument(self.type_ or "about:blank", self.title or self.title_text, self.code, self.detail)


class EmptyArticle(Problem):
    slug, title_text, code = "empty-article", "The article has no text", st.HTTP_422_UNPROCESSABLE_ENTITY


class NotArabic(Problem):
    slug, title_text, code = "not-arabic", "The article is not in Arabic", st.HTTP_422_UNPROCESSABLE_ENTITY


class ArticleTooLarge(Problem):
    slug, title_text, code = "article-too-large", "The article is too long", st.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class InvalidText(Problem):
    slug, title_text, code = "invalid-text", "The text cannot be read", st.HTTP_400_BAD_REQUEST


class CapabilityUnavailable(Problem):
    # 422, not 503: the caller must change the request (or the operator the server); retrying will not help.
    slug, title_text, code = "capability-unavailable", "Not available on this server", st.HTTP_422_UNPROCESSABLE_ENTITY


class DigestNotFound(Problem):
    slug, title_text, code = "digest-not-found", "No such digest", st.HTTP_404_NOT_FOUND


class Overloaded(Problem):
    slug, title_text, code = "overloaded", "Too many digests in progress", st.HTTP_503_SERVICE_UNAVAILABLE


class DigestTimeout(Problem):
    slug, title_text, code = "timeout", "The digest did not finish in time", st.HTTP_504_GATEWAY_TIMEOUT


class UnsupportedMediaType(Problem):
    slug, title_text, code = "unsupported-media-type", "Send JSON", st.HTTP_415_UNSUPPORTED_MEDIA_TYPE


class InvalidJob(Problem):
    slug, title_text, code = "invalid-job", "The job cannot be accepted", st.HTTP_422_UNPROCESSABLE_ENTITY


class JobNotFound(Problem):
    slug, title_text, code = "job-not-found", "No such job", st.HTTP_404_NOT_FOUND


class InvalidGlossary(Problem):
    slug, title_text, code = "invalid-glossary", "The glossary entries are not valid", st.HTTP_422_UNPROCESSABLE_ENTITY


class GlossaryTooLarge(Problem):
    slug, title_text, code = "glossary-too-large", "The glossary is too large", st.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class GlossaryEntryNotFound(Problem):
    slug, title_text, code = "glossary-entry-not-found", "No such glossary entry", st.HTTP_404_NOT_FOUND


class MarkupTooDeep(Problem):
    # 413 like an article that is too long: the request asks for more work than the server will do.
    slug, title_text, code = "markup-too-deep", "The HTML is nested too deeply", st.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class QuotaExceeded(Problem):
    # 429: the tenant's own quota (queued articles, characters per minute); Retry-After says when to come back.
    slug, title_text, code = "quota-exceeded", "Your quota is used up for now", st.HTTP_429_TOO_MANY_REQUESTS


class TooManyFailedKeys(Problem):
    slug, title_text, code = "too-many-failed-keys", "Too many requests with a wrong key", st.HTTP_429_TOO_MANY_REQUESTS


class QueueFull(Problem):
    # 503: the server's own queue is full (all tenants together); not the caller's fault.
    slug, title_text, code = "queue-full", "The job queue is full", st.HTTP_503_SERVICE_UNAVAILABLE


class IdempotencyKeyReused(Problem):
    # 409 (Stripe's choice) rather than the IETF draft's 422: the request is valid, it conflicts with the
    # earlier request stored under the same key.
    slug, title_text, code = "idempotency-key-reused", "The Idempotency-Key was used for another request", 409


class LargerThanQuota(Problem):
    # 413, not 429: the one request is larger than the whole quota, so waiting will not help; split it.
    slug, title_text, code = "larger-than-quota", "The request is larger than your whole quota", 413
