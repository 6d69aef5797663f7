"""Problem-details errors (RFC 9457): every refusal says what was wrong and what to do."""

from __future__ import annotations

from typing import Any

from litestar import status_codes as st
from litestar.plugins.problem_details import ProblemDetailsException


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
            type_=f"https://khulasa.dev/problems/{self.slug}",
            extra=extra,
            headers=headers,
        )


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


class MarkupTooDeep(Problem):
    # 413 like an article that is too long: the request asks for more work than the server will do.
    slug, title_text, code = "markup-too-deep", "The HTML is nested too deeply", st.HTTP_413_REQUEST_ENTITY_TOO_LARGE
