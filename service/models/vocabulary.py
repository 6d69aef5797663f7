"""A restricted output vocabulary for a model that writes one script: CTranslate2's vocabulary map.

A multilingual checkpoint such as mT5 has 250,112 output pieces, and every decoding step of every beam
multiplies by the whole output matrix, although an Arabic summary uses a small share of them. CTranslate2
reads `vmap.txt` next to a converted model and, with `use_vmap=True`, scores only the listed pieces (plus
its own unk/bos/eos). A line whose source side is empty lists pieces that are always candidates; that is the
only kind of line written here, so the restriction is the same for every input.

The rule, piece by piece (the leading "▁" word marker aside):
  - kept: pieces made only of Arabic-script letters and marks, digits, punctuation and common symbols
    (any mix of them), and the bare word marker;
  - kept: Latin pieces that Arabic news needs for names and acronyms: ASCII-only pieces of at most three
    characters (so any Latin word can still be spelled, piece by piece) and ASCII pieces with no lower-case
    letter (BBC, NATO, COVID, F-16);
  - kept: every special token of the tokenizer and the model's decoder start token;
  - dropped: everything else (other scripts, long lower-case Latin pieces, emoji).
Every single character of the kept scripts stays, so any Arabic, digit or ASCII text remains writable;
what is lost is other scripts entirely and the shortcuts of long Latin pieces.

The same idea for a model that writes English (the translation role, `vocabulary_map_script = "latin"`):
kept are pieces made only of Latin letters (accented ones too), digits, punctuation and symbols, the bare
word marker and every special token; dropped are Arabic-script pieces (half of a joint Arabic-English
vocabulary such as opus-mt-ar-en's) and other scripts. An English translation that would have copied Arabic
script writes Latin pieces instead.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

Script = Literal["arabic", "latin"]  # the script the model writes: which pieces its map keeps
VMAP_FILE = "vmap.txt"  # the name CTranslate2 looks for in the model folder
WORD_MARKER = "▁"
LATIN_SHORT = 3  # ASCII pieces up to this many characters are kept: the building blocks of any Latin word

# Arabic, Arabic Supplement, Arabic Extended-B and -A, Presentation Forms A and B.
_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_JOINERS = {"\u200c", "\u200d"}  # zero-width (non-)joiners occur inside Arabic-script words


def _is_arabic_script(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _ARABIC_BLOCKS) or ch in _JOINERS


def _is_digit_or_punct(ch: str) -> bool:
    """ASCII digits, punctuation and symbols outside the CJK and emoji planes («», “”, –, %, $, €, ...)."""
    if "0" <= ch <= "9":
        return True
    category = unicodedata.category(ch)
    return category[0] in "PS" and ord(ch) < 0x2E80


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and (ch.isascii() or unicodedata.name(ch, "").startswith("LATIN "))


def keep_piece(piece: str, script: Script = "arabic") -> bool:
    """Whether an output piece stays in the vocabulary map of a model writing `script` (see the module's rule)."""
    text = piece.removeprefix(WORD_MARKER)
    if not text:
        return True
    if script == "latin":
        return all(_is_latin_letter(ch) or _is_digit_or_punct(ch) for ch in text)
    if all(_is_arabic_script(ch) or _is_digit_or_punct(ch) for ch in text):
        return True
    if text.isascii() and all(ch.isalnum() or _is_digit_or_punct(ch) for ch in text):
        return len(text) <= LATIN_SHORT or not any(ch.islower() for ch in text)
    return False


def kept_vocabulary(vocabulary: Iterable[str], specials: Iterable[str], script: Script = "arabic") -> list[str]:
    """The pieces of `vocabulary` to keep, in vocabulary order, special tokens included wherever they are.
    Pieces that a map line cannot hold (with a space, tab or line break) are left out."""
    always = set(specials)
    return [p for p in vocabulary if (p in always or keep_piece(p, script)) and not any(c in p for c in " \t\n\r")]


def target_vocabulary(converted: Path) -> list[str]:
    """The output pieces of a converted CTranslate2 model, in id order (its own vocabulary file)."""
    return model_vocabulary(converted, "target")


def model_vocabulary(converted: Path, side: str) -> list[str]:
    """The input ("source") or output ("target") pieces of a converted CTranslate2 model, in id order."""
    for name in (f"{side}_vocabulary", "shared_vocabulary", "vocabulary"):
        path = converted / f"{name}.json"
        if path.exists():
            tokens = json.loads(path.read_text(encoding="utf-8"))
            return [str(t) for t in tokens]
        path = converted / f"{name}.txt"
        if path.exists():
            return path.read_text(encoding="utf-8").split("\n")
    raise FileNotFoundError(f"{converted} holds no CTranslate2 vocabulary file")


def write_vocabulary_map(converted: Path, specials: Iterable[str], script: Script = "arabic") -> tuple[int, int]:
    """Write vmap.txt into a converted model's folder (unless it holds that map already); returns (pieces
    kept, vocabulary size)."""
    vocabulary = target_vocabulary(converted)
    config = converted / "config.json"
    extra = []
    if config.exists():
        data = json.loads(config.read_text(encoding="utf-8"))
        extra = [str(data[k]) for k in ("decoder_start_token", "bos_token", "eos_token", "unk_token") if data.get(k)]
    kept = kept_vocabulary(vocabulary, [*specials, *extra], script)
    text = "\t" + " ".join(kept) + "\n"
    path = converted / VMAP_FILE
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return len(kept), len(vocabulary)
    tmp = converted / (VMAP_FILE + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never a half-written map for a process loading the model
    return len(kept), len(vocabulary)


def vocabulary_map_identity(converted: Path) -> str | None:
    """A short fingerprint of the map in a converted model's folder, or None when it has none."""
    path = converted / VMAP_FILE
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]
