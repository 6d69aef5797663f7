"""Faithfulness: people, places, organisations, figures and quotations a summary states but the article lacks.

Abstractive models trained on XL-Sum add facts the article does not contain (the BBC summaries they learned
from often did). `check` finds the summary's candidates with the highlight rules and looks each up in the
article's forms: normalised spelling, glued clitics, ال, alef/ya/ta-marbuta variants; figures by value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import msgspec

from service.config import HOME
from service.highlights.entities import EntityFinder
from service.highlights.lexicon import Lexicon, Token, tokenize
from service.highlights.names import NameIndex
from service.highlights.places import Gazetteer
from service.highlights.types import Entities
from service.text.arabic import normalize
from service.text.segment import quote_spans
from service.trust.numbers import Amount, find_amounts
from service.trust.provenance import split_summary

UnsupportedKind = Literal["person", "place", "organization", "figure", "quote"]
Policy = Literal["flag", "drop_sentence", "extractive"]

# Recommended default for `summary.on_unsupported`: see apply_policy.
DEFAULT_POLICY: Policy = "drop_sentence"

_DATE_WORDS = frozenset(
    normalize(w)
    for w in (
        "الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت يناير فبراير مارس أبريل إبريل مايو يونيو "
        "يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر جانفي فيفري أفريل ماي جوان جويلية أوت شباط آذار نيسان أيار "
        "حزيران تموز آب أيلول"
    ).split()
)
_LONG_VOWELS = re.compile("[اوي]")
_PUNCT = re.compile(r"[^\w\s]")
_ELLIPSIS = re.compile(r"\.{2,}|…")


class Unsupported(msgspec.Struct, frozen=True):
    """A fact the summary states that the article does not contain."""

    text: str  # as the summary writes it
    kind: UnsupportedKind
    sentence: int  # index of the summary sentence (split_summary order)


def _keys(tok: Token) -> frozenset[str]:
    """Readings of a token for lookup: clitic on or off, ال on or off (صباغ = الصباغ = وللصباغ)."""
    return frozenset(v.removeprefix("ال") for v in (*tok.variants, tok.bare) if v)


def _skeleton(key: str) -> str:
    """A name without inner long vowels: transliterations differ there (بزشكيان / بيزشكيان)."""
    return key[:1] + _LONG_VOWELS.sub("", key[1:])


def _quote_key(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", normalize(text)).split())


@dataclass(frozen=True)
class ArticleFacts:
    """What an article says, indexed for the check; build once per article, check any number of summaries."""

    keys: list[frozenset[str]]  # per word token, an empty set between sentences
    positions: dict[str, list[int]]
    skeletons: frozenset[str]
    given_names: frozenset[str]
    places: frozenset[str]  # canonical Arabic names (gazetteer), and countries its nationality adjectives name
    organizations: frozenset[str]  # normalised canonical names
    amounts: list[Amount]
    quote_text: str  # normalised, no punctuation: where quotations are looked for
    # Name words of the article's people, and their skeletons: «مسعود بيزشكيان» is «مسعود بزشكيان».
    person_words: frozenset[str] = frozenset()
    names: NameIndex = field(default_factory=NameIndex.empty)

    @classmethod
    def build(
        cls,
        sentences: Sequence[str],
        lexicon: Lexicon | None = None,
        gazetteer: Gazetteer | None = None,
        entities: Entities | None = None,
    ) -> ArticleFacts:
        """Index the article (title first if it has one); pass the highlights' entities to skip finding them."""
        lexicon, gazetteer = _resources(lexicon, gazetteer)
        tokens = [tokenize(s) for s in sentences]
        if entities is None:
            finder = EntityFinder(lexicon, gazetteer)
            # Organisations first: the finder reads place words inside their names as part of them.
            orgs, places, people = finder.organizations(tokens), finder.places(tokens), finder.people(tokens)
        else:
            places, orgs, people = entities.places, entities.organizations, entities.people
        # «مسؤولين عراقيين» says the story is about Iraq: a summary may write «العراق».
        implied = {
            place.ar
            for toks in tokens
            for t in toks
            if t.is_word
            for v in t.variants
            if (place := gazetteer.adjective(v)) is not None
        }
        person_words = {k for p in people for t in tokenize(p.ar) if t.is_word for k in _keys(t)}
        keys: list[frozenset[str]] = []
        for toks in tokens:
            keys.extend(_keys(t) for t in toks if t.is_word)
            keys.append(frozenset())
        positions: dict[str, list[int]] = {}
        for i, ks in enumerate(keys):
            for k in ks:
                positions.setdefault(k, []).append(i)
        given = frozenset(normalize(g) for g in lexicon.given_names)
        skeletons = frozenset(_skeleton(k) for k in positions if len(k) >= 5 and k not in given)
        return cls(
            keys=keys,
            positions=positions,
            skeletons=skeletons,
            given_names=given,
            places=frozenset(p.ar for p in places) | implied,
            organizations=frozenset(normalize(o.ar) for o in orgs),
            amounts=[a for s in sentences for a in find_amounts(s)],
            quote_text=" " + " ".join(_quote_key(s) for s in sentences) + " ",
            person_words=frozenset(person_words | {_skeleton(k) for k in person_words if len(k) >= 5}),
            names=lexicon.names,
        )

    def has_sequence(self, toks: Sequence[Token], fuzzy: bool = False) -> bool:
        """Whether these words stand together, in this order, in one article sentence."""
        words = [_keys(t) for t in toks if t.is_word]
        if not words:
            return True
        starts = {p for k in words[0] for p in self.positions.get(k, ())}
        for p in starts:
            if p + len(words) <= len(self.keys) and all(words[j] & self.keys[p + j] for j in range(1, len(words))):
                return True
        if fuzzy and len(words) == 1:
            # One surname in another transliteration: only for long names that are not given names.
            return any(len(k) >= 5 and k not in self.given_names and _skeleton(k) in self.skeletons for k in words[0])
        return False

    def _in_people(self, tok: Token) -> bool:
        """A word of one of the article's people's names (a long one in any transliteration)."""
        return any(
            k in self.person_words or (len(k) >= 5 and k not in self.given_names and _skeleton(k) in self.person_words)
            for k in _keys(tok)
        )

    def has_person(self, name: Sequence[Token]) -> bool:
        """Whether the article names this person: the name as written (one word in another
        transliteration allowed), or every word of it in the article's people's names. The rules may run a
        name into the next word (بيزشكيان دعم): trailing words attested nowhere as a name part are left out,
        as long as what is left is more than a given name alone (which identifies no one)."""
        words = [t for t in name if t.is_word]
        for n in range(len(words), 0, -1):
            if n < len(words) and self.names.is_unit(words[n].bare):
                return False  # an attested name part belongs to the name: it must be found
            core = words[:n]
            if n < len(words) and all(self.names.is_given(t.bare) or t.bare in self.given_names for t in core):
                return False
            if self.has_sequence(core, fuzzy=True) or all(self._in_people(t) for t in core):
                return True
        return False

    def has_amount(self, amount: Amount) -> bool:
        """Whether the article states this value (in a compatible unit)."""
        return any(amount.matches(a) for a in self.amounts)


def _resources(lexicon: Lexicon | None, gazetteer: Gazetteer | None) -> tuple[Lexicon, Gazetteer]:
    """The given lexicon and gazetteer, else the shipped ones (both loaders cache)."""
    return (
        lexicon or Lexicon.load(HOME / "config" / "names.toml"),
        gazetteer or Gazetteer.load(HOME / "config" / "places.toml"),
    )


def _quote_found(body: str, facts: ArticleFacts) -> bool:
    """Each part of the quotation (split at an ellipsis) stands word for word in the article."""
    parts = [_quote_key(p) for p in _ELLIPSIS.split(body)]
    return all(f" {p} " in facts.quote_text for p in parts if p)


def check(
    summary: str | Sequence[str],
    article: ArticleFacts | Sequence[str],
    lexicon: Lexicon | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[Unsupported]:
    """Every person, place, organisation, figure and quotation of the summary that the article lacks.

    `summary` is the text or its sentences (split_summary); `article` is an ArticleFacts (cheap: build it
    once per article) or the article's sentences. A person's surname alone is found when the article has
    it (alone or in the full name); a name spelled with other inner long vowels (بيزشكيان) is found too.
    Figures compare by value: «5 ملايين» = «خمسة ملايين» = 5000000; a hedged figure («نحو 5 ملايين»)
    may be 10% off; a currency or a percent sign must agree.
    """
    lexicon, gazetteer = _resources(lexicon, gazetteer)
    facts = article if isinstance(article, ArticleFacts) else ArticleFacts.build(article, lexicon, gazetteer)
    sentences = split_summary(summary) if isinstance(summary, str) else list(summary)
    finder = EntityFinder(lexicon, gazetteer)
    out: list[Unsupported] = []
    for s, sentence in enumerate(sentences):
        found: dict[tuple[str, UnsupportedKind], None] = {}
        toks = tokenize(sentence)
        for person in finder.people([toks]):
            if not facts.has_person(tokenize(person.ar)):
                found[(person.ar, "person")] = None
        for place in finder.places([toks]):
            if place.ar not in facts.places and not any(facts.has_sequence(tokenize(f)) for f in place.surface_forms):
                found[(place.surface_forms[0] if place.surface_forms else place.ar, "place")] = None
        for org in finder.organizations([toks]):
            if normalize(org.ar) not in facts.organizations and not facts.has_sequence(tokenize(org.ar)):
                found[(org.ar, "organization")] = None
        for amount in find_amounts(sentence):
            if not facts.has_amount(amount):
                found[(amount.text, "figure")] = None
        for tok in toks:
            # Days and months: «الخميس» where the article says «الأربعاء».
            if tok.is_word and tok.bare in _DATE_WORDS and not facts.has_sequence([tok]):
                found[(tok.surface, "figure")] = None
        for a, b in quote_spans(sentence):
            body = sentence[a + 1 : b - 1]
            if _quote_key(body) and not _quote_found(body, facts):
                found[(body.strip(), "quote")] = None
        out.extend(Unsupported(text, kind, s) for text, kind in found)
    return out


_KIND_WORDS = {
    "person": "the person",
    "place": "the place",
    "organization": "the organisation",
    "figure": "the figure",
    "quote": "the quotation",
}


def describe(item: Unsupported) -> str:
    """One line an editor reads: what the summary says that the article does not."""
    return (
        f"summary sentence {item.sentence + 1} names {_KIND_WORDS[item.kind]} «{item.text}», not found in the article"
    )


class PolicyOutcome(msgspec.Struct):
    """The summary to deliver after the policy, with what it removed and what it still flags."""

    sentences: list[str]  # the delivered summary's sentences (join with a space for the text)
    method: Literal["abstractive", "extractive"]
    unsupported: list[Unsupported]  # facts left in the delivered summary (sentence: index in `sentences`)
    removed: list[Unsupported]  # facts taken out (sentence: index in the abstractive summary)
    dropped_sentences: list[int]  # abstractive sentence indexes left out
    warnings: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def apply_policy(
    policy: Policy,
    abstractive_sentences: Sequence[str],
    unsupported: Sequence[Unsupported],
    extractive_sentences: Sequence[str],
) -> PolicyOutcome:
    """What to deliver when the abstractive summary states facts the article lacks.

    - "flag": deliver the abstractive summary unchanged; `unsupported` lists each fact and `warnings` says so.
    - "drop_sentence": deliver the abstractive summary without the sentences that hold an unsupported fact;
      when none is left, deliver the extractive summary. `removed` lists what was taken out.
    - "extractive": deliver the extractive summary as soon as anything is unsupported.
    With nothing unsupported every policy delivers the abstractive summary as it is.

    Default (DEFAULT_POLICY): "drop_sentence". An editor's rule is that nothing goes out that the story
    does not say: "flag" still prints the invented name or figure, and a reader who skims (or a feed that
    drops `unsupported`) takes it as the article's. "extractive" throws away a whole fluent summary for one
    doubtful figure, and the checker's own misses (a paraphrase it cannot match) would cost every such
    summary. Dropping the one sentence keeps what is checked, removes what is not, still lists the removed
    facts so the editor can judge, and falls back to the article's own sentences when nothing is left.
    """
    warnings: list[str] = []
    if not unsupported:
        return PolicyOutcome(list(abstractive_sentences), "abstractive", [], [], [], [])
    lines = [describe(u) for u in unsupported]
    if policy == "flag":
        warnings.append(
            f"the summary states {len(unsupported)} fact(s) not found in the article; check before publishing: "
            + "; ".join(lines)
        )
        return PolicyOutcome(list(abstractive_sentences), "abstractive", list(unsupported), [], [], warnings)
    bad = sorted({u.sentence for u in unsupported})
    kept = [s for i, s in enumerate(abstractive_sentences) if i not in bad]
    if policy == "drop_sentence" and kept:
        warnings.append(
            f"{len(bad)} summary sentence(s) removed: they stated facts not found in the article: " + "; ".join(lines)
        )
        return PolicyOutcome(kept, "abstractive", [], list(unsupported), bad, warnings)
    warnings.append(
        "the abstractive summary stated facts not found in the article, so the extractive summary is given: "
        + "; ".join(lines)
    )
    dropped = list(range(len(abstractive_sentences)))
    return PolicyOutcome(list(extractive_sentences), "extractive", [], list(unsupported), dropped, warnings)
