"""The newsroom glossary: fixed English forms of names and terms, found in Arabic through their forms.

Matching is on normalised tokens (diacritics and tatweel stripped, alef / ya / ta marbuta unified) through a
token trie, longest entry first, with a glued clitic (و ف ب ل ك, وال بال لل ...) allowed on the first word:
linear in the text. Translations keep the English form verbatim: see `translate_with_glossary`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from service.text.arabic import ARABIC_LETTER, normalize

EntryKind = Literal["person", "place", "organization", "term"]
MAX_ENTRIES = 5_000
MAX_TERM_WORDS = 12

_WORD = re.compile(r"[\w\u0621-\u065f\u0670-\u06d3]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# normalize() drops these (diacritics, tatweel) and maps every other character to one character.
_DROPPED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# A definite word with a clitic glued on: the entry's ال stays, the clitic's letters go.
_DEFINITE_CLITICS = ("وبال", "وكال", "وال", "بال", "كال", "فال")
_LAM_CLITICS = ("ولل", "فلل", "لل")  # ل + ال is written لل
_CLITIC_PAIRS = ("وب", "ول", "وك", "فب", "فل", "فك")


class GlossaryError(ValueError):
    """The glossary cannot be used as given; the message names the entry."""


class GlossaryEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One fixed form: the Arabic as the desk writes it and the English it must read."""

    ar: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    en: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: EntryKind = "term"
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None

    def __post_init__(self) -> None:
        # Also runs for entries made in Python, where msgspec does not check the Meta bounds.
        ar, en = " ".join(self.ar.split()), " ".join(self.en.split())
        msgspec.structs.force_setattr(self, "ar", ar)
        msgspec.structs.force_setattr(self, "en", en)
        if not ar or len(ar) > 200 or not ARABIC_LETTER.search(ar):
            raise ValueError("`ar` must be 1 to 200 characters of Arabic text")
        if len(_WORD.findall(normalize(ar))) > MAX_TERM_WORDS:
            raise ValueError(f"`ar` may have at most {MAX_TERM_WORDS} words")
        if not en or len(en) > 200 or _CONTROL.search(en) or ARABIC_LETTER.search(en):
            raise ValueError("`en` must be 1 to 200 characters of English text")
        if self.note is not None and (len(self.note) > 500 or _CONTROL.search(self.note.replace("\n", " "))):
            raise ValueError("`note` may have at most 500 characters, and no control characters")

    @property
    def key(self) -> tuple[str, ...]:
        """The normalised words the entry is matched by."""
        return tuple(_WORD.findall(normalize(self.ar)))


@dataclass(frozen=True)
class Match:
    """Where an entry is named in a text: the term's span, and the span with its glued clitic."""

    start: int
    end: int
    token_start: int  # before a glued clitic (وبزشكيان: at و); equals start without one
    entry: GlossaryEntry


def _variants(norm: str) -> list[tuple[str, int]]:
    """Readings of a normalised first word: (reading, letters of clitic taken off), most literal first."""
    out = [(norm, 0)]
    for p in _DEFINITE_CLITICS:
        if norm.startswith(p) and len(norm) - len(p) >= 2:
            out.append(("ال" + norm[len(p) :], len(p) - 2))
            break
    for p in _LAM_CLITICS:
        if norm.startswith(p) and len(norm) - len(p) >= 2:
            out.append(("ال" + norm[len(p) :], len(p) - 1))
            break
    if norm[:2] in _CLITIC_PAIRS and len(norm) >= 4:
        out.append((norm[2:], 2))
    if norm[:1] in "وفبلك" and len(norm) >= 3:
        out.append((norm[1:], 1))
    return out


def _skip_letters(surface: str, letters: int) -> int:
    """Index in `surface` after its first `letters` letters (diacritics and tatweel do not count)."""
    seen = 0
    for i, ch in enumerate(surface):
        if seen == letters:
            return i
        if not _DROPPED.match(ch):
            seen += 1
    return len(surface)


_END = ""  # trie key holding the entry that ends at a node (no word is empty)
Trie = dict[str, "Trie | GlossaryEntry"]


class Glossary:
    """Entries by their normalised Arabic (a later entry with the same Arabic replaces an earlier one)."""

    def __init__(self, entries: Iterable[GlossaryEntry], max_entries: int = MAX_ENTRIES) -> None:
        by_key: dict[tuple[str, ...], GlossaryEntry] = {}
        for entry in entries:
            key = entry.key
            by_key.pop(key, None)  # the later entry also takes the later place
            by_key[key] = entry
            if len(by_key) > max_entries:
                raise GlossaryError(f"a glossary may hold at most {max_entries} entries")
        self.entries: tuple[GlossaryEntry, ...] = tuple(by_key.values())
        canonical = sorted(msgspec.json.encode(e) for e in self.entries)
        self.version = hashlib.sha256(b"\n".join(canonical)).hexdigest()[:12]
        self._trie: Trie = {}
        self._surnames: dict[str, list[GlossaryEntry]] = {}
        for key, entry in by_key.items():
            node = self._trie
            for word in key:
                child = node.setdefault(word, {})
                assert isinstance(child, dict)
                node = child
            node[_END] = entry
            if entry.kind == "person":
                self._surnames.setdefault(key[-1].removeprefix("ال"), []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def _longest(self, norms: Sequence[str], i: int, joined: Sequence[bool]) -> tuple[int, int, GlossaryEntry] | None:
        """Longest entry starting at word i: (words, clitic letters, entry). Bounded by MAX_TERM_WORDS."""
        best: tuple[int, int, GlossaryEntry] | None = None
        for reading, clitic in _variants(norms[i]):
            node = self._trie.get(reading)
            j = i + 1
            while isinstance(node, dict):
                entry = node.get(_END)
                if isinstance(entry, GlossaryEntry) and (best is None or j - i > best[0]):
                    best = (j - i, clitic, entry)
                if j >= len(norms) or not joined[j]:
                    break
                node = node.get(norms[j])
                j += 1
        return best

    def find(self, text: str) -> list[Match]:
        """Every entry named in the text, left to right, longest first, never overlapping."""
        words = list(_WORD.finditer(text))
        norms = [normalize(m.group()) for m in words]
        # A name runs over spaces only: «الحشد، الشعبي» is not «الحشد الشعبي».
        joined = [k > 0 and not text[words[k - 1].end() : words[k].start()].strip() for k in range(len(words))]
        out: list[Match] = []
        i = 0
        while i < len(words):
            hit = self._longest(norms, i, joined) if norms[i] else None
            if hit is None:
                i += 1
                continue
            n, clitic, entry = hit
            first = words[i]
            start = first.start() + _skip_letters(first.group(), clitic)
            out.append(Match(start, words[i + n - 1].end(), first.start(), entry))
            i += n
        return out

    def english_for(self, ar: str) -> str | None:
        """The glossary's English for an entity's Arabic name (see `entry_for`)."""
        entry = self.entry_for(ar)
        return entry.en if entry is not None else None

    def entry_for(self, ar: str) -> GlossaryEntry | None:
        """The entry for an entity's Arabic name (clitics and spelling variants allowed); a person also by
        part of the name ending in the surname (بزشكيان, مسعود بزشكيان for the entry مسعود بزشكيان) when
        only one person entry has that surname."""
        norms = [normalize(w) for w in _WORD.findall(ar)]
        if not norms:
            return None
        hit = self._longest(norms, 0, [True] * len(norms))
        if hit is not None and hit[0] == len(norms):
            return hit[2]
        people = self._surnames.get(norms[-1].removeprefix("ال"), [])
        if len(people) == 1:
            words = {w.removeprefix("ال") for w in people[0].key}
            if all(w.removeprefix("ال") in words for w in norms):
                return people[0]
        return None


class Slot(msgspec.Struct, frozen=True):
    """A protected term: the Arabic it replaced, the English that must appear, the marker put in its place."""

    ar: str
    en: str
    marker: str


ProtectMode = Literal["inline", "placeholder"]


def protect(text: str, glossary: Glossary, mode: ProtectMode = "inline") -> tuple[str, list[Slot]]:
    """The text with each glossary term replaced, and the slots to restore.

    "inline" puts the English form itself in the Arabic (Marian / sentencepiece models mostly copy Latin
    spans); "placeholder" puts ⟦0⟧, ⟦1⟧ ... (shorter, but sentencepiece vocabularies often lack the marks:
    the tiny test tokenizer reads every placeholder form tried as <unk>).
    """
    matches = glossary.find(text)
    parts: list[str] = []
    slots: list[Slot] = []
    pos = 0
    for k, m in enumerate(matches):
        marker = m.entry.en if mode == "inline" else f"⟦{k}⟧"
        # A clitic glued to the term (وبالحشد) stays Arabic; a space keeps it off the marker's first letter.
        parts += [text[pos : m.start] + (" " if m.start > m.token_start else ""), marker]
        slots.append(Slot(text[m.start : m.end], m.entry.en, marker))
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts), slots


def restore(translation: str, slots: Sequence[Slot]) -> str:
    """The translation with placeholders put back as English forms (also when the model spaced or
    re-bracketed them: ⟦ 0 ⟧, [0]); inline slots need nothing."""
    for k, slot in enumerate(slots):
        if slot.marker == slot.en:
            continue
        # A function as replacement: the English form is inserted literally (no backslash escapes).
        translation = re.sub(rf"[⟦\[]\s*{k}\s*[⟧\]]", _literal(slot.en), translation)
    return translation


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: text


def missing(translation: str, slots: Sequence[Slot]) -> list[Slot]:
    """Slots whose English form is not in the translation verbatim."""
    return [s for s in slots if s.en not in translation]


class GlossedText(msgspec.Struct):
    """One translation with the glossary applied, and how."""

    text: str
    applied: list[GlossaryEntry]
    method: Literal["none", "protected", "split"]  # split: the model lost a term, so it was translated around


def translate_with_glossary(
    texts: Sequence[str],
    glossary: Glossary,
    translate: Callable[[list[str]], list[str]],
    mode: ProtectMode = "inline",
) -> list[GlossedText]:
    """Translate with every glossary term's English form verbatim in the output of each text naming it.

    Texts without a term go to `translate` unchanged (so they translate exactly as without a glossary). Texts
    with terms go protected (see `protect`); when the model drops or garbles an English form, the text is cut
    at its terms, the Arabic pieces are translated, and the English forms are put between them. The
    guarantee comes from this code, not from the model: at most two `translate` calls, each one batch.
    """
    found = [glossary.find(t) for t in texts]
    first = [protect(t, glossary, mode) if m else (t, []) for t, m in zip(texts, found, strict=True)]
    outputs = translate([p for p, _ in first])
    if len(outputs) != len(texts):
        raise ValueError(f"translate returned {len(outputs)} texts for {len(texts)}")
    results: list[GlossedText] = []
    retry: list[int] = []
    for k, ((_, slots), out) in enumerate(zip(first, outputs, strict=True)):
        applied = list(dict.fromkeys(m.entry for m in found[k]))
        if not slots:
            results.append(GlossedText(out, [], "none"))
            continue
        restored = restore(out, slots)
        results.append(GlossedText(restored, applied, "protected"))
        if missing(restored, slots):
            retry.append(k)
    if not retry:
        return results
    # Around the terms: pieces of Arabic between them (a glued clitic goes with the term).
    plans: dict[int, list[tuple[str, bool]]] = {}
    pieces: list[str] = []
    for k in retry:
        text, plan, pos = texts[k], [], 0
        for m in found[k]:
            plan += [(text[pos : m.token_start], False), (m.entry.en, True)]
            pos = m.end
        plan.append((text[pos:], False))
        plans[k] = plan
        pieces += [p for p, is_en in plan if not is_en and _WORD.search(p)]
    unique = list(dict.fromkeys(pieces))
    translated = dict(zip(unique, translate(unique), strict=True)) if unique else {}
    for k, plan in plans.items():
        words = [p if is_en else translated.get(p, p.strip()) for p, is_en in plan]
        results[k] = GlossedText(" ".join(w.strip() for w in words if w.strip()), results[k].applied, "split")
    return results


class _GlossaryFile(msgspec.Struct, forbid_unknown_fields=True):
    entries: list[GlossaryEntry] = msgspec.field(default_factory=list)


def load_glossary_file(path: Path) -> list[GlossaryEntry]:
    """Entries of a glossary TOML file (`[[entries]]` tables); a missing file is an empty glossary."""
    if not path.exists():
        return []
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
        entries = msgspec.convert(data, _GlossaryFile).entries
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise GlossaryError(f"{path}: {exc}") from None
    if len(entries) > MAX_ENTRIES:
        raise GlossaryError(f"{path}: at most {MAX_ENTRIES} entries, found {len(entries)}")
    return entries
