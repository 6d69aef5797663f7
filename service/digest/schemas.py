"""The digest API's request and response: msgspec Structs, the single source of the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.highlights.types import Highlights
from service.summary.protocol import SummaryMethod

SummaryChoice = Literal["auto", "abstractive", "extractive"]
TranslateChoice = Literal["full", "summary", "none"]


class DigestOptions(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=False):
    """What to produce. Unknown keys are refused (422) rather than ignored."""

    summary: Annotated[
        SummaryChoice, Meta(description="auto: abstractive when its model is loaded, else extractive")
    ] = "auto"
    translate: Annotated[
        TranslateChoice,
        Meta(description="full: article, summary and highlights; summary: all but the article body; none: no English"),
    ] = "full"
    max_key_points: Annotated[int, Meta(ge=0, le=20, description="default: pipeline.max_key_points")] | None = None


class DigestRequest(msgspec.Struct, forbid_unknown_fields=True):
    """An Arabic news article, as plain text or HTML."""

    text: Annotated[str, Meta(description="The article: plain text (one paragraph or heading per line) or HTML")]
    title: (
        Annotated[
            str, Meta(max_length=1000, description="The headline; by default the first line when it reads as one")
        ]
        | None
    ) = None
    format: Literal["text", "html"] = "text"
    options: DigestOptions = msgspec.field(default_factory=DigestOptions)


class LocalizedText(msgspec.Struct):
    ar: str
    en: str | None


class Summary(msgspec.Struct):
    ar: str
    en: str | None
    method: SummaryMethod
    model: str


class SentencePair(msgspec.Struct):
    ar: str
    en: str | None


class Translation(msgspec.Struct):
    """The article in English: whole, and sentence by sentence (one entry per source sentence, in order)."""

    en: str
    sentences: list[SentencePair]
    model: str


class DigestMeta(msgspec.Struct):
    cached: bool
    models: dict[str, str | None]
    timings_ms: dict[str, float]
    warnings: list[str]
    input: dict[str, int]  # characters received, characters kept, sentences, removed lines


class Digest(msgspec.Struct):
    """One article's digest: summary, translation, highlights, structure and what was taken out."""

    id: str
    title: LocalizedText | None
    summary: Summary
    translation: Translation | None
    highlights: Highlights
    sections: list[LocalizedText]
    removed: list[str]
    meta: DigestMeta
