"""Gazetteer of places in Arabic with their English names: CLDR (through Babel) plus config/places.toml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import get_timezone_location

from service.text.arabic import normalize
from service.text.resources import read_toml, record_package

# CLDR codes that are not places a reader would call one (the world, unknown region, organisations).
_SKIP_TERRITORIES = frozenset({"001", "ZZ", "QO", "EU", "EZ", "UN"})
# Place names that are also everyday Arabic words (مالي "financial", نوم "sleep", ترك "left" ...).
_AMBIGUOUS = frozenset(
    normalize(w)
    for w in ("مالي", "نوم", "ترك", "ماهي", "سنتر", "بلم", "واك", "ثيل", "جوني", "برثا", "سيتا", "بويس", "العالم")
)


@dataclass(frozen=True)
class Place:
    """A place's canonical Arabic name and its English name."""

    ar: str
    en: str


def _adjective(name: str) -> str | None:
    """The nationality adjective of a one-word country name: سوريا → سوري، إيران → ايراني."""
    key = normalize(name).removeprefix("ال")
    if " " in key or len(key) < 3:
        return None
    if key.endswith("يا"):
        return key[:-1]
    if key.endswith("يه"):
        return key[:-1]
    if key.endswith(("ا", "ه")):
        return key[:-1] + "ي"
    return key + "ي"


class Gazetteer:
    """Looks up places by their normalised token sequence and nationality adjectives by their stem."""

    def __init__(self, places: dict[str, Place], adjectives: dict[str, Place]) -> None:
        self._places = places
        self._adjectives = adjectives
        self.longest = max((k.count(" ") + 1 for k in places), default=1)

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        """CLDR countries and time-zone cities, then the config file's places, aliases and adjectives."""
        return _load(path)

    def place(self, words: list[str]) -> Place | None:
        """The place named by exactly these normalised words, if any."""
        return self._places.get(" ".join(words))

    def adjective(self, word: str) -> Place | None:
        """The country a normalised nationality adjective points to: السوريه → سوريا."""
        w = word.removeprefix("ال")
        for candidate in (w, w[:-1] if w.endswith("ه") else "", w[:-2] if w.endswith(("ين", "ون")) else ""):
            if candidate and (hit := self._adjectives.get(candidate)):
                return hit
        return None


@lru_cache(maxsize=4)
def _load(path: Path) -> Gazetteer:
    record_package("babel")  # CLDR's names are rule data too
    ar, en = Locale.parse("ar"), Locale.parse("en")
    places: dict[str, Place] = {}
    adjectives: dict[str, Place] = {}

    def add(name: str, place: Place) -> None:
        key = normalize(name)
        if key not in _AMBIGUOUS and len(key) >= 3:
            places.setdefault(key, place)

    for code, name in ar.territories.items():
        if code in _SKIP_TERRITORIES or code not in en.territories:
            continue
        place = Place(name, en.territories[code])
        add(name, place)
        adj = _adjective(name)
        if adj and code.isalpha():
            adjectives.setdefault(adj, place)
    for zone, names in ar.time_zones.items():
        city = names.get("city")
        if city and zone.split("/")[0] in ("Africa", "America", "Asia", "Europe", "Australia"):
            add(city, Place(city, get_timezone_location(zone, locale="en", return_city=True)))

    extra = read_toml(path)
    for name, english in extra.get("places", {}).items():
        places[normalize(name)] = Place(name, english)
    for alias, canonical in extra.get("aliases", {}).items():
        target = places.get(normalize(canonical))
        if target is None:
            raise ValueError(f"alias {alias!r} in {path} points to unknown place {canonical!r}")
        places[normalize(alias)] = target
    for adj, canonical in extra.get("adjectives", {}).items():
        target = places.get(normalize(canonical))
        if target is None:
            raise ValueError(f"adjective {adj!r} in {path} points to unknown place {canonical!r}")
        adjectives[normalize(adj)] = target
    return Gazetteer(places, adjectives)
