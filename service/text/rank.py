"""Sentence ranking: TF-IDF centrality over light-stemmed tokens, plus position and title overlap."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from service.text.arabic import content_tokens
from service.text.segment import Article
from service.text.structure import is_paragraph

Vector = dict[str, float]

# Weights chosen on news prose: centrality finds what the article keeps returning to, position keeps the
# lead (news is written top-down), title overlap keeps the angle the editor chose.
W_CENTRALITY, W_POSITION, W_TITLE = 0.5, 0.3, 0.2
NEAR_DUPLICATE = 0.5
LEAD_MIN_WORDS = 6  # a shorter first sentence is a fragment (a label, a cut line), not the lead


def lead_index(article: Article) -> int | None:
    """The lead: the first body sentence that reads as prose (a full stop, or a paragraph's length), else the
    first long enough to be news; the title and dateline are already out. A deck or caption kept above the
    lead is shorter and unpunctuated."""
    first = article.sentences[:5]
    for s in first:
        if len(s.text.split()) >= LEAD_MIN_WORDS and is_paragraph(s.text):
            return s.index
    for s in first:
        if len(s.text.split()) >= LEAD_MIN_WORDS:
            return s.index
    return None


@dataclass(frozen=True)
class RankedSentence:
    """A body sentence with its score in [0, 1]."""

    index: int
    score: float


def _cosine(a: Vector, b: Vector) -> float:
    if not a or not b:
        return 0.0
    small, big = (a, b) if len(a) < len(b) else (b, a)
    dot = sum(w * big.get(t, 0.0) for t, w in small.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _unit(v: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in v.values()))
    return {t: w / norm for t, w in v.items()} if norm else {}


class SentenceRanker:
    """Scores every sentence of one article; keeps the vectors to find near-duplicates."""

    def __init__(self, article: Article) -> None:
        sentences = article.sentences
        tokens = [content_tokens(s.text) for s in sentences]
        df = Counter(t for toks in tokens for t in set(toks))
        n = len(sentences)
        self._idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.vectors = [self._vector(toks) for toks in tokens]
        title = self._vector(content_tokens(article.title or ""))
        # Sum of cosines to every other sentence, in linear time: with unit vectors u_i and their sum S,
        # sum_j!=i cos(i, j) = u_i . S - 1 (for a non-empty u_i).
        units = [_unit(v) for v in self.vectors]
        total: Vector = {}
        for u in units:
            for t, w in u.items():
                total[t] = total.get(t, 0.0) + w
        centrality = [max(0.0, sum(w * total[t] for t, w in u.items()) - 1.0) if u else 0.0 for u in units]
        top = max(centrality, default=0.0) or 1.0
        self.ranked: list[RankedSentence] = []
        for i, toks in enumerate(tokens):
            position = 1.0 / (1.0 + 0.35 * i)
            score = (
                W_CENTRALITY * centrality[i] / top + W_POSITION * position + W_TITLE * _cosine(self.vectors[i], title)
            )
            # Very short lines (datelines, captions) rarely carry the story.
            if len(toks) < 5:
                score *= 0.4
            self.ranked.append(RankedSentence(i, round(score, 4)))

    def _vector(self, toks: list[str]) -> Vector:
        counts = Counter(toks)
        return {t: c * self._idf.get(t, 1.0) for t, c in counts.items()}

    def top(self, k: int, keep: int | None = None) -> list[RankedSentence]:
        """The k best sentences, best first, skipping any too close to one already taken; `keep` (a sentence
        index, e.g. the lead) is taken first whatever its score."""
        chosen: list[RankedSentence] = []
        if keep is not None and 0 <= keep < len(self.ranked) and k > 0:
            chosen.append(self.ranked[keep])
        for cand in sorted(self.ranked, key=lambda r: (-r.score, r.index)):
            if cand.index == keep:
                continue
            if len(chosen) == k:
                break
            if all(_cosine(self.vectors[cand.index], self.vectors[c.index]) < NEAR_DUPLICATE for c in chosen):
                chosen.append(cand)
        return chosen
