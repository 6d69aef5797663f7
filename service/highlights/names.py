"""Attested Arabic personal names (arabic-name-romanizer's Wikidata index) and their Latin spellings.

The index gives ~9,000 given names and ~23,000 surnames with how often each is attested; the rules use it
to tell a name from a word, and its dictionary to write people's names in English. A spelling the
dictionary does not attest is never invented: the English name is then null.
"""

from __future__ import annotations

import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

from service.text.arabic import normalize
from service.text.resources import read_bytes, record_package

MIN_GIVEN = 3  # attested at least this often as a given name (rarer entries are mostly noise)
MIN_SURNAME = 2
NEVER_NAME = 3  # a word attested fewer times than this as a name part is no name unit
FREQUENT_GIVEN = 20


def index_path() -> Path:
    """Where the romanizer's SQLite index is installed."""
    import arabic_name_romanizer  # type: ignore[import-untyped]

    return Path(arabic_name_romanizer.__file__).parent / "resources" / "names.sqlite3"


class NameIndex:
    """Given names and surnames (normalised), the common-word given names, and a dictionary romaniser."""

    def __init__(
        self,
        given: frozenset[str],
        surnames: frozenset[str],
        common_given: frozenset[str],
        given_counts: dict[str, int] | None = None,
        words: dict[str, int] | None = None,
    ) -> None:
        self.given = given
        # Frequent words with a paradigm that are rarely or never names (generated config/words_not_names.txt).
        self.words = words or {}
        self.given_counts = given_counts or {}
        self.surnames = surnames
        self.common_given = common_given
        self._translit: object | None = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, common_file: Path | None = None, words_file: Path | None = None) -> NameIndex:
        """Read the index once per process (cached); `common_file` lists common-word given names, `words_file`
        the frequent words that are no names."""
        return _load(common_file, words_file)

    @classmethod
    def empty(cls) -> NameIndex:
        """An index that knows no names (the rules then rely on titles and config/names.toml)."""
        return cls(frozenset(), frozenset(), frozenset())

    def is_given(self, norm: str) -> bool:
        """A normalised word attested as a given name."""
        return norm in self.given

    def is_frequent_given(self, norm: str) -> bool:
        """A given name attested often (≥ 20 times): عبد، سامر — not a stray entry such as آفاق."""
        return self.given_counts.get(norm, 0) >= FREQUENT_GIVEN

    def is_surname(self, norm: str) -> bool:
        """A normalised word attested as a surname (with or without ال)."""
        return norm in self.surnames or norm.removeprefix("ال") in self.surnames

    def is_word(self, norm: str) -> bool:
        """A frequent word that inflects (عدم، ينفي، حكومي) and no attested name uses."""
        return self.words.get(norm, NEVER_NAME) < NEVER_NAME

    def is_mostly_word(self, norm: str) -> bool:
        """A frequent word that inflects and only a few names use (أمام، الدوري): no name on its own."""
        return norm in self.words

    def is_unit(self, norm: str) -> bool:
        """A normalised word attested as any part of a name."""
        return self.is_given(norm) or self.is_surname(norm)

    def english(self, name: str) -> str | None:
        """The attested Latin spelling of a name (every part from the dictionary), else None."""
        if not self.given:
            return None
        with self._lock:
            if self._translit is None:
                from arabic_name_romanizer import Transliterator

                # No ONNX model and no letter rules: a spelling nobody attested is a guess, not a name.
                self._translit = Transliterator(auto_load_model=False, use_rules_fallback=False)
            cands = self._translit.transliterate(name, top_k=2)  # type: ignore[attr-defined]
        if not cands:
            return None
        best = cands[0]
        if best.source not in ("dictionary", "user"):
            return None
        if any(u.source not in ("dictionary", "user") for u in best.units):
            return None
        text: str = best.text
        return text or None


def _lines(path: Path | None) -> frozenset[str]:
    if path is None or not path.exists():
        return frozenset()
    return frozenset(w for w in read_bytes(path).decode("utf-8").splitlines() if w and not w.startswith("#"))


@lru_cache(maxsize=2)
def _load(common_file: Path | None, words_file: Path | None = None) -> NameIndex:
    record_package("arabic-name-romanizer")  # its name index is rule data too
    path = index_path()
    if not path.exists():
        return NameIndex.empty()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT arabic_key, role, SUM(count) FROM units"
            " WHERE role IN ('given', 'surname') GROUP BY arabic_key, role"
        ).fetchall()
    counts: dict[str, int] = {}
    for k, role, n in rows:
        if role == "given":
            key = normalize(k.split()[0])
            counts[key] = counts.get(key, 0) + int(n)
    given = {normalize(k) for k, role, n in rows if role == "given" and n >= MIN_GIVEN and " " not in k}
    # عبد الله، أبو بكر: one unit of two words in the index; the first word starts a name.
    given |= {normalize(k.split()[0]) for k, role, n in rows if role == "given" and n >= MIN_GIVEN and " " in k}
    surnames = {normalize(k).removeprefix("ال") for k, role, n in rows if role == "surname" and n >= MIN_SURNAME}
    surnames_one_word = frozenset(s for s in surnames if " " not in s)
    words = {w: int(n) for w, _, n in (line.partition("\t") for line in _lines(words_file)) if n.isdigit()}
    return NameIndex(frozenset(given), surnames_one_word, _lines(common_file), counts, words)
