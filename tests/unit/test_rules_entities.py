"""People, places and organisations by rules: invented sentences that reproduce the error patterns of issue 11."""

from __future__ import annotations

from service.highlights.places import AFTER_CUE, ALWAYS
from service.text.arabic import normalize
from tests.unit.rules import GAZETTEER, entities


def names(group: list) -> list[str]:  # type: ignore[type-arg]
    return [e.ar for e in group]


def test_geonames_cities_big_anywhere_common_words_only_after_a_cue() -> None:
    assert GAZETTEER.lookup(normalize("المكلا").split())[1] == ALWAYS  # type: ignore[index]
    assert GAZETTEER.lookup(normalize("صور").split())[1] == AFTER_CUE  # type: ignore[index]
    e = entities("نشر المصور صور الحادث في مدينة صور جنوب لبنان.")
    assert names(e.places).count("صور") == 1 and "لبنان" in names(e.places)


def test_sub_national_units_after_cue_words() -> None:
    e = entities("وصلت المساعدات إلى ولاية كسلا وإقليم دارفور ومحافظة الأنبار.")
    got = {f for p in e.places for f in [p.ar, *p.surface_forms]}
    assert {"كسلا", "دارفور", "الأنبار"} <= got


def test_press_forms_and_qualified_regions() -> None:
    e = entities("زار الوفد جمهورية الكونغو الديمقراطية وميانمار ودول آسيا الوسطى والشرق الأوسط.")
    got = names(e.places)
    assert "جمهورية الكونغو الديمقراطية" in got and "ميانمار" in got
    assert "آسيا الوسطى" in got and "آسيا" not in got
    assert next(p for p in e.places if p.ar == "آسيا الوسطى").en == "Central Asia"


def test_nationality_adjectives_and_words_inside_organisations_are_not_places() -> None:
    e = entities("ذكرت وكالة الأنباء السعودية أن الجامعة الأردنية وقعت اتفاقا مع الحكومة المصرية.")
    assert e.places == []
    assert "وكالة الأنباء السعودية" in names(e.organizations)
    assert next(o for o in e.organizations if o.ar == "وكالة الأنباء السعودية").en == "Saudi Press Agency"


def test_organisation_heads_beyond_a_short_list_and_glued_prepositions() -> None:
    e = entities(
        "وأعلنت جماعة الحوثي وصحيفة الغارديان وقناة الجزيرة أن الاتفاق مع بصندوق النقد الدولي تأجل.",
        "واجتمعت اللجنة التي شكلها البرلمان، وحل الفريق في المركز الأول.",
    )
    got = names(e.organizations)
    assert "جماعة الحوثي" in got and "الغارديان" in got  # a head before a known name: that known body
    assert "صحيفة الغارديان" in next(o for o in e.organizations if o.ar == "الغارديان").surface_forms
    assert "صندوق النقد الدولي" in got
    assert next(o for o in e.organizations if o.ar == "صندوق النقد الدولي").en == "International Monetary Fund"
    assert not any(o.startswith(("اللجنة", "المركز")) for o in got)


def test_short_form_merges_into_the_long_one() -> None:
    e = entities("حذرت منظمة الصحة العالمية من الوباء.", "وقالت منظمة الصحة إن الوضع خطير.")
    assert names(e.organizations) == ["منظمة الصحة العالمية"]
    assert e.organizations[0].mentions == 2


def test_title_with_complement_comma_and_foreign_name() -> None:
    e = entities("وقال وزير الخارجية الفرنسي، جان نويل بارو، إن باريس تدعم الحل.")
    assert "جان نويل بارو" in names(e.people)


def test_title_with_suffix_role_nouns_and_two_word_names() -> None:
    e = entities(
        "وقالت وزيرة الثقافة نجلاء الحسيني إن المهرجان ناجح.",
        "وأكد المتحدث باسم الجيش سامر خليل أن القوات انسحبت.",
        "والتقى رئيس كينيا وليام روتو بالوفد.",
    )
    got = names(e.people)
    assert {"نجلاء الحسيني", "سامر خليل", "وليام روتو"} <= set(got)
    assert "باسم" not in " ".join(got)


def test_name_stops_before_وهو_and_verbs() -> None:
    e = entities("وقال الشاهد سامر منصور وهو ضابط سابق إن الهجوم وقع فجرا.")
    assert "سامر منصور" in names(e.people)
    assert not any("وهو" in n for n in names(e.people))


def test_common_word_given_names_need_more_evidence() -> None:
    e = entities("يعبر الناس عن أمل كبير في فتح آفاق جديدة للتعاون.")
    assert e.people == []


def test_surname_re_mentions_and_patronymics_merge_with_english_from_the_dictionary() -> None:
    e = entities(
        "التقى وزير الخارجية الأردني أيمن الصفدي نظيره.",
        "وأضاف الصفدي أن المحادثات مثمرة.",
        "واستقبل فيصل بن فرحان آل سعود الوفد، وقال فيصل بن فرحان إن الوقت حان.",
    )
    people = {p.ar: p for p in e.people}
    assert "أيمن الصفدي" in people and people["أيمن الصفدي"].mentions >= 2
    assert people["أيمن الصفدي"].en == "Ayman Safadi"
    assert len([p for p in people if "فرحان" in p]) == 1


def test_unattested_spelling_gives_no_english_name() -> None:
    e = entities("وقال المبعوث الأمريكي آموس هوكشتاين إن الحل قريب.")
    person = next(p for p in e.people if "هوكشتاين" in p.ar)
    assert person.en is None


def test_regnal_number_and_gulf_patronymic_continue_a_name() -> None:
    e = entities("تحت رعاية الملك عبدالله الثاني ابن الحسين.", "وكان الأمير جابر الأحمد الصباح قد زار المعرض.")
    assert {"عبدالله الثاني ابن الحسين", "جابر الأحمد الصباح"} <= set(names(e.people))


def test_nested_heads_and_court_district_extend_an_organisation() -> None:
    e = entities("أحيل المتهمون إلى محكمة جنايات شمال القاهرة.", "وقالت قيادة شرطة الكرخ إن التحقيق مستمر.")
    got = names(e.organizations)
    assert "محكمة جنايات شمال القاهرة" in got and "قيادة شرطة الكرخ" in got
    assert "القاهرة" not in names(e.places)


def test_compound_place_after_a_cue_is_one_place_and_no_person() -> None:
    e = entities("قتل عشرة في منطقة السيدة زينب.", "وسيطر المقاتلون على مدينة رأس العين.")
    places = names(e.places)
    assert "السيدة زينب" in places and "رأس العين" in places
    assert "زينب" not in names(e.people)


def test_a_clitic_is_not_stripped_from_a_known_non_place() -> None:
    e = entities("تأجل المهرجان بسبب جائحة كورونا في الأشهر الأخيرة.")
    assert names(e.places) == []
