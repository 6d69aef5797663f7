"""GET /v1/capabilities: open (like /health), with nothing secret in it: no keys, hashes, paths or URLs."""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal, cast, get_args

from litestar import Controller, get
from litestar.di import NamedDependency

from service import __version__
from service.capabilities.schemas import (
    ArticleLimits,
    Capabilities,
    ChoiceOption,
    JobLimits,
    Languages,
    ModelInfo,
    Options,
    RangeOption,
    RateLimits,
)
from service.config import Settings
from service.digest.schemas import SummaryChoice, TranslateChoice
from service.digest.stages import HTML_MARKUP_ALLOWANCE
from service.errors import problem_responses, rate_limit_headers
from service.models.registry import ModelRegistry

MAX_TITLE_CHARS = 1000
State = Literal["loaded", "not loaded yet", "failed", "off"]


def _model_name(model: str) -> str:
    """A hub id as it is (`Helsinki-NLP/opus-mt-ar-en`); a local folder by its name only, so no path leaks."""
    if model.startswith(("/", ".", "~")) or "\\" in model or model.count("/") > 1:
        return PurePath(model).name
    return model


def capabilities(settings: Settings, models: ModelRegistry) -> Capabilities:
    """The capabilities document for these settings and the models as they stand now."""
    limits = settings.limits
    infos = []
    for name, role in models.roles.items():
        status = models.status[name]
        state = cast(State, status.state) if status.state in get_args(State) else "failed"
        infos.append(ModelInfo(name, role.purpose, _model_name(status.model), state, status.available))
    translation = models.status.get("translation")
    choices = [
        ChoiceOption("options.summary", list(get_args(SummaryChoice)), "auto", "Which summary to make"),
        ChoiceOption("options.translate", list(get_args(TranslateChoice)), "full", "What to translate to English"),
        ChoiceOption("format", ["text", "html"], "text", "How `text` is written"),
    ]
    ranges = [RangeOption("options.max_key_points", 0, 20, settings.pipeline.max_key_points, "Key points at most")]
    return Capabilities(
        version=__version__,
        auth_required=bool(settings.auth.api_key_hashes),
        languages=Languages(["ar"], ["en"], bool(translation and translation.available)),
        limits=ArticleLimits(
            max_article_chars=limits.max_article_chars,
            max_html_chars=limits.max_article_chars * HTML_MARKUP_ALLOWANCE,
            max_page_chars=limits.max_page_chars,
            max_html_depth=limits.max_html_depth,
            max_title_chars=MAX_TITLE_CHARS,
            max_body_bytes=limits.max_body_bytes,
            min_arabic_ratio=limits.min_arabic_ratio,
            max_in_flight=limits.max_in_flight,
            request_timeout_seconds=limits.request_timeout_seconds,
        ),
        rate_limit=RateLimits(settings.rate_limit.requests_per_minute),
        jobs=JobLimits(
            max_articles=settings.jobs.max_articles,
            max_attempts=settings.jobs.max_attempts,
            retention_seconds=settings.jobs.retention_seconds,
            idempotency_window_seconds=settings.jobs.idempotency_window_seconds,
            callbacks=bool(settings.jobs.callback_secret),
        ),
        options=Options(choices, ranges),
        models=infos,
        extractive_summary=True,
    )


class CapabilitiesController(Controller):
    path = "/v1/capabilities"
    tags = ["capabilities"]
    security = [{}]  # open: a UI reads it before it has a key (auth_required tells it to ask for one)
    opt = {"exclude_from_auth": True}
    response_headers = rate_limit_headers()

    @get(
        "/",
        operation_id="getCapabilities",
        responses=problem_responses(429, 500),
        summary="What this server accepts and can do",
        description="Limits, options and their values, the model behind each role and whether it is loaded, "
        "languages, and whether a key is required. Open without a key; it holds nothing secret.",
    )
    async def get_capabilities(self, model_registry: NamedDependency[ModelRegistry]) -> Capabilities:
        return capabilities(model_registry.settings, model_registry)
