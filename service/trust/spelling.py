"""One spelling per person: other spellings of a known name in a translation replaced by the known form.

Machine translation writes one name several ways across sentences (Pezeshkian, Pezeshkiyan, Bezeshkian).
When the person's English form is known, `unify` replaces near spellings of its words — capitalised words
within a small edit distance of the form's words, after folding what transliterations disagree on (doubled
letters, y/i, ou/u, p/b, q/k, al-) — and the model's own spelling of the name alone, in order. It is
applied only to sentences whose Arabic names the person, so a similar name elsewhere is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ARTICLE = re.compile(r"^(?:al|el|ad|an|ar|as|at|az|ash|ath)[-‐‑ ]", re.IGNORECASE)
_FOLDS = (("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i"), ("p", "b"), ("q", "k"), ("c", "k"), ("e", "a"))
_MAX_WORD = 30  # longer "words" are no names: not compared (keeps each comparison bounded)


def _fold(word: str) -> str:
    """What transliterations of one Arabic name share: lower case, no al-, no doubled letters."""
    w = _ARTICLE.sub("", word.lower())
    w = re.sub(r"[^a-z]", "", w)
    for a, b in _FOLDS:
        w = w.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", w)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it passes `limit` (the strings are short)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


@dataclass(frozen=True)
class PersonForm:
    """A person's English form, and other spellings known to stand for it (the model's, for one)."""

    en: str
    variants: Sequence[str] = field(default_factory=tuple)

    def words(self) -> list[str]:
        return self.en.split()


def _matches(word: str, canonical: str, variants: set[str]) -> bool:
    if word == canonical or word in variants:
        return True
    if not _ARTICLE.sub("", word)[:1].isupper() or len(word) > _MAX_WORD:
        return False
    a, b = _fold(word), _fold(canonical)
    if len(b) < 3 or not a or a[0] != b[0]:
        return a == b and bool(a)
    return _distance(a, b, max(1, len(b) // 4)) <= max(1, len(b) // 4)


def unify(text: str, person: PersonForm) -> tuple[str, int]:
    """The text with every spelling of the person's name (or of a run of its words, in order) written as
    `person.en`'s words; and how many runs were rewritten. Linear in the text (times the name's words)."""
    canon = person.words()
    if not canon or not text:
        return text, 0
    variant_words: list[set[str]] = [set() for _ in canon]
    for v in person.variants:
        parts = v.split()
        if len(parts) == len(canon):
            for k, p in enumerate(parts):
                variant_words[k].add(p)
    words = list(_WORD.finditer(text))
    out: list[str] = []
    pos = 0
    changed = 0
    i = 0
    while i < len(words):
        # The longest run of consecutive words matching consecutive words of the name.
        best: tuple[int, int, int] | None = None  # (words in run, first name word, last name word)
        for start in range(len(canon)):
            n = 0
            while (
                i + n < len(words)
                and start + n < len(canon)
                and (n == 0 or not text[words[i + n - 1].end() : words[i + n].start()].strip())
                and _matches(words[i + n].group(), canon[start + n], variant_words[start + n])
            ):
                n += 1
            if n and (best is None or n > best[0]):
                best = (n, start, start + n - 1)
        if best is None:
            i += 1
            continue
        n, first, last = best
        a, b = words[i].start(), words[i + n - 1].end()
        replacement = " ".join(canon[first : last + 1])
        if text[a:b] != replacement:
            out += [text[pos:a], replacement]
            pos = b
            changed += 1
        i += n
    out.append(text[pos:])
    return "".join(out), changed
