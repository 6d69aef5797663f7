"""Lean tokenizers for the CTranslate2 backend: text to pieces and pieces to text, without transformers.

CTranslate2 takes and returns pieces (strings), not ids, so serving needs only the sentencepiece models (or the
`tokenizers` file) of a checkpoint. Loading transformers' tokenizers instead imports torch and, for mT5's 250k
pieces, builds Python-side vocabularies: about 450 MB of a server's memory with the default models. The
transformers backend keeps transformers' own tokenizers; a test checks that both give the same pieces.

Supported layouts: Marian (source.spm / target.spm, every input ends with </s>), T5 and mT5 (spiece.model, or a
tokenizer.json, every input ends with </s>). Anything else returns None: the caller uses transformers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

EOS, UNK = "</s>", "<unk>"


class PieceTokenizer(Protocol):
    """What the CTranslate2 backend needs from a tokenizer."""

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        """The input pieces of each text, end-of-sequence included, unknown pieces as <unk>."""
        ...

    def decode(self, pieces: Sequence[Sequence[str]]) -> list[str]:
        """The text of each output, special tokens left out."""
        ...


class SentencePieces:
    """sentencepiece models for input and output (the same file for T5), </s> appended to every input."""

    def __init__(self, source: Path, target: Path, vocabulary: set[str], specials: set[str]) -> None:
        import sentencepiece as spm

        self._source = spm.SentencePieceProcessor(model_file=str(source))
        self._target = self._source if target == source else spm.SentencePieceProcessor(model_file=str(target))
        self._vocabulary = vocabulary
        self._specials = specials

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        out = []
        for pieces in self._source.encode(list(texts), out_type=str):
            out.append([p if p in self._vocabulary else UNK for p in pieces] + [EOS])
        return out

    def decode(self, pieces: Sequence[Sequence[str]]) -> list[str]:
        return [str(self._target.decode_pieces([p for p in seq if p not in self._specials])).strip() for seq in pieces]


class TokenizerFile:
    """A `tokenizers` tokenizer.json (its post-processor appends </s>)."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        # From the ids, not `tokens`: an unknown stretch of text is <unk> there, as the model reads it.
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        return [[str(self._tokenizer.id_to_token(i)) for i in e.ids] for e in encodings]

    def decode(self, pieces: Sequence[Sequence[str]]) -> list[str]:
        ids = [[i for i in (self._tokenizer.token_to_id(p) for p in seq) if i is not None] for seq in pieces]
        return [str(s).strip() for s in self._tokenizer.decode_batch(ids, skip_special_tokens=True)]


def lean_tokenizer(source: Path, config: dict[str, Any], vocabulary: list[str]) -> PieceTokenizer | None:
    """The lean tokenizer of a checkpoint folder, or None when its layout is not one of the supported ones.
    `vocabulary` is the converted model's (pieces it does not know are <unk>)."""
    family = str(config.get("model_type", ""))
    specials = _specials(source)
    if family == "marian" and (source / "source.spm").exists() and (source / "target.spm").exists():
        return SentencePieces(source / "source.spm", source / "target.spm", set(vocabulary), specials)
    if family in ("t5", "mt5"):
        if (source / "tokenizer.json").exists():
            return TokenizerFile(source / "tokenizer.json")
        if (source / "spiece.model").exists():
            return SentencePieces(source / "spiece.model", source / "spiece.model", set(vocabulary), specials)
    return None


def _specials(source: Path) -> set[str]:
    """The special tokens a checkpoint names (special_tokens_map.json, tokenizer_config.json), plus the usual."""
    found = {EOS, UNK, "<pad>", "<s>"}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        path = source / name
        if not path.exists():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for value in data.values() if isinstance(data, dict) else []:
            for item in value if isinstance(value, list) else [value]:
                content = item.get("content") if isinstance(item, dict) else item
                if isinstance(content, str) and content.startswith("<") and content.endswith(">"):
                    found.add(content)
    return found
