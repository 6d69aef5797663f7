"""People, places and organisations found by a token-classification model, merged with the rules' entities.

The model finds spans; the rules give canonical forms, English names and mention counts. A model span joins
the rule entity it names (same normalised form, a known place, a surname or a part of a longer name), else
it becomes a new entity whose English is the gazetteer's or null.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol

from service.config import ModelEntry, Settings
from service.deadline import Deadline
from service.highlights.lexicon import STOP, Lexicon, Token, tokenize
from service.highlights.places import Gazetteer
from service.highlights.types import Entities, Entity
from service.models.registry import ModelRole
from service.models.token_classification import TokenClassifier, TokenClassifierSpec

Kind = Literal["person", "place", "organization"]
KINDS: tuple[Kind, ...] = ("person", "place", "organization")

# Label types of the common Arabic and multilingual NER sets (ANERcorp, CoNLL, OntoNotes); MISC is ignored.
LABEL_KINDS: dict[str, Kind] = {
    "PERS": "person",
    "PER": "person",
    "PERSON": "person",
    "LOC": "place",
    "GPE": "place",
    "ORG": "organization",
}
# Arabic diacritics (harakat, tanween, shadda, sukun, Quranic marks): Arabic NER vocabularies such as
# CAMeLBERT's are built from undiacritised text, so a word carrying one would be a single [UNK].
ARABIC_DIACRITICS = "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"
# Longest name (in words) whose parts are compared; longer spans are compared whole only.
_MAX_PARTS = 8


class Span(NamedTuple):
    """An entity the model found in one sentence: characters [start, end) of that sentence."""

    start: int
    end: int
    kind: Kind
    score: float


class EntityRecognizer(Protocol):
    """A model that finds people, places and organisations in sentences."""

    @property
    def identity(self) -> str:
        """Changes whenever the recognizer's output may change (checkpoint, revision, window)."""
        ...

    def recognize(self, sentences: Sequence[str], deadline: Deadline | None = None) -> list[list[Span]]:
        """One list of spans per sentence, in order."""
        ...


class ModelEntityFinder:
    """EntityRecognizer over any token-classification checkpoint with PERS/LOC/ORG-style labels."""

    def __init__(self, classifier: TokenClassifier) -> None:
        self.classifier = classifier

    @classmethod
    def load(cls, spec: TokenClassifierSpec, threads: int) -> ModelEntityFinder:
        """Load the checkpoint (local cache or folder only) and wrap it; diacritics are dropped before
        tokenizing (offsets still index the sentence as given)."""
        return cls(TokenClassifier(spec, threads, remove=ARABIC_DIACRITICS))

    @property
    def identity(self) -> str:
        """The checkpoint's identity (model id and commit, or folder fingerprint) and window size."""
        return self.classifier.identity

    def recognize(self, sentences: Sequence[str], deadline: Deadline | None = None) -> list[list[Span]]:
        """Spans of people, places and organisations per sentence; other labels (MISC) are dropped."""
        out = []
        for spans in self.classifier.classify(sentences, deadline):
            kept = []
            for s in spans:
                kind = LABEL_KINDS.get(s.label.upper())
                if kind is not None:
                    kept.append(Span(s.start, s.end, kind, s.score))
            out.append(kept)
        return out


def _key(tok: Token) -> str:
    """A word as names are compared: normalised, a clitic glued to a definite word and the article off."""
    return tok.bare.removeprefix("ال")


def _parts(key: tuple[str, ...], min_len: int) -> list[tuple[str, ...]]:
    """Contiguous runs of at least min_len words (bounded: names are short)."""
    n = len(key)
    if n > _MAX_PARTS:
        return [key]
    return [key[i:j] for i in range(n) for j in range(i + min_len, n + 1)]


@dataclass
class _Slot:
    entity: Entity
    from_rules: bool
    forms: dict[str, None] = field(default_factory=dict)  # ordered set of surface forms
    words: set[str] = field(default_factory=set)  # every normalised word of its names


@dataclass
class _Index:
    """Where a normalised name points, per kind; -1 marks a key two entities share (never merged on)."""

    exact: dict[tuple[Kind, tuple[str, ...]], int] = field(default_factory=dict)
    parts: dict[tuple[Kind, tuple[str, ...]], int] = field(default_factory=dict)
    surname: dict[str, int] = field(default_factory=dict)
    word: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _put(table: dict[tuple[Kind, tuple[str, ...]], int], key: tuple[Kind, tuple[str, ...]], i: int) -> None:
        if table.setdefault(key, i) != i:
            table[key] = -1

    def add(self, kind: Kind, key: tuple[str, ...], i: int) -> None:
        if not key:
            return
        self._put(self.exact, (kind, key), i)
        if kind == "place":
            return
        for part in _parts(key, 2):
            self._put(self.parts, (kind, part), i)
        if kind == "person":
            if self.surname.setdefault(key[-1], i) != i:
                self.surname[key[-1]] = -1
            for w in key:
                if self.word.setdefault(w, i) != i:
                    self.word[w] = -1


class _Merger:
    def __init__(self, rules: Entities, lexicon: Lexicon, gazetteer: Gazetteer) -> None:
        self.lex = lexicon
        self.gaz = gazetteer
        self.slots: dict[Kind, list[_Slot]] = {k: [] for k in KINDS}
        self.index = _Index()
        self.kind_of: dict[tuple[str, ...], Kind] = {}  # which kind the rules gave a form (first wins)
        for kind, entities in zip(KINDS, (rules.people, rules.places, rules.organizations), strict=True):
            for e in entities:
                slot = _Slot(
                    Entity(e.ar, e.en, list(e.surface_forms), e.mentions), True, dict.fromkeys(e.surface_forms)
                )
                self.slots[kind].append(slot)
                for form in (e.ar, *e.surface_forms):
                    key = tuple(_key(t) for t in tokenize(form) if t.is_word)
                    self.index.add(kind, key, len(self.slots[kind]) - 1)
                    slot.words.update(key)
                    self.kind_of.setdefault(key, kind)

    def find(self, kind: Kind, key: tuple[str, ...]) -> tuple[int, bool]:
        """The slot this name joins (-1: none), and whether only a known name inside the span matched."""
        ix = self.index
        hit = ix.exact.get((kind, key), -1)
        if hit >= 0 or kind == "place":
            return hit, False
        hit = ix.parts.get((kind, key), -1)  # a part of a known name: منظمة الصحة in منظمة الصحة العالمية
        if hit < 0 and kind == "person":
            hit = ix.surname.get(key[-1], -1)  # the rules key people by surname,
            known = self.slots[kind][hit].words if hit >= 0 else set()
            if len(key) > 1 and len(known) > 1 and key[0] not in known:
                hit = -1  # but حافظ الأسد is not بشار الأسد (a surname alone joins a full name)
            if hit < 0 and len(key) == 1:
                hit = ix.word.get(key[0], -1)
        if hit < 0 and len(key) <= _MAX_PARTS:
            # A known name inside the span: the model took a longer run (منظمة الصحة العالمية في جنيف).
            for part in _parts(key, 2 if kind == "person" else 1):
                if part != key and (got := ix.exact.get((kind, part), -1)) >= 0:
                    return got, True
        return hit, False

    def add(self, kind: Kind, surface: str) -> None:
        """Merge one mention (its surface form, clitic and titles already off) or start a new entity."""
        toks = [t for t in tokenize(surface) if t.is_word]
        key = tuple(_key(t) for t in toks)
        if not key:
            return
        other = self.kind_of.get(key)
        if other is not None and other != kind:
            return  # the rules named this as another kind: they win
        canonical, en = surface, None
        if kind == "place" and (found := self._place(toks)):
            canonical, en = found
            key = tuple(_key(t) for t in tokenize(canonical) if t.is_word)
        elif kind == "organization":
            known = self.lex.organization_names.get(tuple([toks[0].bare, *(t.norm for t in toks[1:])]))
            if known:
                canonical = known
        i, inside = self.find(kind, key)
        if inside:
            return  # the entity's own form is already there; the longer run is not a name of it
        if i < 0:
            self.slots[kind].append(_Slot(Entity(canonical, en, [], 0), False))
            i = len(self.slots[kind]) - 1
            self.kind_of.setdefault(key, kind)
        slot = self.slots[kind][i]
        if not slot.from_rules:
            # Mentions the rules counted are not counted again; the model's own entities count its spans.
            slot.entity.mentions += 1
            if kind == "person" and len(surface.split()) > len(slot.entity.ar.split()):
                slot.entity.ar = surface  # the fullest name seen, as the rules do
        slot.forms.setdefault(surface, None)
        slot.words.update(key)
        self.index.add(kind, key, i)

    def _place(self, toks: Sequence[Token]) -> tuple[str, str] | None:
        rest = [t.norm for t in toks[1:]]
        for first in toks[0].variants:
            if place := self.gaz.place([first, *rest]):
                return place.ar, place.en
        return None

    def result(self) -> Entities:
        def done(kind: Kind) -> list[Entity]:
            out = []
            for slot in self.slots[kind]:
                slot.entity.surface_forms = list(slot.forms)
                out.append(slot.entity)
            return out

        return Entities(done("person"), done("place"), done("organization"))


def _strip(toks: list[Token], kind: Kind, article_words: set[str], merger: _Merger) -> tuple[list[Token], str]:
    """The span's words without leading titles (people) and the surface of its first word without a clitic.

    A clitic glued to a definite word always goes (والرئاسة → الرئاسة). One glued to an indefinite word goes
    only with evidence, since بسام and وليد are names: the bare word appears alone in the article, is a known
    place, given name or name part, or its removal names a known place."""
    if kind == "person":
        # Titles and their complements (وزير الخارجية السوري), as the rules skip them before a name.
        lead, titled = 0, False
        while lead < len(toks) - 1:
            tok = toks[lead]
            if any(v in merger.lex.titles for v in tok.variants):
                titled = True
            elif not (
                merger.gaz.adjective(tok.norm) is not None
                or (titled and tok.bare.startswith("ال") and tok.light not in merger.lex.given_names)
            ):
                break
            lead += 1
        toks = toks[lead:]
    first = toks[0]
    if first.bare != first.norm:
        return toks, first.surface_bare
    if first.norm[:1] in "وفبلك" and len(first.norm) > 3:
        rest = first.norm[1:]
        known = (
            rest in article_words
            or rest in merger.index.word
            or first.light[1:] in merger.lex.given_names
            or merger.gaz.place([rest, *(t.norm for t in toks[1:])]) is not None
        )
        if known:
            return toks, first.surface_for(rest)
    return toks, first.surface


def merge_model_spans(
    rules: Entities,
    spans: Sequence[Sequence[Span]],
    sentences: Sequence[str],
    tokens: Sequence[Sequence[Token]],
    lexicon: Lexicon,
    gazetteer: Gazetteer,
    min_score: float = 0.5,
) -> Entities:
    """The rules' entities with the model's spans merged in; the input is not changed.

    `sentences`, `tokens` (the rules' tokens of each sentence) and `spans` are parallel, one entry per
    sentence. Rule entities keep their order, canonical form, English and mention count (the model's
    surface forms are added); new entities follow in order of first mention, with English from the
    gazetteer for places and null otherwise. Spans below min_score are ignored."""
    if not (len(spans) == len(sentences) == len(tokens)):
        raise ValueError(f"spans ({len(spans)}), sentences ({len(sentences)}), tokens ({len(tokens)}) differ")
    merger = _Merger(rules, lexicon, gazetteer)
    # Every word form the article uses, for the clitic evidence (a bare word seen alone).
    article_words = {t.norm for toks in tokens for t in toks if t.is_word}
    for text, toks, found in zip(sentences, tokens, spans, strict=True):
        j = 0  # tokens and spans both run left to right: one pass over each
        for span in sorted(found, key=lambda s: s.start):
            if span.score < min_score:
                continue
            while j < len(toks) and toks[j].end <= span.start:
                j += 1
            k = j
            words: list[Token] = []
            while k < len(toks) and toks[k].start < span.end:
                if toks[k].is_word:
                    words.append(toks[k])
                k += 1
            # Punctuation and stopwords at the edges are not part of a name.
            while words and words[-1].norm in STOP:
                words.pop()
            lead = 0
            while lead < len(words) and words[lead].norm in STOP:
                lead += 1
            words = words[lead:]
            if not words:
                continue
            words, first_surface = _strip(words, span.kind, article_words, merger)
            merger.add(span.kind, first_surface + text[words[0].end : words[-1].end])
    return merger.result()


def load_entity_finder(entry: ModelEntry, settings: Settings) -> EntityRecognizer:
    """The `entities` role's loader: a token-classification checkpoint from the local cache or a folder."""
    spec = TokenClassifierSpec(entry.model, entry.revision, entry.licence, entry.max_input_tokens, entry.batch_size)
    return ModelEntityFinder.load(spec, settings.models.threads_for(entry))


# People, places and organisations found by a model and merged with the rules'; without it the rules run alone.
ENTITIES_ROLE: ModelRole[EntityRecognizer] = ModelRole("entities", "model entity recognition", load_entity_finder)
