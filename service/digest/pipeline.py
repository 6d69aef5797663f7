"""The digest pipeline, one way: clean → segment → summarise / translate / highlight → assemble.

Every function here is synchronous and blocking; the service runs them in a worker thread.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from service.config import Settings
from service.deadline import Deadline
from service.digest.schemas import (
    Digest,
    DigestMeta,
    DigestOptions,
    DigestRequest,
    LocalizedText,
    SentencePair,
    Summary,
    Translation,
)
from service.errors import ArticleTooLarge, EmptyArticle, InvalidText, NotArabic
from service.highlights import extract_highlights
from service.highlights.lexicon import Lexicon
from service.highlights.places import Gazetteer
from service.highlights.types import Highlights
from service.models.registry import ModelRegistry
from service.summary.extractive import ExtractiveSummarizer
from service.summary.protocol import SummaryResult
from service.summary.rank import SentenceRanker
from service.text.arabic import ARABIC_LETTER, arabic_ratio
from service.text.clean import Furniture, clean_article
from service.text.segment import Article, segment

# Bump when cleaning, segmentation or highlight rules change, so that no stale digest is served.
PIPELINE_VERSION = "1"
HTML_MARKUP_ALLOWANCE = 4  # raw HTML may be this many times the article limit before markup is stripped


@dataclass(frozen=True)
class TextResources:
    """What the weight-free steps read: furniture patterns, lexicon and gazetteer (loaded once)."""

    furniture: Furniture
    lexicon: Lexicon
    gazetteer: Gazetteer
    identity: str

    @classmethod
    def load(cls, settings: Settings) -> TextResources:
        """Load and fingerprint the resource files named in the config."""
        files = [
            settings.resolve(settings.pipeline.boilerplate_file),
            settings.resolve(settings.pipeline.places_file),
            settings.resolve("config/names.toml"),
        ]
        fingerprint = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]
        return cls(Furniture.load(files[0]), Lexicon.load(files[2]), Gazetteer.load(files[1]), f"rules:{fingerprint}")


class Stopwatch:
    """Milliseconds spent in each named step."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round((time.perf_counter() - start) * 1000, 2)


def check_text(request: DigestRequest, settings: Settings) -> None:
    """Refuse what cannot be digested before any work is done on it."""
    text = request.text
    try:
        text.encode("utf-8")
        (request.title or "").encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidText(
            "the text holds a lone surrogate (\\ud800-\\udfff), which is not a character: "
            "send valid UTF-16 pairs or plain UTF-8"
        ) from None
    limit = settings.limits.max_article_chars
    allowed = limit * (HTML_MARKUP_ALLOWANCE if request.format == "html" else 1)
    if len(text) > allowed:
        raise ArticleTooLarge(
            f"the article is {len(text)} characters; the limit is {allowed} (limits.max_article_chars = {limit}"
            f"{', times 4 for HTML markup' if request.format == 'html' else ''}). Split it or raise the limit.",
            extra={"limit": allowed, "received": len(text)},
        )
    if not text.strip():
        raise EmptyArticle("`text` is empty: send the article's text")


def prepare(request: DigestRequest, resources: TextResources, settings: Settings) -> Article:
    """Clean and segment the article; refuse it when nothing Arabic is left to digest."""
    clean = clean_article(request.text, request.format, resources.furniture)
    article = segment(clean, request.title)
    body = " ".join(s.text for s in article.sentences)
    if len(body) > settings.limits.max_article_chars:
        raise ArticleTooLarge(
            f"the article's text is {len(body)} characters once markup is stripped; the limit is "
            f"{settings.limits.max_article_chars} (limits.max_article_chars)",
            extra={"limit": settings.limits.max_article_chars, "received": len(body)},
        )
    if not any(ch.isalpha() for ch in body):
        what = "only site furniture" if article.removed and not body else "no words, only punctuation or symbols"
        raise EmptyArticle(f"the article has {what} once cleaned: nothing to digest")
    ratio, arabic, latin = arabic_ratio(body)
    if not ARABIC_LETTER.search(body) or ratio < settings.limits.min_arabic_ratio:
        raise NotArabic(
            f"only {ratio:.0%} of the article's letters are Arabic ({arabic} Arabic, {latin} Latin); "
            f"Khulasa digests Arabic articles (limits.min_arabic_ratio = {settings.limits.min_arabic_ratio})",
            extra={"arabic_ratio": round(ratio, 3)},
        )
    return article


def resolved_options(options: DigestOptions, settings: Settings) -> DigestOptions:
    """Options with defaults from the config filled in."""
    keys = options.max_key_points if options.max_key_points is not None else settings.pipeline.max_key_points
    return DigestOptions(options.summary, options.translate, keys)


def digest_id(article: Article, options: DigestOptions, identities: dict[str, str | None]) -> str:
    """Stable hash of the cleaned article, the options, the model identities and prompt versions."""
    payload = {
        "pipeline": PIPELINE_VERSION,
        "article": article.canonical_text(),
        # What was taken out is part of the digest too: another copy with other furniture is another digest.
        "removed": article.removed,
        "options": [options.summary, options.translate, options.max_key_points],
        "models": identities,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]


def request_key(request: DigestRequest, options: DigestOptions, identities: dict[str, str | None]) -> str:
    """Hash of the request as sent (before cleaning) with everything else the digest id covers."""
    payload = [
        PIPELINE_VERSION,
        request.text,
        request.title,
        request.format,
        [options.summary, options.translate, options.max_key_points],
        identities,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]


def _summarise(
    article: Article,
    ranker: SentenceRanker,
    options: DigestOptions,
    models: ModelRegistry,
    extractive: ExtractiveSummarizer,
    warnings: list[str],
    deadline: Deadline | None,
) -> SummaryResult:
    abstractive = models.summarizer
    if options.summary != "extractive" and abstractive is not None:
        result = abstractive.summarize(article, deadline)
        warnings.extend(result.warnings)
        if result.text.strip():
            return result
        warnings.append("the abstractive model returned an empty summary: the extractive summary is given instead")
    elif options.summary == "auto":
        status = models.status["summary"]
        warnings.append(f"summary is extractive: no abstractive model is loaded ({status.detail or status.state})")
    return extractive.summarize(article, ranker=ranker)


def build_digest(
    article: Article,
    request: DigestRequest,
    options: DigestOptions,
    digest_key: str,
    models: ModelRegistry,
    resources: TextResources,
    settings: Settings,
    identities: dict[str, str | None],
    deadline: Deadline | None = None,
) -> Digest:
    """Summarise, highlight and translate a prepared article, and assemble its digest.

    Raises DigestTimeout when the deadline passes: a digest is whole or not given at all."""
    clock = Stopwatch()
    warnings: list[str] = []
    sentences = article.sentences
    extractive = ExtractiveSummarizer(settings.pipeline.summary_min_sentences, settings.pipeline.summary_max_sentences)
    with clock.step("rank"):
        ranker = SentenceRanker(article)
    with clock.step("summary"):
        summary = _summarise(article, ranker, options, models, extractive, warnings, deadline)
    if deadline is not None:
        deadline.check("highlights")
    with clock.step("highlights"):
        highlights = extract_highlights(
            article, ranker, resources.lexicon, resources.gazetteer, options.max_key_points or 0
        )
    english: Callable[[str], str | None] = lambda _text: None  # noqa: E731
    translation: Translation | None = None
    if options.translate != "none":
        translator = models.translator
        if translator is None:
            status = models.status["translation"]
            warnings.append(
                "English translation is unavailable: no translation model is loaded "
                f"({status.detail or status.state}); every `en` field is null and `translation` is null"
            )
        else:
            with clock.step("translation"):
                english, translation = _translate(
                    article,
                    summary,
                    highlights,
                    options,
                    lambda texts: translator.translate(texts, deadline),
                    translator.identity,
                    warnings,
                )

    summary_en = (
        " ".join(e for e in (english(sentences[i].text) for i in summary.sentence_indexes) if e) or None
        if summary.sentence_indexes is not None
        else english(summary.text)
    )
    for kp in highlights.key_points:
        kp.en = english(kp.ar)
    for q in highlights.quotes:
        q.en = english(q.ar)
    # Places already carry their English name from the gazetteer; people and organisations need the model.
    for group in (highlights.entities.people, highlights.entities.organizations):
        for entity in group:
            entity.en = english(entity.ar)
    title = LocalizedText(article.title, english(article.title)) if article.title else None
    body_chars = sum(len(s.text) for s in sentences)
    return Digest(
        id=digest_key,
        title=title,
        summary=Summary(summary.text, summary_en, summary.method, summary.model),
        translation=translation,
        highlights=highlights,
        sections=[LocalizedText(s, english(s)) for s in article.sections],
        removed=article.removed,
        meta=DigestMeta(
            cached=False,
            models={**identities, "extractive": extractive.identity, "rules": resources.identity},
            timings_ms=clock.timings,
            warnings=warnings,
            input={
                "chars_received": len(request.text),
                "chars_kept": body_chars,
                "sentences": len(sentences),
                "removed_lines": len(article.removed),
            },
        ),
    )


def _translate(
    article: Article,
    summary: SummaryResult,
    highlights: Highlights,
    options: DigestOptions,
    translate: Callable[[list[str]], list[str]],
    model: str,
    warnings: list[str],
) -> tuple[Callable[[str], str | None], Translation | None]:
    """Translate everything the options ask for in one batched call; returns a lookup and the article."""
    sentences = article.sentences
    wanted: list[str] = [article.title or "", *article.sections]
    if summary.sentence_indexes is None:
        wanted.append(summary.text)
    if options.translate == "full":
        wanted.extend(s.text for s in sentences)
    else:
        wanted.extend(sentences[i].text for i in summary.sentence_indexes or [])
        wanted.extend(kp.ar for kp in highlights.key_points)
    wanted.extend(q.ar for q in highlights.quotes)
    wanted.extend(e.ar for e in highlights.entities.people + highlights.entities.organizations)
    unique = [t for t in dict.fromkeys(wanted) if t.strip()]
    results = dict(zip(unique, translate(unique), strict=True))
    empty = sum(1 for v in results.values() if not v.strip())
    if empty:
        warnings.append(
            f"the translation model returned nothing for {empty} of {len(unique)} texts: their `en` is null"
        )

    def english(text: str) -> str | None:
        value = results.get(text, "")
        return value if value.strip() else None

    if options.translate != "full":
        return english, None
    pairs = [SentencePair(s.text, english(s.text)) for s in sentences]
    lines: list[str] = []
    section: int | None = None
    for para in article.paragraphs:
        if para[0].section is not None and para[0].section != section:
            section = para[0].section
            lines.append(english(article.sections[section]) or "")
        lines.append(" ".join(e for e in (english(s.text) for s in para) if e))
    return english, Translation("\n\n".join(line for line in lines if line), pairs, model)
