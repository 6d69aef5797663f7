"""Figures: scales, separators, reversed decimals, number words, regional months, ISO dates, clock times."""

from __future__ import annotations

import pytest

from service.highlights.figures import find_figures
from service.text.segment import Sentence


def figures(text: str) -> list[tuple[str, str, str | None]]:
    return [(f.ar, f.kind, f.value) for f in find_figures([Sentence(0, text, 0, None)])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("رصدت الحكومة 5 ملايين دولار للمشروع.", ("5 ملايين دولار", "money", "5000000")),
        ("وصل عدد الزوار إلى 1،250 زائرا.", ("1،250", "number", "1250")),
        ("ارتفع المؤشر 3ر37 نقطة.", ("3ر37", "number", "37.3")),
        ("بلغ الحجم 9ر95 مليون سهم.", ("9ر95 مليون", "number", "95900000")),
        ("تراجع بنسبة 8ر0 في المئة.", ("8ر0 في المئة", "percent", "0.8")),
        ("بلغت النسبة ٤٥٪ هذا العام.", ("٤٥٪", "percent", "45")),
        ("تكلف المشروع مليون ونصف.", ("مليون ونصف", "number", "1500000")),
        ("دفع غرامة مليوني جنيه.", ("مليوني جنيه", "money", "2000000")),
        ("زاد الإنتاج ثلاثة أضعاف.", ("ثلاثة أضعاف", "number", "3")),
        ("شارك خمسة وعشرون لاعبا.", ("خمسة وعشرون", "number", "25")),
        ("وصل في 12 جانفي الماضي.", ("12 جانفي", "date", "01-12")),
        ("يبدأ الموسم في 3 أفريل.", ("3 أفريل", "date", "04-03")),
        ("صدر القرار في كانون الثاني 2014.", ("كانون الثاني 2014", "date", "2014-01")),
        ("وقع الاتفاق في 3 تموز يوليو 2023.", ("3 تموز يوليو 2023", "date", "2023-07-03")),
        ("نشر البيان بتاريخ 2025-08-15 صباحا.", ("2025-08-15", "date", "2025-08-15")),
        ("انطلقت الرحلة عند 9:05 مساء.", ("9:05", "date", "09:05")),
        ("ويعود الاتفاق إلى عام 2015.", ("عام 2015", "date", "2015")),
        ("وقتل ثلاثة أشخاص.", ("ثلاثة", "number", "3")),
        ("استمر الحصار يومين.", ("يومين", "number", "2")),
        ("سجل المعرض 1.250.000 زائر.", ("1.250.000", "number", "1250000")),
        ("تراجع النمو بنسبة 3,5 في المائة.", ("3,5 في المائة", "percent", "3.5")),
        ("تبلغ الميزانية 3 تريليونات دولار.", ("3 تريليونات دولار", "money", "3000000000000")),
        ("خصصت الحكومة مليارا دولار.", ("مليارا دولار", "money", "2000000000")),
        ("بلغ السعر ٤٥ دينارًا.", ("٤٥ دينارًا", "money", "45")),
        ("صدر القرار في 2024/03/15 مساء.", ("2024/03/15", "date", "2024-03-15")),
        ("لعب أحد عشر لاعبا.", ("أحد عشر", "number", "11")),
        ("حضر اثنا عشر وزيرا.", ("اثنا عشر", "number", "12")),
        ("يبدأ في الخامس من يونيو المقبل.", ("الخامس من يونيو", "date", "06-05")),
        ("افتتح في الحادي والعشرين من آذار 2024.", ("الحادي والعشرين من آذار 2024", "date", "2024-03-21")),
        ("أفرج عن 12 ألفاً و500 سجين.", ("12 ألفاً و500", "number", "12500")),
        ("بلغت 4 مليارات و200 مليون دولار.", ("4 مليارات و200 مليون دولار", "money", "4200000000")),
        ("زاد الإنتاج ضعفين.", ("ضعفين", "number", "2")),
        ("ارتفع بنسبة %15 خلال العام.", ("%15", "percent", "15")),
        ("تأسست الشركة عام 2015م في المدينة.", ("عام 2015م", "date", "2015")),
        ("تبرع بـ5 ملايين دولار.", ("5 ملايين دولار", "money", "5000000")),
        ("نزح نصف مليون شخص.", ("نصف مليون", "number", "500000")),
        ("خصص ربع مليار دولار.", ("ربع مليار دولار", "money", "250000000")),
    ],
)
def test_value_in_western_digits_with_scale(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in figures(text)


def test_arabic_comma_thousands_is_one_number_but_a_list_comma_is_not() -> None:
    found = figures("ارتفع من 2014، 2015 إلى 1،250.")
    assert ("1،250", "number", "1250") in found
    assert not any(value == "2014.2015" for _, _, value in found)


def test_the_dual_الاثنين_is_not_monday() -> None:
    assert figures("اتفق الاثنين معا على الخطة.") == []
    assert figures("وقعت مشادة بين الاثنين.") == []
    assert ("يوم الاثنين", "date", "monday") in figures("اجتمعوا يوم الاثنين في الوزارة.")


def test_a_clitic_before_a_figure_is_not_part_of_it() -> None:
    found = figures("سجل 10 إصابات وثلاثة وفيات و3 أفريل.")
    assert ("ثلاثة", "number", "3") in found
    assert ("3 أفريل", "date", "04-03") in found


def test_ordinal_rank_is_not_a_figure() -> None:
    assert figures("حل الفريق في المركز الأول.") == []


def test_the_first_of_a_pair_or_range_shares_the_second_ones_unit_scale_or_month() -> None:
    assert ("10", "percent", "10") in figures("تراوحت النسبة بين 10 و20 في المئة.")
    assert ("3", "money", "3000000") in figures("تتراوح الكلفة بين 3 و5 ملايين دولار.")
    assert ("10", "date", "03-10") in figures("تجري الانتخابات يومي 10 و11 مارس.")
    assert ("2015", "date", "2015") in figures("نفذ المشروع في عامي 2014 و2015.")
    # Two counts of different things are no range.
    assert ("5", "number", "5") in figures("قتل 5 وأصيب 20 شخصا.")
    assert ("10", "number", "10") in figures("تراوحت الأعمار بين 10 و20 عاما.")


def test_a_plural_scale_alone_is_no_figure_and_أحد_alone_is_no_number() -> None:
    assert figures("تظاهر آلاف الأشخاص في الساحة.") == []
    assert figures("أصيب أحد الجنود بجروح.") == []
