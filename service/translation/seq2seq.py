"""Arabic → English with a seq2seq checkpoint: length-sorted batches, long sentences split at clauses."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.config import ModelEntry, Settings
from service.deadline import Deadline
from service.models.batching import MicroBatcher, SentenceCache
from service.models.prompts import load_prompt
from service.models.registry import ModelRole
from service.models.seq2seq import ModelSpec, Seq2SeqModel
from service.translation.protocol import Translator

# Where a sentence too long for the model may be cut, best first: clause marks, then commas, then spaces.
_CUTS = (re.compile(r"(?<=[؛;])\s+"), re.compile(r"(?<=[،,:])\s+"), re.compile(r"\s+"))


class Seq2SeqTranslator:
    """Translates every input to exactly one output, in order; nothing is truncated.

    Pieces go through a sentence cache (one per model, so keyed by the model's identity) and a micro-batcher
    that shares model calls between concurrent digests.
    """

    def __init__(self, model: Seq2SeqModel, window_ms: float = 5.0, cache_entries: int = 20_000) -> None:
        self.model = model
        self.batcher = MicroBatcher(
            model, model.spec.batch_size, window_ms, role=model.spec.role, workers=model.parallel_batches
        )
        self.cache = SentenceCache(cache_entries)
        self.notes = model.notes

    def close(self) -> None:
        """Stop the micro-batcher's thread."""
        self.batcher.close()

    @property
    def identity(self) -> str:
        return self.model.identity

    def split_to_fit(self, text: str) -> list[str]:
        """Pieces of `text`, in order, each within the model's input limit; joined by spaces they
        give back the text (whitespace aside)."""
        limit = min(self.model.input_limit, self.model.spec.max_piece_tokens or self.model.input_limit)
        if self.model.count_tokens([text])[0] <= limit:
            return [text]
        for cut in _CUTS:
            parts = [p for p in cut.split(text) if p]
            if len(parts) > 1:
                return self._pack(parts, limit, " ")
        # One "word" longer than the limit (no spaces at all): cut it by characters.
        half = len(text) // 2
        return self.split_to_fit(text[:half]) + self.split_to_fit(text[half:])

    def _pack(self, parts: list[str], limit: int, sep: str) -> list[str]:
        counts = self.model.count_tokens(parts)
        pieces: list[str] = []
        current: list[str] = []
        used = 0
        for part, n in zip(parts, counts, strict=True):
            if n > limit:
                if current:
                    pieces.append(sep.join(current))
                    current, used = [], 0
                pieces.extend(self.split_to_fit(part))
                continue
            # Each part's count includes the special tokens once; joined parts share them.
            if current and used + n > limit:
                pieces.append(sep.join(current))
                current, used = [], 0
            current.append(part)
            used += n
        if current:
            pieces.append(sep.join(current))
        return pieces

    def translate(self, texts: Sequence[str], deadline: Deadline | None = None, ahead: bool = False) -> list[str]:
        """One English text per Arabic text; long ones are translated piece by piece and rejoined. `ahead`:
        nobody waits for them yet (urgent work goes first; see MicroBatcher)."""
        pieces_of = [self.split_to_fit(t) if t.strip() else [] for t in texts]
        unique = list(dict.fromkeys(p for pieces in pieces_of for p in pieces))
        done = self.cache.get_many(unique)
        # Shortest first, so each batch the model runs holds pieces of similar length (little padding).
        todo = sorted((p for p in unique if p not in done), key=len)
        fresh = dict(zip(todo, self.batcher.generate(todo, deadline, ahead), strict=True))
        # Empty outputs are not cached: a later call may do better, and they are reported as missing.
        self.cache.put_many({k: v for k, v in fresh.items() if v.strip()})
        done.update(fresh)
        return [" ".join(done[p] for p in pieces).strip() for pieces in pieces_of]


def load_translator(entry: ModelEntry, settings: Settings) -> Translator:
    """The Arabic → English translator of a profile entry: any seq2seq checkpoint with its prompt."""
    spec = ModelSpec.from_entry("translation", entry)
    prompt = load_prompt(settings.resolve(settings.models.prompts_dir), spec.prompt)
    return Seq2SeqTranslator(
        Seq2SeqModel(spec, prompt, settings.models.threads_for(entry), settings.models.device),
        settings.models.batch_window_ms,
        settings.models.translation_cache_entries,
    )


TRANSLATION_ROLE: ModelRole[Translator] = ModelRole("translation", "English translation", load_translator)
