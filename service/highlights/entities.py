"""People, places and organisations, by rules: titles, given names, appositions and a gazetteer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from service.highlights.lexicon import STOP, STOP_LIGHT, Lexicon, Token, is_verb
from service.highlights.places import Gazetteer, Place
from service.highlights.types import Entities, Entity

# A given name followed by an ال-word (محمد الحلبوسي) is a name for these common ones; for the rest
# (جمال الطبيعة, "the beauty of nature") the article must give a title first.
_STRONG_GIVEN = frozenset({"محمد", "احمد", "علي", "حسن", "حسين", "عمر", "عثمان", "خالد", "عبد", "ابو"})
_MAX_NAME_TOKENS = 4


@dataclass
class _Found:
    canonical: str
    en: str | None = None
    forms: dict[str, None] = field(default_factory=dict)  # ordered set
    mentions: int = 0
    first: tuple[int, int] = (10**9, 0)

    def to_entity(self) -> Entity:
        return Entity(self.canonical, self.en, list(self.forms), self.mentions)


def _key(normalized: str) -> str:
    return normalized.removeprefix("ال")


class EntityFinder:
    """Finds the entities of one article; every rule reads the same tokens."""

    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer) -> None:
        self.lex = lexicon
        self.gaz = gazetteer

    # -- people -------------------------------------------------------------------------------------
    def _is_given(self, tok: Token) -> bool:
        return tok.light in self.lex.given_names

    def _is_title(self, tok: Token) -> bool:
        return any(v in self.lex.titles for v in tok.variants)

    def _name_like(self, tok: Token) -> bool:
        return (
            tok.is_word
            and len(tok.bare) >= 2
            and tok.light not in STOP_LIGHT
            and not self._is_title(tok)
            and not is_verb(tok)
            and self._place_at([tok]) is None
            and self._adjective(tok) is None
            and tok.bare not in self.lex.organization_heads
            and not tok.surface.isdigit()
        )

    def _read_name(self, toks: Sequence[Token], j: int, after_title: bool) -> list[Token]:
        """A full name starting at j (a given name and what follows), or after a title one surname."""
        if j >= len(toks) or not self._name_like(toks[j]):
            return []
        if self._is_given(toks[j]):
            name = [toks[j]]
            k = j + 1
            while k < len(toks) and len(name) < _MAX_NAME_TOKENS and self._name_like(toks[k]):
                name.append(toks[k])
                k += 1
                if toks[k - 1].bare.startswith("ال"):  # a family name with the article ends the name
                    break
            if len(name) >= 2:
                strong = toks[j].bare in _STRONG_GIVEN or after_title
                if strong or not name[1].bare.startswith("ال"):
                    return name
            return []
        if not after_title:
            return []
        tok = toks[j]
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        boundary = nxt is None or not nxt.is_word or nxt.norm in STOP or is_verb(nxt) or self._is_title(nxt)
        # A lone surname after a title: not a common noun with ة, not a preposition-glued word.
        if boundary and not tok.norm.startswith("ال") and not tok.norm.endswith("ه") and tok.norm[:1] not in "لب":
            return [tok]
        return []

    def _people_in(self, toks: Sequence[Token]) -> list[list[Token]]:
        names: list[list[Token]] = []
        for i, tok in enumerate(toks):
            if self._is_title(tok):
                j, skipped = i + 1, 0
                # Skip the title's complements: الخارجية السوري، الإيراني، للشؤون الدولية.
                while (
                    j < len(toks)
                    and skipped < 3
                    and toks[j].is_word
                    and (toks[j].bare.startswith("ال") or self._adjective(toks[j]) is not None)
                    and not self._is_given(toks[j])
                ):
                    j += 1
                    skipped += 1
                if name := self._read_name(toks, j, after_title=True):
                    names.append(name)
            elif tok.surface == "،" and i + 1 < len(toks) and self._is_title(toks[i + 1]):
                # Apposition: علي أكبر أحمديان، أمين المجلس ...
                k = i - 1
                while k >= 0 and i - k <= _MAX_NAME_TOKENS and self._name_like(toks[k]):
                    k -= 1
                start = next((m for m in range(k + 1, i) if self._is_given(toks[m])), None)
                if start is not None and i - start >= 2:
                    names.append(list(toks[start:i]))
            elif self._is_given(tok) and (name := self._read_name(toks, i, after_title=False)):
                names.append(name)
        return names

    def people(self, sentences: Sequence[Sequence[Token]]) -> list[Entity]:
        """Each person once: full names merge with later surname-only mentions (صباغ، الصباغ)."""
        by_key: dict[str, _Found] = {}
        for s, toks in enumerate(sentences):
            for name in self._people_in(toks):
                key = _key(name[-1].bare)
                full = " ".join(t.surface for t in name)
                found = by_key.setdefault(key, _Found(full, first=(s, name[0].start)))
                if len(name) > len(found.canonical.split()):
                    found.canonical = full
                found.forms[full] = None
        # Count every mention by surname, and note the forms the article uses.
        for toks in sentences:
            for tok in toks:
                if not tok.is_word:
                    continue
                for variant in tok.variants:
                    hit = by_key.get(_key(variant))
                    if hit is not None:
                        hit.mentions += 1
                        hit.forms.setdefault(tok.surface_for(variant), None)
                        break
        found_people = sorted(by_key.values(), key=lambda f: f.first)
        return [f.to_entity() for f in found_people]

    # -- places -------------------------------------------------------------------------------------
    def _place_at(self, span: Sequence[Token]) -> tuple[Place, str] | None:
        """The place these tokens name, with its surface form (glued clitic taken off)."""
        rest = [t.norm for t in span[1:]]
        for first in span[0].variants:
            if place := self.gaz.place([first, *rest]):
                return place, " ".join([span[0].surface_for(first), *(t.surface for t in span[1:])])
        return None

    def _adjective(self, tok: Token) -> tuple[Place, str] | None:
        """The country a nationality adjective points to, with the adjective's surface form."""
        for variant in tok.variants:
            if place := self.gaz.adjective(variant):
                return place, tok.surface_for(variant)
        return None

    def places(self, sentences: Sequence[Sequence[Token]]) -> list[Entity]:
        """Places named (longest gazetteer match) or pointed to by a nationality adjective."""
        found: dict[str, _Found] = {}

        def note(place: Place, surface: str, pos: tuple[int, int]) -> None:
            f = found.setdefault(place.ar, _Found(place.ar, place.en, first=pos))
            f.mentions += 1
            f.forms.setdefault(surface, None)

        for s, toks in enumerate(sentences):
            i = 0
            while i < len(toks):
                tok = toks[i]
                if not tok.is_word:
                    i += 1
                    continue
                hit_len = 0
                for n in range(min(self.gaz.longest, len(toks) - i), 0, -1):
                    span = toks[i : i + n]
                    if all(t.is_word for t in span) and (hit := self._place_at(span)):
                        note(*hit, (s, tok.start))
                        hit_len = n
                        break
                if not hit_len and (hit := self._adjective(tok)):
                    note(*hit, (s, tok.start))
                i += max(hit_len, 1)
        return [f.to_entity() for f in sorted(found.values(), key=lambda f: f.first)]

    # -- organisations ------------------------------------------------------------------------------
    def organizations(self, sentences: Sequence[Sequence[Token]]) -> list[Entity]:
        """Known organisations, ministries by portfolio (الخارجية السورية) and heads with a name after."""
        found: dict[str, _Found] = {}
        for s, toks in enumerate(sentences):
            i = 0
            while i < len(toks):
                span = self._organization_at(toks, i)
                if not span:
                    i += 1
                    continue
                surface = " ".join([toks[i].surface_bare, *(t.surface for t in toks[i + 1 : i + span])])
                known = self.lex.organization_names.get(
                    tuple([toks[i].bare, *(t.norm for t in toks[i + 1 : i + span])])
                )
                canonical = known or surface
                f = found.setdefault(canonical, _Found(canonical, first=(s, toks[i].start)))
                f.mentions += 1
                f.forms.setdefault(surface, None)
                i += span
        return [f.to_entity() for f in sorted(found.values(), key=lambda f: f.first)]

    def _organization_at(self, toks: Sequence[Token], i: int) -> int:
        """How many tokens an organisation's name starting at i takes (0: none starts there)."""
        tok = toks[i]
        if not tok.is_word:
            return 0
        for seq in self.lex.organizations:
            n = len(seq)
            if i + n <= len(toks) and toks[i].bare == seq[0] and all(toks[i + k].norm == seq[k] for k in range(1, n)):
                return n
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.bare in self.lex.ministries:
            # الخارجية السورية (the ministry), not وزير الخارجية السوري (the minister's title).
            prev = toks[i - 1] if i else None
            if nxt and nxt.norm.endswith("يه") and self._adjective(nxt) and not (prev and self._is_title(prev)):
                return 2
            return 0
        if tok.bare in self.lex.organization_heads:
            n = 1
            while i + n < len(toks) and n < 5 and toks[i + n].is_word and toks[i + n].norm.startswith(("ال", "لل")):
                n += 1
                if self._adjective(toks[i + n - 1]):
                    break  # a nationality adjective closes the name
            return n if n > 1 else 0
        return 0


def find_entities(sentences: Sequence[Sequence[Token]], lexicon: Lexicon, gazetteer: Gazetteer) -> Entities:
    """People, places and organisations of an article, each once, in order of first mention."""
    finder = EntityFinder(lexicon, gazetteer)
    return Entities(finder.people(sentences), finder.places(sentences), finder.organizations(sentences))
