"""Abstractive summary with a seq2seq checkpoint (mT5 XL-Sum by default)."""

from __future__ import annotations

from service.config import ModelEntry, Settings
from service.deadline import Deadline
from service.models.batching import MicroBatcher
from service.models.prompts import load_prompt
from service.models.registry import ModelRole
from service.models.seq2seq import ModelSpec, Seq2SeqModel
from service.summary.protocol import Summarizer, SummaryMethod, SummaryResult
from service.text.segment import Article


class Seq2SeqSummarizer:
    """Summarises the cleaned article; an article longer than the model's input is cut at a sentence
    boundary, keeping the title and the lead (news puts what matters first), and says so."""

    method: SummaryMethod = "abstractive"

    def __init__(self, model: Seq2SeqModel, window_ms: float = 5.0) -> None:
        self.model = model
        # Summaries of concurrent digests share model calls (batch_size of the profile's summary role):
        # four articles in one call cost about half as much each as four calls.
        self.batcher = MicroBatcher(
            model, model.spec.batch_size, window_ms, role=model.spec.role, workers=model.parallel_batches
        )
        self.notes = model.notes

    def close(self) -> None:
        """Stop the micro-batcher's thread."""
        self.batcher.close()

    @property
    def identity(self) -> str:
        return self.model.identity

    def model_input(self, article: Article) -> tuple[str, list[str]]:
        """The text the model reads and the warnings about what it could not read."""
        sentences = article.sentences
        lines = [article.title or ""] + [s.text for s in sentences]
        counts = self.model.count_tokens(lines)
        # Each count carries the prompt and special tokens once; subtract them from all but the first.
        overhead = self.model.count_tokens([""])[0]
        budget = self.model.input_limit
        used, kept = counts[0], 0
        for n in counts[1:]:
            if used + n - overhead > budget:
                break
            used += n - overhead
            kept += 1
        warnings = []
        if kept == 0 and sentences:
            # Not even the first sentence fits: the model reads as much of it as it can.
            kept = 1
            warnings.append(
                f"the article's first sentence alone is longer than the summary model's {budget}-token input: "
                "the model read only its beginning"
            )
        text = "\n".join(line for line in lines[: kept + 1] if line)
        if kept < len(sentences):
            warnings.append(
                f"article longer than the summary model's {budget}-token input: summarised from the title and "
                f"the first {kept} of {len(sentences)} sentences (lead-biased truncation at a sentence boundary)"
            )
        return text, warnings

    def summarize(self, article: Article, deadline: Deadline | None = None) -> SummaryResult:
        """Generate an Arabic summary of the article."""
        text, warnings = self.model_input(article)
        summary = self.batcher.generate([text], deadline)[0]
        return SummaryResult(summary, "abstractive", self.identity, None, warnings)


def load_summarizer(entry: ModelEntry, settings: Settings) -> Summarizer:
    """The abstractive summariser of a profile entry: any seq2seq checkpoint with its prompt."""
    spec = ModelSpec.from_entry("summary", entry)
    prompt = load_prompt(settings.resolve(settings.models.prompts_dir), spec.prompt)
    model = Seq2SeqModel(spec, prompt, settings.models.threads_for(entry), settings.models.device)
    return Seq2SeqSummarizer(model, settings.models.batch_window_ms)


SUMMARY_ROLE: ModelRole[Summarizer] = ModelRole("summary", "abstractive summary", load_summarizer)
