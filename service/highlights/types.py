"""Highlight records, shared by the rules that find them and the API schema that returns them."""

from __future__ import annotations

from typing import Literal

import msgspec

FigureKind = Literal["number", "percent", "money", "date"]


class Entity(msgspec.Struct):
    """A person, place or organisation, once, however often and in whatever form it is named."""

    ar: str  # canonical Arabic form: the fullest name seen, or the gazetteer's name
    en: str | None  # English name (gazetteer or translation model); null when neither is available
    surface_forms: list[str]  # the forms the article uses, clitics (و، ب، ل) taken off
    mentions: int
    sentences: list[int] = msgspec.field(default_factory=list)  # article sentences naming it (filled at assembly)


class Entities(msgspec.Struct):
    people: list[Entity]
    places: list[Entity]
    organizations: list[Entity]


class Quote(msgspec.Struct):
    """Words the article puts in someone's mouth, with who said them."""

    speaker: str | None  # canonical name of the speaker; null when the article does not say
    ar: str
    en: str | None
    sentence: int  # index into translation.sentences / the article's sentences


class KeyPoint(msgspec.Struct):
    ar: str
    en: str | None
    score: float
    sentence: int


class Figure(msgspec.Struct):
    """A number, percentage, sum of money or date, as written, with a machine-readable value."""

    ar: str
    kind: FigureKind
    value: str | None
    sentence: int


class Highlights(msgspec.Struct):
    key_points: list[KeyPoint]
    quotes: list[Quote]
    entities: Entities
    figures: list[Figure]
