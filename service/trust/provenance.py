"""Provenance: the article sentences each summary sentence rests on, by weighted content overlap."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import msgspec

from service.highlights.lexicon import tokenize
from service.highlights.types import Entity
from service.text.arabic import content_tokens, normalize
from service.text.segment import split_sentences

# A summary sentence whose best support covers less than this share of its content gets no source.
MIN_SCORE = 0.3
# At most this many sources per summary sentence: abstractive lines fuse two or three article sentences.
MAX_SOURCES = 3
# A further source is kept only when it adds at least this share of the line's content.
MIN_GAIN = 0.15

_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_PUNCT = re.compile(r"[^\w\s]")


class SentenceSources(msgspec.Struct, frozen=True):
    """The article sentences (indexes, best first) one summary sentence rests on, and how well.

    `score` is the share of the summary sentence's content (IDF-weighted, stemmed tokens) that its sources
    contain together: 1.0 when the sentence is an article sentence, near 0 when little of it is in the
    article. `sources` is empty when no article sentence reaches the threshold.
    """

    sources: list[int]
    score: float


def split_summary(text: str) -> list[str]:
    """Sentences of a summary: each line split at . ! ? ؟ as the article is (never at the Arabic comma)."""
    return [s for line in text.splitlines() for s in split_sentences(line.strip()) if s.strip()]


def _terms(text: str) -> list[str]:
    """Normalised, light-stemmed content words, plus numbers (which content_tokens leaves out)."""
    norm = normalize(text)
    return content_tokens(text) + [n.replace(",", "") for n in _NUMBER.findall(norm)]


def _key(text: str) -> str:
    """Whole-sentence identity for extractive lines: normalised, no punctuation, single spaces."""
    return " ".join(_PUNCT.sub(" ", normalize(text)).split())


def trace(
    summary_sentences: Sequence[str],
    article_sentences: Sequence[str],
    min_score: float = MIN_SCORE,
    max_sources: int = MAX_SOURCES,
) -> list[SentenceSources]:
    """Sources of every summary sentence, in order.

    A summary sentence that is an article sentence (extractive summaries) gets that sentence with score 1.0.
    Otherwise sources are chosen greedily: the article sentence covering the most of the line's content
    (weighted by IDF over the article, so rare words count more than common ones), then the sentence adding
    the most of what is still uncovered, while it adds at least MIN_GAIN. Words absent from the article weigh
    as much as the rarest article word: invented content lowers the score. Time is linear in the article's
    tokens plus, per summary sentence, the article postings of its distinct words.
    """
    art_terms = [set(_terms(s)) for s in article_sentences]
    exact: dict[str, int] = {}
    for i, s in enumerate(article_sentences):
        exact.setdefault(_key(s), i)
    df = Counter(t for terms in art_terms for t in terms)
    n = len(article_sentences)
    unseen = math.log(1 + n) + 1.0
    idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
    postings: dict[str, list[int]] = {}
    for i, terms in enumerate(art_terms):
        for t in terms:
            postings.setdefault(t, []).append(i)

    out: list[SentenceSources] = []
    for sentence in summary_sentences:
        hit = exact.get(_key(sentence))
        if hit is not None and _key(sentence):
            out.append(SentenceSources([hit], 1.0))
            continue
        weights = {t: idf.get(t, unseen) for t in set(_terms(sentence))}
        total = sum(weights.values())
        if not total:
            out.append(SentenceSources([], 0.0))
            continue
        uncovered = dict(weights)
        chosen: list[int] = []
        covered = 0.0
        while len(chosen) < max_sources and uncovered:
            gains: dict[int, float] = {}
            for t, w in uncovered.items():
                for i in postings.get(t, ()):
                    gains[i] = gains.get(i, 0.0) + w
            if not gains:
                break
            # Best gain; ties go to the earlier sentence (news puts the fact first where it is stated).
            best = min(gains, key=lambda i: (-gains[i], i))
            if chosen and gains[best] / total < MIN_GAIN:
                break
            chosen.append(best)
            covered += gains[best]
            uncovered = {t: w for t, w in uncovered.items() if t not in art_terms[best]}
        score = round(covered / total, 4)
        out.append(SentenceSources(chosen if score >= min_score else [], score))
    return out


def mention_sentences(sentences: Sequence[str], entities: Sequence[Entity]) -> list[list[int]]:
    """For each entity, the indexes of the sentences that name it (any of its surface forms, a glued
    clitic allowed on the first word), in order. One pass over the sentences' words through a trie of the
    forms (longest form first at each word): linear in the text times the longest form."""
    trie: dict[str, Any] = {}
    longest = 1
    for k, entity in enumerate(entities):
        for form in (entity.ar, *entity.surface_forms):
            words = [t.norm for t in tokenize(form) if t.is_word]
            if not words:
                continue
            longest = max(longest, len(words))
            node = trie
            for w in words:
                node = node.setdefault(w, {})
            node.setdefault(_ENTITIES, set()).add(k)
    out: list[list[int]] = [[] for _ in entities]
    for s, sentence in enumerate(sentences):
        toks = [t for t in tokenize(sentence) if t.is_word]
        seen: set[int] = set()
        for i, tok in enumerate(toks):
            for first in tok.variants:
                at: dict[str, Any] | None = trie.get(first)
                j = i + 1
                while at is not None:
                    seen.update(at.get(_ENTITIES, ()))
                    if j >= len(toks) or j - i >= longest:
                        break
                    at = at.get(toks[j].norm)
                    j += 1
        for k in sorted(seen):
            out[k].append(s)
    return out


_ENTITIES = ""  # trie key holding the entities whose form ends at a node (no word is empty)
