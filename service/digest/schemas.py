"""The digest API's request and response: msgspec Structs, the single source of the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.highlights.types import Highlights
from service.summary.protocol import SummaryMethod
from service.trust.faithfulness import Unsupported
from service.trust.glossary import GlossaryEntry

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


class SummarySentence(msgspec.Struct):
    """One summary sentence, its English, and the article sentences it rests on."""

    ar: str
    en: str | None
    sources: Annotated[
        list[int],
        Meta(description="Indexes of the article sentences (translation.sentences) it rests on, best first"),
    ]
    score: Annotated[
        float,
        Meta(description="Share of its content its sources contain (1.0: it is an article sentence)"),
    ]


class Summary(msgspec.Struct):
    ar: str
    en: str | None
    method: Annotated[SummaryMethod, Meta(description="The method of the summary delivered")]
    model: str
    sentences: list[SummarySentence] = msgspec.field(default_factory=list)
    unsupported: Annotated[
        list[Unsupported],
        Meta(description="Facts the delivered summary states that the article lacks (policy flag)"),
    ] = msgspec.field(default_factory=list)
    removed: Annotated[
        list[Unsupported],
        Meta(description="Facts taken out by the policy; `sentence` indexes the abstractive summary's sentences"),
    ] = msgspec.field(default_factory=list)
    removed_sentences: Annotated[
        list[str], Meta(description="The abstractive summary's sentences the policy left out")
    ] = msgspec.field(default_factory=list)


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


class OutputSettings(msgspec.Struct, omit_defaults=True):
    """The settings that change a digest's content."""

    summary_min_sentences: int
    summary_max_sentences: int
    on_unsupported: str = "drop_sentence"


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
    glossary: Annotated[str, Meta(description="Version of the newsroom glossary in effect")] = ""


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
    glossary: Annotated[
        list[GlossaryEntry], Meta(description="The newsroom glossary's entries this digest applied")
    ] = msgspec.field(default_factory=list)


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
