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
    options: Annotated[DigestOptions, Meta(description="What to produce; every option has a default")] = msgspec.field(
        default_factory=DigestOptions
    )


_AR = "The Arabic text, as the article gives it (cleaned)"
_EN = "The English translation; null when no translation model is loaded or translation was not asked for"


class LocalizedText(msgspec.Struct):
    """A text in Arabic and, when available, English."""

    ar: Annotated[str, Meta(description=_AR)]
    en: Annotated[str | None, Meta(description=_EN)]


class SummarySentence(msgspec.Struct):
    """One summary sentence, its English, and the article sentences it rests on."""

    ar: Annotated[str, Meta(description=_AR)]
    en: Annotated[str | None, Meta(description=_EN)]
    sources: Annotated[
        list[int],
        Meta(description="Indexes of the article sentences (translation.sentences) it rests on, best first"),
    ]
    score: Annotated[
        float,
        Meta(description="Share of its content its sources contain (1.0: it is an article sentence)"),
    ]


class Summary(msgspec.Struct):
    """The article's summary, in Arabic and English, and how it was made."""

    ar: Annotated[str, Meta(description="The summary in Arabic")]
    en: Annotated[str | None, Meta(description=_EN)]
    method: Annotated[SummaryMethod, Meta(description="Which summariser ran: extractive or abstractive")]
    model: Annotated[str, Meta(description="The model or algorithm that made it")]
    sentences: Annotated[
        list[SummarySentence], Meta(description="The summary sentence by sentence, with its sources")
    ] = msgspec.field(default_factory=list)
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
    """One sentence of the article and its translation."""

    ar: Annotated[str, Meta(description="The Arabic sentence")]
    en: Annotated[str | None, Meta(description="Its English translation; null when it could not be translated")]


class Translation(msgspec.Struct):
    """The article in English: whole, and sentence by sentence (one entry per source sentence, in order)."""

    en: Annotated[str, Meta(description="The whole article in English, paragraph by paragraph")]
    sentences: Annotated[list[SentencePair], Meta(description="Each sentence of the article and its translation")]
    model: Annotated[str, Meta(description="The translation model")]


class DigestWarning(msgspec.Struct):
    """Something the digest could not produce, or did differently, and why."""

    code: Annotated[str, Meta(description="A stable name for the kind of warning, e.g. translation-unavailable")]
    message: Annotated[str, Meta(description="The warning in words, with what to do about it")]


class OutputSettings(msgspec.Struct, omit_defaults=True):
    """The settings that change a digest's content."""

    summary_min_sentences: Annotated[int, Meta(description="Fewest sentences in an extractive summary")]
    summary_max_sentences: Annotated[int, Meta(description="Most sentences in an extractive summary")]
    on_unsupported: Annotated[str, Meta(description="summary.on_unsupported, the faithfulness policy")] = (
        "drop_sentence"
    )


class DigestIdentity(msgspec.Struct):
    """Everything a digest depends on besides the article and the options: part of its `id`."""

    pipeline: Annotated[str, Meta(description="Version of the cleaning, segmentation and assembly code")]
    models: Annotated[
        dict[str, str | None],
        Meta(description="Per model role, the identity of the loaded model (checkpoint, commit, backend, prompt)"),
    ]
    extractive: Annotated[str, Meta(description="The extractive summariser and its sentence bounds")]
    rules: Annotated[str, Meta(description="Fingerprint of every rule data file read (furniture, names, places)")]
    settings: Annotated[OutputSettings, Meta(description="The output settings in force")]
    glossary: Annotated[str, Meta(description="Version of the newsroom glossary in effect")] = ""


class InputStats(msgspec.Struct):
    """What was received and what was kept of it."""

    chars_received: Annotated[int, Meta(description="Characters of `text` received")]
    chars_kept: Annotated[int, Meta(description="Characters left after markup and site furniture were removed")]
    sentences: Annotated[int, Meta(description="Sentences in the cleaned article")]
    removed_lines: Annotated[int, Meta(description="Lines dropped as site furniture (listed in `removed`)")]


class DigestMeta(msgspec.Struct):
    """How the digest was made: from the cache or not, with which models, how long each stage took."""

    cached: Annotated[bool, Meta(description="True when the digest was answered from the cache")]
    models: Annotated[DigestIdentity, Meta(description="Everything the digest depends on besides the article")]
    timings_ms: Annotated[
        dict[str, float],
        Meta(
            description="Milliseconds per stage: `clean`, `summary`, `highlights`, `translation` (the stages that "
            "ran) and `total`; a cached answer has only `total`"
        ),
    ]
    warnings: Annotated[list[DigestWarning], Meta(description="What could not be produced, and why")]
    input: Annotated[InputStats, Meta(description="What was received and what was kept of it")]
    glossary: Annotated[
        list[GlossaryEntry], Meta(description="The newsroom glossary's entries this digest applied")
    ] = msgspec.field(default_factory=list)


class Digest(msgspec.Struct):
    """One article's digest: summary, translation, highlights, structure and what was taken out."""

    id: Annotated[
        str,
        Meta(description="A stable hash of the cleaned article, the options and the model identities (32 hex digits)"),
    ]
    title: Annotated[LocalizedText | None, Meta(description="The headline; null when the article has none")]
    summary: Annotated[Summary, Meta(description="The summary")]
    translation: Annotated[
        Translation | None,
        Meta(description="The article in English; null without a translation model or unless translate is `full`"),
    ]
    highlights: Annotated[Highlights, Meta(description="Key points, quotes, entities and figures")]
    sections: Annotated[list[LocalizedText], Meta(description="The article's sub-headings, in order")]
    removed: Annotated[list[str], Meta(description="The lines dropped as site furniture, verbatim")]
    meta: Annotated[DigestMeta, Meta(description="How the digest was made")]
    dateline: Annotated[
        LocalizedText | None,
        Meta(description="The dateline the lead opened with («عمان - الرأي -»), taken out of the text; null if none"),
    ] = None
