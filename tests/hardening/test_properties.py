"""Property-based checks over the text pipeline: it never raises, never hangs, never loses text."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.config import HOME
from service.digest.schemas import DigestRequest
from service.digest.stages import TextResources, prepare
from service.errors import Problem
from service.highlights import extract_highlights
from service.summary.extractive import ExtractiveSummarizer
from service.text.clean import Furniture, clean_article
from service.text.rank import SentenceRanker
from service.text.segment import quote_spans, segment, split_sentences
from tests.conftest import make_settings

FURNITURE = Furniture.load(HOME / "config" / "boilerplate.toml")
SETTINGS = make_settings()
RESOURCES = TextResources.load(SETTINGS)

# Arabic letters, marks, digits, punctuation and quotes news prose uses, plus some Latin and noise.
alphabet = st.sampled_from(
    list("ابتثجحخدذرسشصضطظعغفقكلمنهويةىءأإآؤئ")
    + list("َُِّْـ")
    + list(" \n\t.،؛:!?؟«»“”\"'()-…٪%0123456789٠١٢")
    + list("abcXYZ")
    + ["\u200f", "\ufeff", "<p>", "</p>", "&amp;"]
)
articles = st.lists(alphabet, max_size=400).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_sentence_splitting_loses_nothing(text: str) -> None:
    paragraph = " ".join(text.split())
    pieces = split_sentences(paragraph)
    assert " ".join(pieces).split() == paragraph.split()
    assert all(p.strip() for p in pieces)


@settings(max_examples=150, deadline=None)
@given(articles)
def test_quote_spans_are_ordered_and_disjoint(text: str) -> None:
    spans = quote_spans(text)
    for (a, b), (c, d) in itertools.pairwise(spans):
        assert a < b <= c < d
    assert all(0 <= a < b <= len(text) for a, b in spans)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles, st.sampled_from(["text", "html"]))
def test_cleaning_keeps_every_word_it_does_not_list_as_removed(text: str, fmt: str) -> None:
    clean = clean_article(text, fmt, FURNITURE)
    article = segment(clean)
    if fmt == "text":
        kept = " ".join([article.title or "", *article.sections, *(s.text for s in article.sentences)])
        # Furniture is taken out by cleaning (by pattern) and by segmentation (by what a line is): the article
        # lists both.
        removed = " ".join(article.removed)
        for word in re.findall(r"[ء-ي]{2,}", re.sub("[\u0640\u064b-\u065f]", "", text)):
            assert word in re.sub("[\u0640\u064b-\u065f]", "", kept + " " + removed)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles, st.sampled_from(["text", "html"]))
def test_whole_weight_free_pipeline_answers_or_refuses_cleanly(text: str, fmt: str) -> None:
    try:
        article = prepare(DigestRequest(text=text, format=fmt), RESOURCES, SETTINGS)  # type: ignore[arg-type]
    except Problem as exc:
        assert 400 <= exc.status_code < 500
        return
    ranker = SentenceRanker(article)
    summary = ExtractiveSummarizer().summarize(article, ranker=ranker)
    assert summary.text and summary.sentence_indexes
    highlights = extract_highlights(article, ranker, RESOURCES.lexicon, RESOURCES.gazetteer, 5)
    assert len(highlights.key_points) <= 5
    for quote in highlights.quotes:
        assert quote.ar.strip()
