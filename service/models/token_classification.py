"""Loading and running any AutoModelForTokenClassification checkpoint, by hub id or local folder.

Inference machinery only: it knows label names, not what a product does with them. Every text comes back as
spans of whole words with character offsets into the text as given; a text longer than the model's input is
run in consecutive windows, never truncated.
"""

from __future__ import annotations

import bisect
import hashlib
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

from service.deadline import Deadline
from service.models.seq2seq import _folder_fingerprint, _read_config, source_folder

Scheme = Literal["BIO", "BIOES"]
# Prefixes that open, continue and close a span in BIO / BIOES (and their BILOU spellings).
_BEGIN = frozenset({"B", "S", "U"})
_SINGLE = frozenset({"S", "U"})
_END = frozenset({"E", "L"})


@dataclass(frozen=True)
class TokenClassifierSpec:
    """One token-classification checkpoint and how to run it, as config/models.toml gives it."""

    model: str  # hub id or local folder
    revision: str = "main"
    licence: str = ""
    max_input_tokens: int = 512
    batch_size: int = 16

    def __post_init__(self) -> None:
        if self.max_input_tokens < 8:
            raise ValueError(f"max_input_tokens must be at least 8, not {self.max_input_tokens}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {self.batch_size}")

    @property
    def is_local(self) -> bool:
        """A folder on disk rather than a hub id."""
        return self.model.startswith(("/", "./", "../", "~")) or Path(self.model).expanduser().is_dir()


class TokenSpan(NamedTuple):
    """Whole words [start, end) of one input text that the model gives one entity type."""

    start: int  # character offset into the text as given
    end: int
    label: str  # the entity type without its B-/I-/E-/S- prefix: "PERS", "LOC", ...
    score: float  # mean probability of the words' labels (first sub-word of each word)


def token_classifier_folder(spec: TokenClassifierSpec) -> Path:
    """The folder holding the checkpoint: the given folder, or the hub snapshot already in the local cache."""
    return source_folder(spec)


def label_scheme(id2label: dict[int, str]) -> Scheme:
    """BIOES when any label closes or stands alone (E-, S-, L-, U-), else BIO."""
    prefixes = {label.split("-", 1)[0] for label in id2label.values() if "-" in label}
    return "BIOES" if prefixes & (_END | _SINGLE) else "BIO"


def _split_label(label: str) -> tuple[str, str]:
    """("B", "PERS") from "B-PERS"; a label without prefix continues its type; "O" is outside."""
    if label == "O" or not label:
        return "O", ""
    prefix, sep, kind = label.partition("-")
    if sep and prefix in _BEGIN | _END | {"I"}:
        return prefix, kind
    return "I", label


def decode_spans(words: Sequence[tuple[int, int]], labels: Sequence[str], scores: Sequence[float]) -> list[TokenSpan]:
    """Word labels to spans. Lenient as the field's decoders are: an I-/E- after O or after another type
    opens a span, so no labelled word is lost to a malformed sequence."""
    spans: list[TokenSpan] = []
    kind = ""  # the open span's type ("" when none is open)
    first = 0
    total = 0.0

    def close(last: int) -> None:
        n = last - first + 1
        spans.append(TokenSpan(words[first][0], words[last][1], kind, total / n))

    for i, (label, score) in enumerate(zip(labels, scores, strict=True)):
        prefix, this = _split_label(label)
        if kind and (prefix == "O" or prefix in _BEGIN or this != kind):
            close(i - 1)
            kind = ""
        if prefix == "O":
            continue
        if not kind:
            kind, first, total = this, i, 0.0
        total += score
        if prefix in _END or prefix in _SINGLE:
            close(i)
            kind = ""
    if kind:
        close(len(labels) - 1)
    return spans


@dataclass
class _Window:
    text: int  # index of the input text
    ids: list[int]  # content token ids (no special tokens)
    first_token: int  # index of ids[0] in the text's token list


class TokenClassifier:
    """A loaded fast tokenizer and token-classification model; one call at a time, so inference does not
    oversubscribe the cores and the Rust tokenizer is never used from two threads."""

    def __init__(self, spec: TokenClassifierSpec, threads: int, *, remove: str = "") -> None:
        """Load the checkpoint. `remove`: a regular expression of characters the tokenizer drops before it
        splits (marks the vocabulary was built without, such as Arabic diacritics); offsets still index the
        text as given, and a word's span takes in the combining marks that end it."""
        # The checkpoint is found first: a role whose weights are absent fails without importing torch.
        folder = token_classifier_folder(spec)
        config = _read_config(folder)

        import torch
        from tokenizers import Regex, normalizers
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        self.spec = spec
        self.tokenizer: Any = AutoTokenizer.from_pretrained(folder)
        if not getattr(self.tokenizer, "is_fast", False):
            raise ValueError(f"{folder}: token classification needs a fast tokenizer (character offsets)")
        if remove:
            backend = self.tokenizer.backend_tokenizer
            # A Replace normalizer keeps the alignment, so offsets still point into the original text.
            drop = normalizers.Replace(Regex(remove), "")
            backend.normalizer = normalizers.Sequence([drop, backend.normalizer]) if backend.normalizer else drop
        torch.set_num_threads(threads)
        self.model: Any = AutoModelForTokenClassification.from_pretrained(folder)
        self.model.eval()
        self.id2label: dict[int, str] = {int(k): v for k, v in self.model.config.id2label.items()}
        self.scheme: Scheme = label_scheme(self.id2label)
        limits = [spec.max_input_tokens, config.get("max_position_embeddings")]
        tok_limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_limit, int) and tok_limit < 10**6:
            limits.append(tok_limit)
        self.input_limit: int = min(x for x in limits if x)
        self._prefix, self._suffix = self._special_tokens()
        # Content tokens per window: the input limit less the special tokens around them.
        self.window_tokens: int = self.input_limit - len(self._prefix) - len(self._suffix)
        if self.window_tokens < 1:
            raise ValueError(f"{folder}: input limit {self.input_limit} leaves no room for text")
        self.pad_id: int = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        name, version = (str(folder), _folder_fingerprint(folder)) if spec.is_local else (spec.model, folder.name)
        # The window size changes what the model sees, hence its output; the batch size does not.
        self.identity = f"{name}@{version}|window:{self.window_tokens}"
        if remove:
            self.identity += f"|remove:{hashlib.sha256(remove.encode()).hexdigest()[:8]}"
        self._lock = threading.Lock()

    def _special_tokens(self) -> tuple[list[int], list[int]]:
        """The ids the tokenizer puts before and after one sequence ([CLS] … [SEP] for BERT)."""
        probe = "x"
        bare = self.tokenizer(probe, add_special_tokens=False)["input_ids"]
        full = self.tokenizer(probe, add_special_tokens=True)["input_ids"]
        for at in range(len(full) - len(bare) + 1):
            if full[at : at + len(bare)] == bare:
                return list(full[:at]), list(full[at + len(bare) :])
        raise ValueError("cannot tell where the tokenizer puts its special tokens")

    def classify(self, texts: Sequence[str], deadline: Deadline | None = None) -> list[list[TokenSpan]]:
        """Spans of every text, one list per text, in order; offsets index the text as given.

        Texts are cut into windows of at most `window_tokens` tokens at word boundaries, sorted by length
        and run `spec.batch_size` at a time; the deadline is checked before each batch."""
        if deadline is not None:
            deadline.check("entity recognition")
        with self._lock:
            return self._classify(texts, deadline)

    def _classify(self, texts: Sequence[str], deadline: Deadline | None) -> list[list[TokenSpan]]:
        import torch

        # split_special_tokens: a "[CLS]" typed in an article is text, not a control token.
        enc = self.tokenizer(
            list(texts),
            add_special_tokens=False,
            return_offsets_mapping=True,
            split_special_tokens=True,
            verbose=False,
        )
        windows: list[_Window] = []
        word_ids: list[list[int | None]] = []
        for t in range(len(texts)):
            ids: list[int] = enc["input_ids"][t]
            wids = enc.word_ids(t)
            word_ids.append(wids)
            windows.extend(_Window(t, ids[a:b], a) for a, b in self._cut(wids))
        # Per token of each text: (label id, probability).
        labels: list[list[tuple[int, float]]] = [[(-1, 0.0)] * len(w) for w in word_ids]
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
        size = self.spec.batch_size
        for at in range(0, len(order), size):
            if deadline is not None:
                deadline.check("entity recognition")
            batch = [windows[i] for i in order[at : at + size]]
            rows = [self._prefix + w.ids + self._suffix for w in batch]
            width = max(len(r) for r in rows)
            input_ids = torch.tensor([r + [self.pad_id] * (width - len(r)) for r in rows])
            mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
            with torch.inference_mode():
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits
                probs, best = torch.softmax(logits.float(), dim=-1).max(dim=-1)
            skip = len(self._prefix)
            for row, w in enumerate(batch):
                n = len(w.ids)
                got = zip(best[row, skip : skip + n].tolist(), probs[row, skip : skip + n].tolist(), strict=True)
                labels[w.text][w.first_token : w.first_token + n] = list(got)
        out: list[list[TokenSpan]] = []
        for t in range(len(texts)):
            offsets: list[tuple[int, int]] = enc["offset_mapping"][t]
            out.append(self._spans(texts[t], word_ids[t], offsets, labels[t]))
        return out

    def _cut(self, wids: Sequence[int | None]) -> list[tuple[int, int]]:
        """[start, end) token ranges of at most window_tokens each, covering every token, ending at word
        starts where a word fits (a word longer than a window is split)."""
        n = len(wids)
        starts = [i for i in range(n) if i == 0 or wids[i] != wids[i - 1]]
        cuts = []
        a = 0
        while a < n:
            b = min(a + self.window_tokens, n)
            if b < n:
                j = bisect.bisect_right(starts, b) - 1
                if starts[j] > a:
                    b = starts[j]
            cuts.append((a, b))
            a = b
        return cuts

    def _spans(
        self,
        text: str,
        wids: Sequence[int | None],
        offsets: Sequence[tuple[int, int]],
        labels: Sequence[tuple[int, float]],
    ) -> list[TokenSpan]:
        """Word-level labels (each word takes its first sub-word's label), decoded into spans."""
        words: list[tuple[int, int]] = []
        word_labels: list[str] = []
        word_scores: list[float] = []
        for i, wid in enumerate(wids):
            if wid is None:
                continue
            start, end = offsets[i]
            if i and wids[i - 1] == wid:
                words[-1] = (words[-1][0], end)  # later sub-words widen the word, keep its label
                continue
            label, score = labels[i]
            words.append((start, end))
            word_labels.append(self.id2label.get(label, "O"))
            word_scores.append(score)
        for w, (start, end) in enumerate(words):
            # Combining marks the normaliser dropped after a word's last letter (كتاباً) belong to the word.
            while end < len(text) and unicodedata.category(text[end]) == "Mn":
                end += 1
            words[w] = (start, end)
        return decode_spans(words, word_labels, word_scores)
