"""The capabilities document: limits, options and their values, models per role, languages, auth."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta


class ArticleLimits(msgspec.Struct):
    """How large an article and a request may be; past these the answer is a 413 problem."""

    max_article_chars: Annotated[int, Meta(description="Characters of plain text an article may have")]
    max_html_chars: Annotated[int, Meta(description="Characters an HTML fragment may have (markup included)")]
    max_page_chars: Annotated[int, Meta(description="Characters a whole web page may have, before extraction")]
    max_html_depth: Annotated[int, Meta(description="How deeply HTML may be nested")]
    max_title_chars: Annotated[int, Meta(description="Characters the `title` field may have")]
    max_body_bytes: Annotated[int, Meta(description="Bytes a request body may have")]
    min_arabic_ratio: Annotated[float, Meta(description="The share of letters that must be Arabic")]
    max_in_flight: Annotated[int, Meta(description="Digests computed at once; more are answered 503")]
    request_timeout_seconds: Annotated[float, Meta(description="Seconds a digest may take before a 504")]


class RateLimits(msgspec.Struct):
    """Request rate per API key (or address without keys)."""

    requests_per_minute: Annotated[int, Meta(description="Requests per minute per key or address; 0: no limit")]


class JobLimits(msgspec.Struct):
    """Background jobs: batch size, retention, idempotency and callbacks."""

    max_articles: Annotated[int, Meta(description="Articles one job may hold")]
    max_attempts: Annotated[int, Meta(description="Times an article is tried before it is failed")]
    retention_seconds: Annotated[int, Meta(description="Seconds a finished job and its results are kept")]
    idempotency_window_seconds: Annotated[int, Meta(description="Seconds an Idempotency-Key returns the same job")]
    callbacks: Annotated[bool, Meta(description="Whether callback_url may be used (a signing secret is set)")]


class ChoiceOption(msgspec.Struct):
    """An option that takes one of a few values."""

    name: Annotated[str, Meta(description="The option by its API name, e.g. `options.summary`")]
    values: Annotated[list[str], Meta(description="The values it accepts")]
    default: Annotated[str, Meta(description="The value used when it is not sent")]
    description: Annotated[str, Meta(description="What it does")]


class RangeOption(msgspec.Struct):
    """An option that takes a whole number in a range."""

    name: Annotated[str, Meta(description="The option by its API name, e.g. `options.max_key_points`")]
    minimum: Annotated[int, Meta(description="The smallest value accepted")]
    maximum: Annotated[int, Meta(description="The largest value accepted")]
    default: Annotated[int, Meta(description="The value used when it is not sent (this server's setting)")]
    description: Annotated[str, Meta(description="What it does")]


class Options(msgspec.Struct):
    """The request options and the values each accepts."""

    choices: Annotated[list[ChoiceOption], Meta(description="Options with a fixed set of values")]
    ranges: Annotated[list[RangeOption], Meta(description="Options with a numeric range")]


class ModelInfo(msgspec.Struct):
    """One model role and the model that fills it (a hub id, or a local folder's name: never a path)."""

    role: Annotated[str, Meta(description="The role, e.g. `summary` or `translation`")]
    purpose: Annotated[str, Meta(description="What the role does, in words")]
    model: Annotated[str, Meta(description="The checkpoint: a model hub id, or the name of a local folder")]
    state: Annotated[
        Literal["loaded", "not loaded yet", "failed", "off"], Meta(description="Where the model stands now")
    ]
    available: Annotated[bool, Meta(description="True when the role works now")]


class Languages(msgspec.Struct):
    """The languages articles come in and the languages they are digested into."""

    source: Annotated[list[str], Meta(description="BCP 47 codes of article languages accepted")]
    target: Annotated[list[str], Meta(description="BCP 47 codes of the translations offered (when loaded)")]
    translation_available: Annotated[bool, Meta(description="Whether English fields are filled now")]


class Capabilities(msgspec.Struct):
    """What this server accepts and can do now: what a UI or client needs to set itself up."""

    version: Annotated[str, Meta(description="The Khulasa version")]
    auth_required: Annotated[
        bool, Meta(description="Whether the API needs `Authorization: Bearer KEY` or `X-API-Key: KEY`")
    ]
    languages: Annotated[Languages, Meta(description="Article and translation languages")]
    limits: Annotated[ArticleLimits, Meta(description="Sizes past which requests are refused")]
    rate_limit: Annotated[RateLimits, Meta(description="The request rate allowed")]
    jobs: Annotated[JobLimits, Meta(description="Background job limits")]
    options: Annotated[Options, Meta(description="The request options and their values")]
    models: Annotated[list[ModelInfo], Meta(description="One entry per model role")]
    extractive_summary: Annotated[bool, Meta(description="Always true: the weight-free summary is always there")]
