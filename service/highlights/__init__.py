"""Rule-based highlights: key points, quotes, entities and figures. No model weights needed."""

from __future__ import annotations

import msgspec

from service.deadline import Deadline
from service.highlights.entities import find_entities
from service.highlights.figures import find_figures
from service.highlights.lexicon import Lexicon, tokenize
from service.highlights.ner import EntityRecognizer, merge_model_spans
from service.highlights.places import Gazetteer
from service.highlights.quotes import find_quotes
from service.highlights.types import Entities, Highlights, KeyPoint
from service.text.rank import SentenceRanker
from service.text.segment import Article

# A key point is a sentence that carries the story: a weak score (a stray line, a caption) or a fragment of a
# few words is left out even when that leaves fewer key points than asked for.
KEY_POINT_MIN_SCORE = 0.15
KEY_POINT_MIN_WORDS = 5


def extract_highlights(
    article: Article,
    ranker: SentenceRanker,
    lexicon: Lexicon,
    gazetteer: Gazetteer,
    max_key_points: int,
    recognizer: EntityRecognizer | None = None,
    deadline: Deadline | None = None,
    summary_sentences: frozenset[int] = frozenset(),
) -> Highlights:
    """All highlights of an article, in Arabic; English fields stay null until translation fills them.

    With a `recognizer` (the `entities` model role), its spans over the title and every sentence (batched by
    the model, the deadline passed on) are merged into the rules' entities before quotes are attributed.
    `summary_sentences`: the sentences an extractive summary is made of; key points are other sentences, so the
    digest does not say the same thing twice."""
    sentences = article.sentences
    tokens = [tokenize(article.title or ""), *(tokenize(s.text) for s in sentences)]
    entities = _with_filing_place(find_entities(tokens, lexicon, gazetteer), article.dateline, lexicon, gazetteer)
    if recognizer is not None:
        texts = [article.title or "", *(s.text for s in sentences)]
        spans = recognizer.recognize(texts, deadline)
        entities = merge_model_spans(entities, spans, texts, tokens, lexicon, gazetteer)
    key_points = [
        KeyPoint(sentences[r.index].text, None, r.score, r.index)
        for r in ranker.top(max_key_points + len(summary_sentences))
        if r.index not in summary_sentences
        and r.score >= KEY_POINT_MIN_SCORE
        and len(sentences[r.index].text.split()) >= KEY_POINT_MIN_WORDS
    ][:max_key_points]
    return Highlights(
        key_points,
        find_quotes(sentences, entities.people, entities.organizations, lexicon),
        entities,
        find_figures(sentences),
    )


def _with_filing_place(entities: Entities, dateline: str | None, lexicon: Lexicon, gazetteer: Gazetteer) -> Entities:
    """The places the dateline names (where the story was filed from: «أربيل (كوردستان24) -»), first; the
    dateline is taken out of the text before entities are found, yet it names a place of the story."""
    if not dateline:
        return entities
    filed_from = find_entities([tokenize(dateline)], lexicon, gazetteer).places
    if not filed_from:
        return entities
    named = {place.ar: place for place in entities.places}
    first = []
    for place in filed_from:
        known = named.get(place.ar)
        if known is not None:  # named in the body too: one place, its mentions and forms together
            forms = list(dict.fromkeys([*known.surface_forms, *place.surface_forms]))
            place = msgspec.structs.replace(known, mentions=known.mentions + place.mentions, surface_forms=forms)
        first.append(place)
    filed = {place.ar for place in first}
    places = [*first, *(place for place in entities.places if place.ar not in filed)]
    return msgspec.structs.replace(entities, places=places)
