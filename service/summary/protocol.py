"""What every summariser offers: one article in, one Arabic summary out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from service.deadline import Deadline
from service.text.segment import Article

SummaryMethod = Literal["extractive", "abstractive"]


@dataclass
class SummaryResult:
    """An Arabic summary, how it was made, and anything the caller should know about it."""

    text: str
    method: SummaryMethod
    model: str
    sentence_indexes: list[int] | None = None  # extractive only: which body sentences were kept
    warnings: list[str] = field(default_factory=list)


class Summarizer(Protocol):
    """Summarises a cleaned, segmented article in Arabic."""

    method: SummaryMethod

    @property
    def identity(self) -> str:
        """Names the model and version: part of the digest id."""
        ...

    def summarize(self, article: Article, deadline: Deadline | None = None) -> SummaryResult:
        """Summarise the article; blocking, so callers run it off the event loop; stops at the deadline."""
        ...
