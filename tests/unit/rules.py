"""What the rules tests share: the shipped lexicon and gazetteer, and the entities found in invented sentences."""

from __future__ import annotations

from service.config import HOME
from service.highlights.entities import find_entities
from service.highlights.lexicon import Lexicon, tokenize
from service.highlights.places import Gazetteer
from service.highlights.types import Entities

LEXICON = Lexicon.load(HOME / "config" / "names.toml")
GAZETTEER = Gazetteer.load(HOME / "config" / "places.toml")


def entities(*sentences: str) -> Entities:
    """People, places and organisations the rules find in these sentences (one article)."""
    return find_entities([tokenize(s) for s in sentences], LEXICON, GAZETTEER)


def people(*sentences: str) -> list[str]:
    return [e.ar for e in entities(*sentences).people]


def places(*sentences: str) -> list[str]:
    return [e.ar for e in entities(*sentences).places]


def orgs(*sentences: str) -> list[str]:
    return [e.ar for e in entities(*sentences).organizations]
