"""The digest pipeline as stages over one run object: clean → summarise → highlight → translate → assemble.

Each stage reads the run and adds its own part, never changing another stage's output, so each can be
called and tested alone, and a stream can send each part as soon as it exists. Every stage is synchronous
and blocking; the service runs them in a worker thread and checks the deadline between them.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

import msgspec

from service.config import Settings
from service.deadline import Deadline
from service.digest.identity import digest_identity, digest_key, request_key
from service.digest.schemas import (
    Digest,
    DigestIdentity,
    DigestMeta,
    DigestOptions,
    DigestRequest,
    DigestWarning,
    InputStats,
    LocalizedText,
    OutputSettings,
    SentencePair,
    Summary,
    SummarySentence,
    Translation,
)
from service.errors import (
    ArticleTooLarge,
    CapabilityUnavailable,
    DigestTimeout,
    EmptyArticle,
    InvalidText,
    NotArabic,
)
from service.highlights import extract_highlights
from service.highlights.lexicon import Lexicon
from service.highlights.ner import ENTITIES_ROLE
from service.highlights.places import Gazetteer
from service.highlights.types import Entities, Entity, Highlights
from service.models.registry import ModelRegistry
from service.summary.abstractive import SUMMARY_ROLE
from service.summary.extractive import ExtractiveSummarizer
from service.summary.protocol import SummaryResult
from service.text import resources
from service.text.arabic import ARABIC_LETTER, arabic_ratio, strip_controls
from service.text.clean import Furniture, clean_article
from service.text.html import check_markup_depth
from service.text.page import extract_page, is_whole_page
from service.text.rank import SentenceRanker
from service.text.segment import Article, segment
from service.translation.seq2seq import TRANSLATION_ROLE
from service.trust.faithfulness import ArticleFacts, Unsupported, apply_policy, check
from service.trust.glossary import Glossary, GlossaryEntry, translate_with_glossary
from service.trust.provenance import SentenceSources, mention_sentences, split_summary, trace
from service.trust.spelling import PersonForm, unify

HTML_MARKUP_ALLOWANCE = 4  # raw HTML may be this many times the article limit before markup is stripped
TRANSLATION_CHUNK = 8  # body sentences per streamed translation event

# A finished batch of body sentences: (index, Arabic, English).
TranslatedBatch = list[tuple[int, str, str | None]]
# The model's English for a person's name alone, when it reads as a name (capitalised Latin words).
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'’.-]*(?:[ -][A-Za-z][A-Za-z'’.-]*){0,5}")


@dataclass
class SummaryTrust:
    """The delivered summary's sentences with their sources, and what the faithfulness policy found."""

    sentences: list[str]
    sources: list[SentenceSources]
    unsupported: list[Unsupported] = field(default_factory=list)
    removed: list[Unsupported] = field(default_factory=list)
    removed_sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TextResources:
    """What the weight-free steps read: furniture patterns, lexicon and gazetteer, loaded once per process."""

    furniture: Furniture
    lexicon: Lexicon
    gazetteer: Gazetteer
    fingerprint: str  # of every rule file read (recorded by the one reader of those files)

    @classmethod
    def load(cls, settings: Settings) -> TextResources:
        """Load the rule files named in the config."""
        p = settings.pipeline
        furniture = Furniture.load(settings.resolve(p.boilerplate_file))
        lexicon = Lexicon.load(settings.resolve(p.names_file))
        gazetteer = Gazetteer.load(settings.resolve(p.places_file))
        return cls(furniture, lexicon, gazetteer, f"rules:{resources.fingerprint()}")


@dataclass
class DigestRun:
    """One digest in the making: the request, what every stage reads, and the part each stage adds."""

    request: DigestRequest
    options: DigestOptions
    identity: DigestIdentity
    deadline: Deadline
    request_key: str
    warnings: list[DigestWarning] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # Added by the stages, in order.
    article: Article | None = None  # clean
    key: str | None = None  # clean: the digest id
    ranker: SentenceRanker | None = None  # clean
    summary: SummaryResult | None = None  # summarise
    highlights: Highlights | None = None  # highlight (Arabic only)
    english: dict[str, str] = field(default_factory=dict)  # translate: Arabic text → English
    translation_model: str | None = None  # translate: the model that wrote `english`
    glossary: Glossary | None = None  # start: the caller's newsroom glossary
    summary_trust: SummaryTrust | None = None  # summarise: provenance and the faithfulness policy's outcome
    glossary_applied: dict[GlossaryEntry, None] = field(default_factory=dict)  # translate, assemble (ordered)
    person_forms: dict[str, PersonForm] | None = None  # translate: person's Arabic → one English form
    spelling_fixes: int = 0  # translate: spellings of people's names rewritten to their one form
    # complete: the article's facts for the faithfulness check, built in a thread while the summary is written.
    facts_ahead: Beside[ArticleFacts] | None = None

    def warn(self, code: str, message: str) -> None:
        """Record something the digest could not produce, or produced differently, and why."""
        self.warnings.append(DigestWarning(code, message))

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a stage; refuse to start it once the deadline has passed (or the caller went away)."""
        self.deadline.check(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round((time.perf_counter() - start) * 1000, 2)

    def english_of(self, text: str | None) -> str | None:
        """The English of an Arabic text the translate stage translated, or None."""
        if not text:
            return None
        value = self.english.get(text, "")
        return value if value.strip() else None

    @property
    def prepared(self) -> Article:
        """The cleaned article (the clean stage must have run)."""
        if self.article is None:
            raise RuntimeError("the clean stage has not run")
        return self.article


class DigestPipeline:
    """The stages, with what they read: the settings, the text resources and the model registry."""

    def __init__(self, settings: Settings, models: ModelRegistry, resources: TextResources) -> None:
        self.settings = settings
        self.models = models
        self.resources = resources
        p = settings.pipeline
        self.extractive = ExtractiveSummarizer(p.summary_min_sentences, p.summary_max_sentences)
        # The glossary digests use when the caller has none of its own (the runtime sets the file's).
        self.default_glossary: Glossary | None = None

    # -- before any work -------------------------------------------------------------------------------
    def identity(self, glossary: Glossary | None = None) -> DigestIdentity:
        """The identity of digests made now: models loaded, rules read, output settings, the glossary."""
        p = self.settings.pipeline
        return digest_identity(
            self.models.identities(),
            self.extractive.identity,
            self.resources.fingerprint,
            OutputSettings(p.summary_min_sentences, p.summary_max_sentences, self.settings.summary.on_unsupported),
            _version(glossary if glossary is not None else self.default_glossary),
        )

    def start(self, request: DigestRequest, glossary: Glossary | None = None) -> DigestRun:
        """Check what can be checked without reading the article (cheap, linear) and open a run."""
        check_request(request, self.settings)
        options = resolved_options(request.options, self.settings)
        if options.summary == "abstractive" and self.models.get(SUMMARY_ROLE) is None:
            status = self.models.status["summary"]
            if status.state != "not loaded yet":
                raise CapabilityUnavailable(
                    "options.summary is 'abstractive' but no abstractive model is loaded "
                    f"({status.detail or status.state}); use 'auto' or 'extractive'"
                )
        identity = self.identity(glossary)
        deadline = Deadline(self.settings.limits.request_timeout_seconds)
        run = DigestRun(request, options, identity, deadline, request_key(request, options, identity))
        run.glossary = glossary
        return run

    def roles_needed(self, run: DigestRun) -> list[str]:
        """The model roles this run would use that are still waiting to be loaded (models.load = lazy)."""
        wanted = []
        if run.options.summary != "extractive":
            wanted.append(SUMMARY_ROLE.name)
        if run.options.translate != "none":
            wanted.append(TRANSLATION_ROLE.name)
        wanted.append(ENTITIES_ROLE.name)
        return [r for r in wanted if r in self.models.status and self.models.status[r].state == "not loaded yet"]

    def load_models(self, run: DigestRun) -> None:
        """Load the lazily loaded roles this run needs, then refresh its identity (blocking)."""
        for role in self.roles_needed(run):
            self.models.ensure(role)
        run.identity = self.identity(run.glossary)
        run.request_key = request_key(run.request, run.options, run.identity)
        if run.options.summary == "abstractive" and self.models.get(SUMMARY_ROLE) is None:
            status = self.models.status["summary"]
            raise CapabilityUnavailable(
                f"options.summary is 'abstractive' but the model did not load ({status.detail or status.state})"
            )

    # -- the stages ------------------------------------------------------------------------------------
    def clean(self, run: DigestRun) -> None:
        """Clean and segment the article, refuse it when nothing Arabic is left, and name the digest."""
        with run.step("clean"):
            article = prepare(run.request, self.resources, self.settings)
            run.article = article
            run.key = digest_key(article, run.options, run.identity)
            run.ranker = SentenceRanker(article)

    def summarise(self, run: DigestRun) -> None:
        """The Arabic summary: abstractive when asked for and loaded (then traced to the article and checked
        for facts the article lacks, see `check_summary`), else extractive."""
        with run.step("summary"):
            run.summary = self._written_summary(run)
        if run.summary.sentence_indexes is None:
            with run.step("faithfulness"):
                self.check_summary(run)
        else:
            run.summary_trust = _extractive_trust(run.summary, run.prepared)

    def _written_summary(self, run: DigestRun) -> SummaryResult:
        article = run.prepared
        abstractive = self.models.get(SUMMARY_ROLE)
        if run.options.summary != "extractive" and abstractive is not None:
            result = abstractive.summarize(article, run.deadline)
            for message in result.warnings:
                run.warn("summary-input-truncated", message)
            if result.text.strip():
                return result
            run.warn("summary-empty", "the abstractive model returned an empty summary: it is extractive instead")
        elif run.options.summary == "auto":
            # Short and the same for every article: the reason in full is in /health/ready.
            run.warn("summary-extractive", "summary is extractive: no abstractive model is loaded (see /health/ready)")
        return self.extractive.summarize(article, ranker=run.ranker)

    def check_summary(self, run: DigestRun) -> None:
        """Trace the abstractive summary's sentences to the article and apply summary.on_unsupported to the
        facts it states that the article lacks (the run's summary becomes the one delivered)."""
        article, result = run.prepared, run.summary
        assert result is not None
        texts = [s.text for s in article.sentences]
        r = self.resources
        written = split_summary(result.text)
        facts = run.facts_ahead.result() if run.facts_ahead is not None else article_facts(article, r)
        unsupported = check(written, facts, r.lexicon, r.gazetteer)
        policy = self.settings.summary.on_unsupported
        fallback = self.extractive.summarize(article, ranker=run.ranker) if unsupported and policy != "flag" else None
        fallback_sentences = [texts[i] for i in (fallback.sentence_indexes or [])] if fallback else []
        outcome = apply_policy(policy, written, unsupported, fallback_sentences)
        for message in outcome.warnings:
            run.warn("summary-unsupported", message)
        removed_sentences = [written[i] for i in outcome.dropped_sentences]
        if outcome.method == "extractive" and fallback is not None:
            run.summary = fallback
            run.summary_trust = _extractive_trust(fallback, article)
        else:
            run.summary = SummaryResult(outcome.text, "abstractive", result.model, None, result.warnings)
            sources = trace(outcome.sentences, texts, min_score=self.settings.summary.min_source_score)
            run.summary_trust = SummaryTrust(outcome.sentences, sources)
        run.summary_trust.unsupported = outcome.unsupported
        run.summary_trust.removed = outcome.removed
        run.summary_trust.removed_sentences = removed_sentences

    def highlight(self, run: DigestRun) -> None:
        """Key points, quotes, entities and figures, in Arabic."""
        article = run.prepared
        assert run.ranker is not None
        with run.step("highlights"):
            r = self.resources
            recognizer = self.models.get(ENTITIES_ROLE)
            keys = run.options.max_key_points or 0
            summary_sentences = self._extractive_summary_sentences(run)
            try:
                run.highlights = extract_highlights(
                    article, run.ranker, r.lexicon, r.gazetteer, keys, recognizer, run.deadline, summary_sentences
                )
            except DigestTimeout:
                raise
            except Exception as exc:  # a failing entity model degrades to the rules, never fails the digest
                if recognizer is None:
                    raise
                run.warn("entities-model-failed", f"the entity model failed ({type(exc).__name__}); rules only")
                run.highlights = extract_highlights(
                    article, run.ranker, r.lexicon, r.gazetteer, keys, summary_sentences=summary_sentences
                )

    def _extractive_summary_sentences(self, run: DigestRun) -> frozenset[int]:
        """The article sentences of the digest's summary when it is (or, before the summary, will be) extractive:
        key points leave them out. An abstractive summary that falls back to extractive later (empty, or
        `summary.on_unsupported = "extractive"`) may still share a sentence with the key points."""
        if run.summary is not None:
            return frozenset(run.summary.sentence_indexes or ())
        if run.options.summary != "extractive" and self.models.get(SUMMARY_ROLE) is not None:
            return frozenset()
        summary = self.extractive.summarize(run.prepared, ranker=run.ranker)
        return frozenset(summary.sentence_indexes or ())

    def translate(self, run: DigestRun, on_batch: Callable[[TranslatedBatch], None] | None = None) -> None:
        """English for everything the options ask for. With `on_batch`, the body goes in chunks of sentences,
        each handed over as soon as it is translated (for streaming); otherwise in one batched call."""
        if run.options.translate == "none":
            return
        translator = self.models.get(TRANSLATION_ROLE)
        if translator is None:
            run.warn(
                "translation-unavailable",
                "English translation is unavailable: no translation model is loaded (see /health/ready)",
            )
            return
        article, summary, highlights = run.prepared, run.summary, run.highlights
        assert summary is not None and highlights is not None
        sentences = article.sentences
        wanted: list[str] = [article.title or "", *article.sections]
        # Sentence by sentence, so each summary sentence has its English next to its sources.
        wanted.extend(_summary_texts(run))
        if run.options.translate == "summary":
            wanted.extend(kp.ar for kp in highlights.key_points)
        wanted.extend(q.ar for q in highlights.quotes)
        wanted.extend(e.ar for e in highlights.entities.people + highlights.entities.organizations)
        body = [s.text for s in sentences] if run.options.translate == "full" else []
        with run.step("translation"):
            if on_batch is None:
                self._translate_into(run, translator.translate, [*wanted, *body])
                self._one_spelling(run, [*wanted, *body])
            else:
                self._translate_into(run, translator.translate, wanted)
                self._one_spelling(run, wanted)
                for start in range(0, len(body), TRANSLATION_CHUNK):
                    run.deadline.check("translation")
                    chunk = sentences[start : start + TRANSLATION_CHUNK]
                    self._translate_into(run, translator.translate, [s.text for s in chunk])
                    self._one_spelling(run, [s.text for s in chunk])
                    on_batch([(s.index, s.text, run.english_of(s.text)) for s in chunk])
            run.translation_model = translator.identity
        empty = sum(1 for text in dict.fromkeys(wanted + body) if text.strip() and run.english_of(text) is None)
        if empty:
            run.warn(
                "translation-partial", f"the translation model returned nothing for {empty} texts: their `en` is null"
            )

    @staticmethod
    def _translate_into(
        run: DigestRun, translate: Callable[[list[str], Deadline | None], list[str]], texts: list[str]
    ) -> None:
        todo = [t for t in dict.fromkeys(texts) if t.strip() and t not in run.english]
        if not todo:
            return
        glossary = run.glossary
        if glossary is None or not len(glossary):
            run.english.update(zip(todo, translate(todo, run.deadline), strict=True))
            return
        # The newsroom's English forms verbatim in every text naming a term (protected, else translated around).
        glossed = translate_with_glossary(todo, glossary, lambda batch: translate(batch, run.deadline))
        for text, result in zip(todo, glossed, strict=True):
            run.english[text] = result.text
            run.glossary_applied.update(dict.fromkeys(result.applied))

    def _person_forms(self, run: DigestRun) -> dict[str, PersonForm]:
        """Each person's one English form: the glossary's, else the romanised name, else the model's English
        of the full name when it reads as a name; with the model's spelling as a variant to replace."""
        assert run.highlights is not None
        forms: dict[str, PersonForm] = {}
        for person in run.highlights.entities.people:
            entry = _glossary_entry(run, person)
            model = (run.english_of(person.ar) or "").strip().rstrip(".")
            if entry is not None:
                en: str | None = entry.en
            elif person.en:
                en = person.en
            else:
                en = model if _LATIN_NAME.fullmatch(model) else None
            if en:
                forms[person.ar] = PersonForm(en, (model,) if model and model != en else ())
        return forms

    def _one_spelling(self, run: DigestRun, texts: list[str]) -> None:
        """Rewrite other spellings of each person's name to the person's one form, in the English of the texts
        whose Arabic names the person."""
        assert run.highlights is not None
        if run.person_forms is None:
            run.person_forms = self._person_forms(run)  # once per run, after the names are translated
        forms = run.person_forms
        people = [p for p in run.highlights.entities.people if p.ar in forms]
        todo = [t for t in dict.fromkeys(texts) if run.english_of(t)]
        if not people or not todo:
            return
        for person, where in zip(people, mention_sentences(todo, people), strict=True):
            form = forms[person.ar]
            for k in where:
                run.english[todo[k]], fixes = unify(run.english[todo[k]], form)
                run.spelling_fixes += fixes

    def assemble(self, run: DigestRun) -> Digest:
        """The digest document from the parts the stages added."""
        article, summary, highlights = run.prepared, run.summary, run.highlights
        assert summary is not None and highlights is not None and run.key is not None
        en = run.english_of
        sentences = article.sentences
        trust = run.summary_trust or _extractive_trust(summary, article)
        summary_sentences = [
            SummarySentence(ar, en(ar), src.sources, src.score)
            for ar, src in zip(trust.sentences, trust.sources, strict=True)
        ]
        summary_en = " ".join(s.en for s in summary_sentences if s.en) or None
        english_highlights = Highlights(
            key_points=[msgspec.structs.replace(kp, en=en(kp.ar)) for kp in highlights.key_points],
            quotes=[msgspec.structs.replace(q, en=en(q.ar)) for q in highlights.quotes],
            entities=self.english_entities(run),
            figures=highlights.figures,
        )
        return Digest(
            id=run.key,
            title=LocalizedText(article.title, en(article.title)) if article.title else None,
            summary=Summary(
                summary.text,
                summary_en,
                summary.method,
                summary.model,
                summary_sentences,
                trust.unsupported,
                trust.removed,
                trust.removed_sentences,
            ),
            translation=self._translation(run),
            highlights=english_highlights,
            sections=[LocalizedText(s, en(s)) for s in article.sections],
            removed=article.removed,
            meta=DigestMeta(
                cached=False,
                models=run.identity,
                timings_ms=run.timings,
                warnings=run.warnings,
                input=InputStats(
                    chars_received=len(run.request.text),
                    chars_kept=sum(len(s.text) for s in sentences),
                    sentences=len(sentences),
                    removed_lines=len(article.removed),
                ),
                glossary=list(run.glossary_applied),
            ),
            dateline=LocalizedText(article.dateline, en(article.dateline)) if article.dateline else None,
        )

    @staticmethod
    def english_entities(run: DigestRun) -> Entities:
        """Entities with their English (the glossary's first, then the person's one form, the gazetteer's or the
        romanised name, then the model's) and the article sentences naming each."""
        assert run.highlights is not None
        entities = run.highlights.entities
        texts = [s.text for s in run.prepared.sentences]
        forms = run.person_forms or {}

        def english(entity: Entity, person: bool) -> str | None:
            if (entry := _glossary_entry(run, entity)) is not None:
                return entry.en
            if person and entity.ar in forms:
                return forms[entity.ar].en
            return entity.en or run.english_of(entity.ar)

        def filled(group: list[Entity], person: bool = False) -> list[Entity]:
            mentions = mention_sentences(texts, group)
            return [
                msgspec.structs.replace(e, en=english(e, person), sentences=where)
                for e, where in zip(group, mentions, strict=True)
            ]

        return Entities(filled(entities.people, True), filled(entities.places), filled(entities.organizations))

    @staticmethod
    def _translation(run: DigestRun) -> Translation | None:
        if run.options.translate != "full" or run.translation_model is None:
            return None
        article, en = run.prepared, run.english_of
        pairs = [SentencePair(s.text, en(s.text)) for s in article.sentences]
        lines: list[str] = []
        section: int | None = None
        for para in article.paragraphs:
            if para[0].section is not None and para[0].section != section:
                section = para[0].section
                lines.append(en(article.sections[section]) or "")
            lines.append(" ".join(e for e in (en(s.text) for s in para) if e))
        return Translation("\n\n".join(line for line in lines if line), pairs, run.translation_model)

    def complete(self, run: DigestRun) -> Digest:
        """Every stage after cleaning and the assembled digest. With models.overlap_translation, the highlights
        (weight-free, quick) come first, then everything but the summary (title, sub-headings, body, quotes,
        names) is translated while the summary is written; the translate stage has only the summary left."""
        if self.settings.models.overlap_translation:
            self.highlight(run)
        ahead = self.translate_ahead(run)
        if run.options.summary != "extractive" and self.models.get(SUMMARY_ROLE) is not None:
            # The check of an abstractive summary needs the article's facts: gathered (pure Python, ~0.1 s)
            # while the model writes, off the critical path.
            article, resources = run.prepared, self.resources
            run.facts_ahead = Beside("khulasa-facts", lambda: article_facts(article, resources))
        try:
            self.summarise(run)
            if run.highlights is None:
                self.highlight(run)
            if ahead is not None:
                # The summary's English now, beside what is still translated ahead: urgent, so it goes before
                # the work ahead, on a batch of its own when the translation role runs parallel_batches.
                # (The highlights stay before the summary: found beside it, they were measured to slow the
                # digest, 2.9-3.1 s against 2.7-2.9 s for the example.)
                self.translate_summary(run)
        finally:
            if ahead is not None:
                ahead.join()
        if ahead is not None:
            ahead.merge_into(run)
        self.translate(run)
        return self.assemble(run)

    def translate_summary(self, run: DigestRun) -> None:
        """English for the summary's sentences only (the translate stage then skips them)."""
        translator = self.models.get(TRANSLATION_ROLE)
        if translator is None or run.options.translate == "none" or run.summary is None:
            return
        with run.step("summary_translation"):
            self._translate_into(run, translator.translate, _summary_texts(run))

    def translate_ahead(self, run: DigestRun) -> TranslationAhead | None:
        """Start translating what does not depend on the summary (the article's own text; the quotes and
        names too when the highlights exist already) in a thread, when a summary model runs at the same time
        and overlapping is on; None when there is nothing worth overlapping."""
        if not self.settings.models.overlap_translation or run.options.translate == "none":
            return None
        translator = self.models.get(TRANSLATION_ROLE)
        if translator is None or run.options.summary == "extractive" or self.models.get(SUMMARY_ROLE) is None:
            return None
        article = run.prepared
        texts = [article.title or "", *article.sections]
        if run.highlights is not None:
            h = run.highlights
            if run.options.translate == "summary":
                texts.extend(kp.ar for kp in h.key_points)
            texts.extend(q.ar for q in h.quotes)
            texts.extend(e.ar for e in h.entities.people + h.entities.organizations)
        if run.options.translate == "full":
            texts.extend(s.text for s in article.sentences)
        todo = [t for t in dict.fromkeys(texts) if t.strip()]
        if not todo:
            return None
        glossary = run.glossary
        applied: dict[GlossaryEntry, None] = {}

        def translate(batch: list[str], deadline: Deadline | None) -> list[str]:
            # The same guarantee as the translate stage: the glossary's English verbatim in every text naming it.
            if glossary is None or not len(glossary):
                return translator.translate(batch, deadline, ahead=True)
            glossed = translate_with_glossary(
                batch, glossary, lambda texts: translator.translate(texts, deadline, ahead=True)
            )
            for result in glossed:
                applied.update(dict.fromkeys(result.applied))
            return [result.text for result in glossed]

        ahead = TranslationAhead(todo, translate, run.deadline)
        ahead.applied = applied
        return ahead


def article_facts(article: Article, r: TextResources) -> ArticleFacts:
    """What the article states (people, places, organisations, figures, quotes), for the faithfulness check."""
    texts = [s.text for s in article.sentences]
    return ArticleFacts.build([article.title, *texts] if article.title else texts, r.lexicon, r.gazetteer)


T = TypeVar("T")


class Beside(Generic[T]):
    """Work run in a thread of its own while the summary is written; `result` waits for it and raises in the
    digest's own thread what stopped it."""

    def __init__(self, name: str, work: Callable[[], T]) -> None:
        self.seconds = 0.0
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            self._value = self._work()
        except BaseException as exc:  # handed to the digest's own thread by result()
            self._error = exc
        finally:
            self.seconds = time.perf_counter() - start

    def join(self) -> None:
        """Wait for the work (model calls in it stop at the run's deadline, as every model call does)."""
        self._thread.join()

    def result(self) -> T:
        """What the work returned (waits for it; raises what stopped it)."""
        self.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)


class TranslationAhead:
    """Texts translated in a thread of their own while the summary is written (one per digest, joined)."""

    def __init__(
        self, texts: list[str], translate: Callable[[list[str], Deadline | None], list[str]], deadline: Deadline
    ) -> None:
        self.applied: dict[GlossaryEntry, None] = {}  # glossary entries the texts named (filled by the thread)
        self._english = Beside(
            "khulasa-translate-ahead", lambda: dict(zip(texts, translate(texts, deadline), strict=True))
        )

    def join(self) -> None:
        """Wait for the translation."""
        self._english.join()

    def merge_into(self, run: DigestRun) -> None:
        """Add the translations to the run (the translate stage skips texts already translated), or raise what
        stopped them."""
        run.english.update(self._english.result())
        run.glossary_applied.update(self.applied)
        run.timings["translation_ahead"] = round(self._english.seconds * 1000, 2)


def _summary_texts(run: DigestRun) -> list[str]:
    """The delivered summary sentence by sentence (each gets its English next to its sources), else whole."""
    if run.summary_trust is not None:
        return list(run.summary_trust.sentences)
    return [run.summary.text] if run.summary is not None else []


def _version(glossary: Glossary | None) -> str:
    return glossary.version if glossary is not None and len(glossary) else ""


def _glossary_entry(run: DigestRun, entity: Entity) -> GlossaryEntry | None:
    """The newsroom glossary's entry for an entity (its name, else a form the article uses), noted as applied."""
    if run.glossary is None or not len(run.glossary):
        return None
    for name in (entity.ar, *entity.surface_forms):
        if (entry := run.glossary.entry_for(name)) is not None:
            run.glossary_applied[entry] = None
            return entry
    return None


def _extractive_trust(summary: SummaryResult, article: Article) -> SummaryTrust:
    """An extractive summary's sentences are the article's own: each is its own source, with score 1."""
    indexes = summary.sentence_indexes
    if indexes is None:  # an abstractive summary never checked (a stage called alone): one unsourced line
        return SummaryTrust([summary.text], [SentenceSources([], 0.0)])
    sentences = article.sentences
    return SummaryTrust([sentences[i].text for i in indexes], [SentenceSources([i], 1.0) for i in indexes])


def check_request(request: DigestRequest, settings: Settings) -> None:
    """Refuse what cannot be digested before any work is done on it (linear, no parsing)."""
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
    if request.format == "html" and is_whole_page(text):
        allowed, rule = settings.limits.max_page_chars, "limits.max_page_chars, for a whole web page"
    elif request.format == "html":
        allowed, rule = limit * HTML_MARKUP_ALLOWANCE, f"limits.max_article_chars = {limit}, times 4 for HTML markup"
    else:
        allowed, rule = limit, "limits.max_article_chars"
    if len(text) > allowed:
        raise ArticleTooLarge(
            f"the article is {len(text)} characters; the limit is {allowed} ({rule}). Split it or raise the limit.",
            extra={"limit": allowed, "received": len(text)},
        )
    if not text.strip():
        raise EmptyArticle("`text` is empty: send the article's text")


def prepare(request: DigestRequest, resources: TextResources, settings: Settings) -> Article:
    """Clean and segment the article; refuse it when nothing Arabic is left to digest. A whole web page is
    first reduced to its article (trafilatura), with the page's own headline as the title."""
    text, fmt, title = request.text, request.format, request.title
    depth = settings.limits.max_html_depth
    if fmt == "html" and is_whole_page(text):
        check_markup_depth(text, depth)
        page = extract_page(text)
        title = title or page.title
        if not page.html:
            text, fmt = page.text, "text"
        else:
            text = page.html
    clean = clean_article(text, fmt, resources.furniture, max_html_depth=depth)
    article = segment(clean, strip_controls(title) if title else None)
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
            f"only {ratio:.0%} of the article's letters are Arabic ({arabic} Arabic, {latin} Latin or other letters); "
            f"Khulasa digests Arabic articles (limits.min_arabic_ratio = {settings.limits.min_arabic_ratio})",
            extra={"arabic_ratio": round(ratio, 3)},
        )
    return article


def resolved_options(options: DigestOptions, settings: Settings) -> DigestOptions:
    """Options with defaults from the config filled in."""
    keys = options.max_key_points if options.max_key_points is not None else settings.pipeline.max_key_points
    return DigestOptions(options.summary, options.translate, keys)
