"""Highlight records, shared by the rules that find them and the API schema that returns them."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

FigureKind = Literal["number", "percent", "money", "date"]
_SENTENCE = "Index of the sentence it comes from, in the article's sentences (and `translation.sentences`)"


class Entity(msgspec.Struct):
    """A person, place or organisation, once, however often and in whatever form it is named."""

    # canonical Arabic form: the fullest name seen, or the gazetteer's name
    ar: Annotated[str, Meta(description="The canonical Arabic name: the fullest form seen, or the gazetteer's")]
    # English name (gazetteer or translation model); null when neither is available
    en: Annotated[str | None, Meta(description="The English name; null when neither gazetteer nor model gives one")]
    # the forms the article uses, clitics (و، ب، ل) taken off
    surface_forms: Annotated[list[str], Meta(description="The forms the article uses, clitics (و، ب، ل) taken off")]
    mentions: Annotated[int, Meta(description="How many times the article names it")]
    sentences: Annotated[list[int], Meta(description="Indexes of the article sentences that name it")] = msgspec.field(
        default_factory=list
    )


class Entities(msgspec.Struct):
    """The people, places and organisations the article names."""

    people: Annotated[list[Entity], Meta(description="People, most mentioned first")]
    places: Annotated[list[Entity], Meta(description="Places, with English names from CLDR and GeoNames")]
    organizations: Annotated[list[Entity], Meta(description="Organisations")]


class Quote(msgspec.Struct):
    """Words the article puts in someone's mouth, with who said them."""

    # canonical name of the speaker; null when the article does not say
    speaker: Annotated[str | None, Meta(description="The speaker's canonical name; null when the article does not say")]
    ar: Annotated[str, Meta(description="The quoted words in Arabic")]
    en: Annotated[str | None, Meta(description="The quoted words in English; null without a translation model")]
    # index into translation.sentences / the article's sentences
    sentence: Annotated[int, Meta(description=_SENTENCE)]


class KeyPoint(msgspec.Struct):
    """One of the article's best-ranked sentences."""

    ar: Annotated[str, Meta(description="The sentence in Arabic")]
    en: Annotated[str | None, Meta(description="The sentence in English; null without a translation model")]
    score: Annotated[float, Meta(description="Its rank score (higher is more central); key points come best first")]
    sentence: Annotated[int, Meta(description=_SENTENCE)]


class Figure(msgspec.Struct):
    """A number, percentage, sum of money or date, as written, with a machine-readable value."""

    ar: Annotated[str, Meta(description="The figure as the article writes it")]
    kind: Annotated[FigureKind, Meta(description="number, percent, money or date")]
    value: Annotated[
        str | None,
        Meta(description="Machine-readable, in Western digits (dates YYYY-MM-DD or the parts known); null if none"),
    ]
    sentence: Annotated[int, Meta(description=_SENTENCE)]


class Highlights(msgspec.Struct):
    """What an editor looks for first: key points, quotes, who and where, and the figures."""

    key_points: Annotated[list[KeyPoint], Meta(description="The best-ranked sentences, best first")]
    quotes: Annotated[list[Quote], Meta(description="Quoted words with their speakers, in article order")]
    entities: Annotated[Entities, Meta(description="People, places and organisations, each once")]
    figures: Annotated[list[Figure], Meta(description="Numbers, percentages, sums of money and dates")]
