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


class DigestRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An Arabic news article, as plain text or HTML."""

    text: Annotated[str, Meta(description="The article: plain text (one paragraph or heading per line) or HTML")]
    title: (
        Annotated[
            str, Meta(max_length=1000, description="The headline; by default the first line when it reads as one")
        ]
        | None
    ) = None
    format: Annotated[Literal["text", "html"], Meta(description="How `text` is written")] = "text"
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


class DigestWarning(msgspec.Struct):
    """Something the digest could not produce, or did differently, and why."""

    code: Annotated[str, Meta(description="A stable name for the kind of warning, e.g. translation-unavailable")]
    message: Annotated[str, Meta(description="The warning in words, with what to do about it")]


class OutputSettings(msgspec.Struct):
    """The settings that change a digest's content."""

    summary_min_sentences: int
    summary_max_sentences: int


class DigestIdentity(msgspec.Struct):
    """Everything a digest depends on besides the article and the options: part of its `id`."""

    pipeline: Annotated[str, Meta(description="Version of the cleaning, segmentation and assembly code")]
    models: Annotated[
        dict[str, str | None],
        Meta(description="Per model role, the identity of the loaded model (checkpoint, commit, backend, prompt)"),
    ]
    extractive: Annotated[str, Meta(description="The extractive summariser and its sentence bounds")]
    rules: Annotated[str, Meta(description="Fingerprint of every rule data file read (furniture, names, places)")]
    settings: OutputSettings


class InputStats(msgspec.Struct):
    """What was received and what was kept of it."""

    chars_received: int
    chars_kept: int
    sentences: int
    removed_lines: int


class DigestMeta(msgspec.Struct):
    cached: bool
    models: DigestIdentity
    timings_ms: dict[str, float]
    warnings: list[DigestWarning]
    input: InputStats


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
    # The dateline the lead opened with («عمان - الرأي -»), taken out of the text; null when there was none.
    dateline: LocalizedText | None = None
