"""Problem-details errors (RFC 9457): every refusal says what was wrong and what to do."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import status_codes as st
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.problem_details import ProblemDetailsException
from msgspec import Meta

PROBLEM_BASE = "https://khulasa.dev/problems/"


class FieldError(msgspec.Struct, omit_defaults=True):
    """One field the request got wrong, by its name in the API (`options.summary`, `articles[3].text`)."""

    field: Annotated[
        str | None,
        Meta(description="The field by its API name (dotted path, `[i]` for list items); null for the whole body"),
    ]
    message: Annotated[str, Meta(description="What is wrong with it")]
    source: Annotated[
        Literal["body", "query", "path", "header"] | None, Meta(description="Where the field was sent")
    ] = None


class ProblemDocument(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document (`application/problem+json`): what the API, job results and the CLI emit for
    every refusal. `type` is stable per kind of problem (the README lists them all); the optional members say
    more for the kinds that have them."""

    type: Annotated[
        str, Meta(description="A stable URI naming the kind of problem, under https://khulasa.dev/problems/")
    ]
    title: Annotated[str, Meta(description="A short summary of the kind of problem (the same for every instance)")]
    status: Annotated[int, Meta(ge=400, le=599, description="The HTTP status code")]
    detail: Annotated[str, Meta(description="What went wrong with this request and what to change")]
    errors: Annotated[
        list[FieldError] | None, Meta(description="The fields at fault, by their API names (422 and some 413)")
    ] = None
    field: Annotated[str | None, Meta(description="The one field at fault, when there is one (also in `errors`)")] = (
        None
    )
    limit: Annotated[int | None, Meta(description="The limit that was exceeded (characters, bytes or depth)")] = None
    received: Annotated[int | None, Meta(description="How much was received, in the limit's unit")] = None
    depth: Annotated[int | None, Meta(description="How deep the HTML was nested, where it was refused")] = None
    arabic_ratio: Annotated[
        float | None, Meta(description="The share of the article's letters that are Arabic (not-arabic)")
    ] = None
    retry_after: Annotated[
        int | None, Meta(description="Seconds to wait before retrying (also the Retry-After header)")
    ] = None


def problem_document(status: int, title: str, detail: str, slug: str) -> ProblemDocument:
    """A problem document for a failure that is not raised as a Problem (a job article that kept dying)."""
    return ProblemDocument(PROBLEM_BASE + slug, title, status, detail)


class Problem(ProblemDetailsException):
    """Base of Khulasa's errors; `type` names the problem, `detail` says it in words.

    Every subclass is one kind of problem: a stable `slug` (the `type` URI's last part), a short title and a
    status. The README's error table lists every subclass (a test checks it)."""

    slug = "about:blank"
    title_text = "Bad request"
    code = st.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        extra = dict(extra or {})
        # A single field named by the raiser is also given the way schema errors give theirs.
        if isinstance(extra.get("field"), str) and "errors" not in extra:
            extra["errors"] = [{"field": extra["field"], "message": detail}]
        super().__init__(
            detail=detail,
            status_code=self.code,
            title=self.title_text,
            type_=f"{PROBLEM_BASE}{self.slug}",
            extra=extra or None,
            headers=headers,
        )

    def document(self) -> ProblemDocument:
        """The problem as a document, for job results and the command line."""
        members: dict[str, Any] = {"type": self.type_ or "about:blank", "title": self.title or self.title_text}
        members |= {"status": self.code, "detail": self.detail}
        if isinstance(self.extra, dict):
            members |= {k: v for k, v in self.extra.items() if k in _EXTENSIONS}
        return msgspec.convert(members, ProblemDocument)


_EXTENSIONS = frozenset(f.name for f in msgspec.structs.fields(ProblemDocument)) - {"type", "title", "status", "detail"}


def problem_kinds() -> list[type[Problem]]:
    """Every kind of problem the service answers with, once each, in status order."""
    seen: dict[str, type[Problem]] = {}
    stack: list[type[Problem]] = list(Problem.__subclasses__())
    while stack:
        kind = stack.pop()
        seen.setdefault(kind.slug, kind)
        stack.extend(kind.__subclasses__())
    return sorted(seen.values(), key=lambda k: (k.code, k.slug))


# The framework's own refusals (malformed JSON, routing, body size, rate limit, keys) as Khulasa problems.


class InvalidJson(Problem):
    slug, title_text, code = "invalid-json", "The body is not valid JSON", st.HTTP_400_BAD_REQUEST


class InvalidEncoding(Problem):
    slug, title_text, code = "invalid-encoding", "The body is not valid UTF-8", st.HTTP_400_BAD_REQUEST


class InvalidRequest(Problem):
    slug, title_text, code = "invalid-request", "The request does not match the schema", 422


class Unauthorized(Problem):
    slug, title_text, code = "unauthorized", "API key missing or not valid", st.HTTP_401_UNAUTHORIZED


class NotFound(Problem):
    slug, title_text, code = "not-found", "No such resource", st.HTTP_404_NOT_FOUND


class MethodNotAllowed(Problem):
    slug, title_text, code = "method-not-allowed", "Method not allowed", st.HTTP_405_METHOD_NOT_ALLOWED


class BodyTooLarge(Problem):
    slug, title_text, code = "body-too-large", "The request body is too large", st.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class RateLimited(Problem):
    slug, title_text, code = "rate-limited", "Too many requests", st.HTTP_429_TOO_MANY_REQUESTS


class InternalError(Problem):
    slug, title_text, code = "internal-error", "Internal error", st.HTTP_500_INTERNAL_SERVER_ERROR


class QueueUnavailable(Problem):
    slug, title_text, code = "queue-unavailable", "The job queue is unavailable", st.HTTP_503_SERVICE_UNAVAILABLE


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


# -- the problems in the OpenAPI contract -----------------------------------------------------------------

_STATUS_WORDS = {
    400: "The body could not be read as UTF-8 JSON",
    401: "No API key, or one that is not valid (when keys are on)",
    404: "Nothing found at this path",
    409: "The request conflicts with an earlier one",
    413: "The request asks for more than the server's limits allow (the limit is in the document)",
    415: "The body is not sent as JSON",
    422: "A field is missing, unknown or not valid, or the article cannot be digested (the field is named)",
    429: "Too many requests for this key; wait for Retry-After seconds",
    500: "A bug on the server; the error is logged",
    503: "The server is busy or a backing service is down; retry after Retry-After seconds",
    504: "The digest did not finish in time; retry later or ask for less",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for these statuses, each a ProblemDocument, naming the problem types it can carry."""
    out: dict[int, ResponseSpec] = {}
    kinds = problem_kinds()
    for status in statuses:
        types = ", ".join(f"`{kind.slug}`" for kind in kinds if kind.code == status)
        words = _STATUS_WORDS.get(status, "A refusal")
        out[status] = ResponseSpec(
            data_container=ProblemDocument,
            description=f"{words}. Problem types: {types}." if types else f"{words}.",
            media_type="application/problem+json",
            generate_examples=False,
        )
    return out


def rate_limit_headers() -> list[ResponseHeader]:
    """The IETF draft RateLimit-* headers every rate-limited answer carries (documentation only)."""
    words = {
        "RateLimit-Limit": "Requests allowed per window (a minute) for this key or address",
        "RateLimit-Remaining": "Requests left in the current window",
        "RateLimit-Reset": "Seconds until the window resets",
        "RateLimit-Policy": "The limit and window, e.g. `120; w=60`",
    }
    return [ResponseHeader(name=name, description=text, documentation_only=True) for name, text in words.items()]


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
