"""Extractive summary: the best-ranked sentences, in article order. Needs no model weights."""

from __future__ import annotations

from service.deadline import Deadline
from service.summary.protocol import SummaryMethod, SummaryResult
from service.text.rank import SentenceRanker, lead_index
from service.text.segment import Article

EXTRACTIVE_VERSION = "tfidf-centrality-lead-2"


class ExtractiveSummarizer:
    """Picks 2-4 sentences (configurable) by TF-IDF centrality, lead position and title overlap."""

    method: SummaryMethod = "extractive"

    def __init__(self, min_sentences: int = 2, max_sentences: int = 4) -> None:
        self.min_sentences = min_sentences
        self.max_sentences = max_sentences

    @property
    def identity(self) -> str:
        """The ranking version: changes whenever the ranking rules change."""
        return f"extractive:{EXTRACTIVE_VERSION}:{self.min_sentences}-{self.max_sentences}"

    def length_for(self, sentence_count: int) -> int:
        """How many sentences to keep: about a quarter of the article, within the configured bounds."""
        wanted = max(self.min_sentences, min(self.max_sentences, round(sentence_count / 4)))
        return min(wanted, sentence_count)

    def summarize(
        self, article: Article, deadline: Deadline | None = None, ranker: SentenceRanker | None = None
    ) -> SummaryResult:
        """Summarise by extraction (fast: the deadline is not consulted); pass a ranker to reuse one."""
        ranker = ranker or SentenceRanker(article)
        sentences = article.sentences
        # News is written top-down: the lead holds who, what, where and when, so an extractive summary always
        # keeps it (the ranking fills the other places).
        picked = sorted(r.index for r in ranker.top(self.length_for(len(sentences)), keep=lead_index(article)))
        text = " ".join(sentences[i].text for i in picked)
        return SummaryResult(text, "extractive", self.identity, picked)
