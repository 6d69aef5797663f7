"""Furniture and structure recognised by what a line is (invented lines that reproduce each kind)."""

from __future__ import annotations

import pytest

from service.config import HOME
from service.text.arabic import clean_display
from service.text.clean import Furniture, clean_article
from service.text.segment import Article, segment
from service.text.structure import is_stamp

FURNITURE = Furniture.load(HOME / "config" / "boilerplate.toml")
BODY = [
    "أعلنت وزارة الصحة اليوم عن خطة جديدة لتوسيع شبكة المستشفيات في المحافظات الجنوبية خلال العام المقبل.",
    "وقال الوزير إن الخطة تشمل بناء عشرة مستشفيات جديدة وتأهيل المراكز الصحية القائمة في القرى.",
    "وأضاف أن التمويل سيأتي من الموازنة العامة ومن قروض ميسرة قدمتها جهات دولية مانحة للبلاد.",
]
HEADLINE = "وزارة الصحة تعلن خطة لتوسيع شبكة المستشفيات"


def digest_lines(*lines: str) -> Article:
    return segment(clean_article("\n".join(lines), "text", FURNITURE))


@pytest.mark.parametrize(
    "line",
    [
        "الخميس، 30 أكتوبر 2025 - 00:27",
        "16 10:10 2026 مارس",
        "منذ دقائق 3",
        "نشر في 12 جانفي 2024 الساعة 10:30",
        # Both calendars, as Egyptian and Gulf sites print them.
        "الأحد 14 سبتمبر 2025 10:15 م 22 ربيع أول 1447 هـ",
        "الجمعة 3 رمضان 1446 هـ",
    ],
)
def test_publication_stamps_are_lines_of_dates_and_times(line: str) -> None:
    assert is_stamp(line)


def test_the_verb_shahada_in_a_news_sentence_is_no_teaser() -> None:
    line = "شاهد السكان الدخان يتصاعد من المصنع منذ الصباح، وفق ما أفاد شهود عيان."
    article = digest_lines(HEADLINE, BODY[0], line, *BODY[1:])
    assert line not in article.removed and any(line in s.text for s in article.sentences)


def test_a_sentence_with_a_date_is_no_stamp() -> None:
    assert not is_stamp("افتتح الوزير المعرض يوم الخميس 30 أكتوبر 2025")


@pytest.mark.parametrize(
    "line",
    [
        "بقلم: سامي العلي",
        "كتب : FilGoal",
        "المصدر: وكالات",
        "الصورة: أرشيفية",
        "صورة أرشيفية",
        "اترك تعليقاً",
        "أضف تعليق",
        "10 + 11 =",
        "الوسوم: الصحة، المستشفيات",
        "Site icon",
        "Exit mobile version",
        "سونا",
        "شاهد: لحظة انهيار جسر قديم فوق نهر في الجنوب",
        "فيديو | حريق يلتهم سوقا شعبيا وسط المدينة",
    ],
)
def test_furniture_of_every_kind_is_recognised_by_its_form(line: str) -> None:
    article = digest_lines(HEADLINE, BODY[0], line, *BODY[1:])
    assert article.title == HEADLINE
    assert line in article.removed
    assert all(line not in s.text for s in article.sentences) and article.sections == []


def test_the_headline_is_never_a_dateline_a_stamp_or_a_category() -> None:
    article = digest_lines("أخبار", "القاهرة - (وكالات)", "الخميس 02 مايو 2024", HEADLINE, *BODY)
    assert article.title == HEADLINE
    assert article.removed == ["أخبار", "القاهرة - (وكالات)", "الخميس 02 مايو 2024"]
    article = digest_lines("بغداد اليوم - بغداد", *BODY)
    assert article.title is None and article.removed == ["بغداد اليوم - بغداد"]


def test_captions_and_bylines_between_headline_and_lead_are_no_headline_or_section() -> None:
    article = digest_lines(HEADLINE, "مستشفى في الجنوب", "كتب: محمد علي", *BODY)
    assert article.title == HEADLINE and article.sections == []
    assert sorted(article.removed) == sorted(["مستشفى في الجنوب", "كتب: محمد علي"])
    assert len(article.sentences) == 3


def test_a_sub_heading_between_paragraphs_stays_a_section() -> None:
    article = digest_lines(HEADLINE, BODY[0], "تفاصيل التمويل", *BODY[1:])
    assert article.sections == ["تفاصيل التمويل"] and article.removed == []


def test_related_stories_after_their_header_and_teasers_cut_with_an_ellipsis_go() -> None:
    teaser = "شهدت الأسواق المحلية ارتفاعا ملحوظا في أسعار الخضر والغلال مقارنة…"
    article = digest_lines(HEADLINE, *BODY, "اقرأ أيضاً", "الحكومة تناقش مشروع قانون المالية الجديد", teaser)
    assert article.removed == ["اقرأ أيضاً", "الحكومة تناقش مشروع قانون المالية الجديد", teaser]
    assert len(article.sentences) == 3


def test_short_lines_after_the_story_are_furniture_and_news_is_kept() -> None:
    article = digest_lines(HEADLINE, *BODY, "ذات صلة", "الصحة المستشفيات الجنوب", "Leave a Comment")
    assert sorted(article.removed) == sorted(["ذات صلة", "الصحة المستشفيات الجنوب", "Leave a Comment"])
    assert [s.text for s in article.sentences] == BODY


@pytest.mark.parametrize(
    ("lead", "dateline"),
    [
        ("عمان - الرأي - أعلنت وزارة الصحة اليوم عن خطة جديدة.", "عمان - الرأي -"),
        ("القاهرة (رويترز) - أعلنت وزارة الصحة اليوم عن خطة جديدة.", "القاهرة (رويترز) -"),
        ("دمشق، سوريا (CNN) -- أعلنت وزارة الصحة اليوم عن خطة جديدة.", "دمشق، سوريا (CNN) --"),
        ("بيروت – «الحياة» – أعلنت وزارة الصحة اليوم عن خطة جديدة.", "بيروت – «الحياة» –"),
        ("غزة/ الأناضول: أعلنت وزارة الصحة اليوم عن خطة جديدة.", "غزة/ الأناضول:"),
        ("دبي، 12 مارس (وام) - أعلنت وزارة الصحة اليوم عن خطة جديدة.", "دبي، 12 مارس (وام) -"),
        ("(رويترز) - أعلنت وزارة الصحة اليوم عن خطة جديدة.", "(رويترز) -"),
        ("لندن ـ «القدس العربي»: أعلنت وزارة الصحة اليوم عن خطة جديدة.", "لندن - «القدس العربي»:"),
    ],
)
def test_the_dateline_at_the_start_of_the_lead_is_taken_out(lead: str, dateline: str) -> None:
    article = digest_lines(HEADLINE, lead, *BODY[1:])
    assert article.dateline == dateline
    assert article.sentences[0].text == "أعلنت وزارة الصحة اليوم عن خطة جديدة."


def test_no_dateline_in_an_ordinary_lead() -> None:
    article = digest_lines(HEADLINE, *BODY)
    assert article.dateline is None and article.sentences[0].text == BODY[0]
    for lead in (
        "أعلنت الحكومة (المؤقتة) أمس عن خطة جديدة للمستشفيات.",
        "أعلنت وزارة «الصحة» أن الخطة تبدأ غدا.",
        "أعلنت الوزارة - في بيان - أن الخطة تبدأ غدا في المحافظات.",
    ):
        article = digest_lines(HEADLINE, lead, *BODY[1:])
        assert article.dateline is None and article.sentences[0].text == lead


def test_tatweel_after_a_proclitic_stays_so_no_letter_is_orphaned() -> None:
    cleaned = clean_display("دعا لـ“حماية المدنيين” بـ3000 جندي والرئيـــس")
    assert cleaned == "دعا لـ“حماية المدنيين” بـ3000 جندي والرئيس"


def test_a_short_note_without_punctuation_is_still_an_article() -> None:
    article = digest_lines("خبر قصير بلا نقطة في آخره")
    assert [s.text for s in article.sentences] == ["خبر قصير بلا نقطة في آخره"] and article.removed == []


# -- invented CMS layouts: the headline by what it is, furniture by its form ------------------------------------

LONG_HEADLINE = (
    "وزارة الصحة تعلن خطة وطنية لتوسيع شبكة المستشفيات والمراكز الصحية في المحافظات الجنوبية خلال العام المقبل"
)


def test_a_headline_of_twelve_words_or_more_is_still_the_headline() -> None:
    article = digest_lines(LONG_HEADLINE, *BODY)
    assert article.title == LONG_HEADLINE
    assert article.sentences[0].text == BODY[0]
    # The same with a category label above it.
    article = digest_lines("صحة", LONG_HEADLINE, *BODY)
    assert article.title == LONG_HEADLINE and article.removed == ["صحة"]


def test_a_lead_without_a_full_stop_is_no_headline() -> None:
    # It says when (news style dates the lead, not the headline): the lead, not a long headline.
    lead = "أعلنت وزارة الصحة اليوم الأحد عن خطة جديدة لتوسيع شبكة المستشفيات في المحافظات الجنوبية"
    article = digest_lines(lead, *BODY[1:])
    assert article.title is None and article.sentences[0].text == lead


@pytest.mark.parametrize(
    "above",
    ["صحيفة الوطن الإلكترونية", "الرئيسية > أخبار > صحة", "بقلم: سامي العلي", "القاهرة - (وكالات)", "Alwatan News"],
)
def test_site_names_breadcrumbs_and_bylines_above_the_headline_are_not_it(above: str) -> None:
    article = digest_lines(above, HEADLINE, *BODY)
    assert article.title == HEADLINE and article.removed == [above]


@pytest.mark.parametrize(
    "below", ["صورة من الأرشيف لمستشفى حكومي في إحدى المحافظات", "الخطة تشمل بناء مستشفيات جديدة وتأهيل المراكز"]
)
def test_a_longer_caption_or_deck_below_the_headline_does_not_take_its_place(below: str) -> None:
    article = digest_lines(HEADLINE, below, *BODY)
    assert article.title == HEADLINE


@pytest.mark.parametrize("site", [" | صحيفة الوطن", " - الوطن نيوز", " - Alwatan News"])
def test_the_site_name_after_a_headline_is_left_out(site: str) -> None:
    assert digest_lines(HEADLINE + site, *BODY).title == HEADLINE


def test_a_dash_inside_a_headline_is_kept() -> None:
    headline = "الصحة تعلن خطة جديدة - المستشفيات أولا"
    assert digest_lines(headline, *BODY).title == headline


@pytest.mark.parametrize(
    "line",
    [
        "عدد القراءات 345",
        "0 تعليق",
        "#الصحة #المستشفيات",
        "(رويترز)",
        "طباعة",
        "نسخ الرابط",
        "حجم الخط",
        "الخبر السابق",
        "المقال التالي: الحكومة ترفع الأجور",
        "التصنيف: أخبار محلية",
        "ترجمة: سامي العلي",
        "مستشفى حكومي في الجنوب (أرشيفية)",
        "مستشفى حكومي في الجنوب - أرشيف",
        "سامي العلي | القاهرة",
        "للمزيد من الأخبار تابعونا على جوجل نيوز",
        "انضموا إلى قناتنا على تيليجرام",
    ],
)
def test_furniture_inside_the_story_is_no_section_and_no_sentence(line: str) -> None:
    article = digest_lines(HEADLINE, BODY[0], line, *BODY[1:])
    assert article.title == HEADLINE
    assert line in article.removed, article.removed
    assert article.sections == [] and [s.text for s in article.sentences] == BODY


def test_a_short_quoted_line_and_a_sub_heading_stay() -> None:
    article = digest_lines(HEADLINE, BODY[0], "وأضاف: نحن مستعدون", "خطة التمويل", *BODY[1:])
    assert "وأضاف: نحن مستعدون" in [s.text for s in article.sentences]
    assert article.sections == ["خطة التمويل"] and article.removed == []
    article = digest_lines(HEADLINE, BODY[0], "المرحلة 2", *BODY[1:])
    assert article.sections == ["المرحلة 2"] and article.removed == []


def test_every_story_title_in_a_related_box_goes() -> None:
    titles = ["ارتفاع أسعار الأدوية في الصيدليات مع بداية العام", "الحكومة تفتتح مستشفى جديدا للأطفال في العاصمة"]
    article = digest_lines(HEADLINE, *BODY, "أخبار ذات علاقة", *titles)
    assert article.removed == ["أخبار ذات علاقة", *titles]
    assert [s.text for s in article.sentences] == BODY


def test_other_stories_teased_after_this_one_go_and_a_sub_heading_of_this_story_stays() -> None:
    others = [
        "منتخب الشباب يتأهل إلى نهائي البطولة العربية",
        "تأهل منتخب الشباب لكرة القدم إلى المباراة النهائية بعد فوزه بهدفين نظيفين مساء أمس في الملعب الأولمبي.",
    ]
    article = digest_lines(HEADLINE, *BODY, *others)
    assert article.removed == others and [s.text for s in article.sentences] == BODY
    article = digest_lines(HEADLINE, *BODY[:2], "تمويل المستشفيات", BODY[2])
    assert article.sections == ["تمويل المستشفيات"] and article.removed == []


def test_a_label_above_a_lead_it_does_not_announce_is_no_headline() -> None:
    article = digest_lines("أخبار محلية من العاصمة", *BODY)
    assert article.title is None and article.removed == ["أخبار محلية من العاصمة"]


def test_lines_a_page_repeats_are_furniture() -> None:
    caption = "وزير الصحة في المستشفى"
    article = digest_lines(HEADLINE, *BODY[:2], caption, BODY[2], caption)
    assert article.removed == [caption, caption] and article.sections == []
    # A pull quote repeats a sentence of the story: the later copy goes, the sentence stays once.
    article = digest_lines(HEADLINE, *BODY, BODY[1])
    assert [s.text for s in article.sentences] == BODY and article.removed == [BODY[1]]
    # The headline repeated after the story.
    article = digest_lines(HEADLINE, *BODY, HEADLINE)
    assert article.title == HEADLINE and article.removed == [HEADLINE]


def test_a_quotation_on_its_own_line_is_no_section() -> None:
    article = digest_lines(HEADLINE, BODY[0], "«سنبني المستشفيات في موعدها»", *BODY[1:])
    assert article.sections == [] and "«سنبني المستشفيات في موعدها»" in [s.text for s in article.sentences]


def test_a_teaser_above_that_shares_one_word_with_the_lead_is_not_the_headline() -> None:
    article = digest_lines("وزارة الداخلية تمدد حالة الطوارئ في البلاد", HEADLINE, *BODY)
    assert article.title == HEADLINE


@pytest.mark.parametrize(
    "line",
    [
        "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا. بمواصلة التصفح فإنك توافق على ذلك.",
        "صحيفة الوطن 2025 - جميع الحقوق محفوظة",
    ],
)
def test_consent_and_copyright_notices_are_furniture(line: str) -> None:
    article = digest_lines(line, HEADLINE, *BODY)
    assert article.title == HEADLINE and article.removed == [line]
    article = digest_lines(HEADLINE, *BODY, line)
    assert article.removed == [line] and [s.text for s in article.sentences] == BODY


def test_an_invented_cms_export_with_every_kind_of_furniture() -> None:
    furniture_top = ["الوطن | الأحد 12 مارس 2025", "الرئيسية > صحة"]
    under_headline = ["نشر في: 12/03/2025 - 10:45", "كتب: أحمد سمير", "مستشفى حكومي في الجنوب (أرشيفية)"]
    related = ["اقرأ أيضا", "الحكومة ترفع أسعار الوقود مطلع الشهر المقبل", "ارتفاع الصادرات الزراعية بنسبة كبيرة"]
    tail = ["الوسوم: الصحة، المستشفيات", "شارك", "فيسبوك تويتر واتساب", "0 تعليق", "اترك تعليقاً"]
    lines = [
        *furniture_top,
        LONG_HEADLINE,
        *under_headline,
        "القاهرة - الوطن - " + BODY[0],
        BODY[1],
        *related,
        BODY[2],
        *tail,
    ]
    article = digest_lines(*lines)
    assert article.title == LONG_HEADLINE
    assert article.dateline == "القاهرة - الوطن -"
    assert [s.text for s in article.sentences] == BODY and article.sections == []
    assert sorted(article.removed) == sorted([*furniture_top, *under_headline, *related, *tail])


def test_the_site_name_before_a_headline_is_left_out() -> None:
    assert digest_lines("الوطن نيوز - " + HEADLINE, *BODY).title == HEADLINE
    assert digest_lines("Alwatan | " + HEADLINE, *BODY).title == HEADLINE


def test_a_closing_section_that_names_what_the_body_named_is_no_other_storys_teaser() -> None:
    """A sub-heading and paragraph at the end share no word with the headline and lead, but name what the body
    named (the loans, the donors): the story's own last section, kept. Another story's teaser names nothing of it."""
    section = "شروط التمويل"
    closing = "وتشترط القروض الميسرة التي قدمتها الجهات المانحة سدادها على مدى عشرين سنة بفائدة منخفضة."
    kept = digest_lines(HEADLINE, *BODY, section, closing)
    assert closing in [s.text for s in kept.sentences] and closing not in kept.removed
    other = "فاز المنتخب الوطني لكرة القدم على ضيفه بثلاثة أهداف نظيفة في مباراة ودية أقيمت مساء أمس."
    teased = digest_lines(HEADLINE, *BODY, "فوز ودي للمنتخب", other)
    assert other in teased.removed and [s.text for s in teased.sentences] == BODY


def test_a_short_sentence_the_page_repeats_keeps_its_first_copy_a_repeated_caption_goes() -> None:
    sentence = "وأكد الوزير ذلك مرة أخرى."
    caption = "صورة الوزير"
    article = digest_lines(HEADLINE, BODY[0], caption, BODY[1], sentence, BODY[2], sentence, caption)
    texts = [s.text for s in article.sentences]
    assert texts.count(sentence) == 1 and article.removed.count(sentence) == 1
    assert caption not in " ".join(texts) and article.removed.count(caption) == 2


def test_a_date_in_a_sentence_or_a_name_is_no_hijri_stamp() -> None:
    assert not is_stamp("وصل الوفد في 3 رمضان 1446 هـ إلى العاصمة")
    assert not is_stamp("سامي رمضان 12")


@pytest.mark.parametrize(
    "line",
    ["نائب رئيس التحرير سامي العلي", "رئيس مجلس الإدارة ورئيس التحريرسامي العلي", "مدير النشر ليلى حسن"],
)
def test_masthead_lines_naming_the_editors_are_furniture(line: str) -> None:
    # Between paragraphs a short unpunctuated line would read as a sub-heading: its masthead role says otherwise.
    article = digest_lines(HEADLINE, BODY[0], line, *BODY[1:])
    assert article.title == HEADLINE and line in article.removed and article.sections == []
    assert [s.text for s in article.sentences] == BODY


def test_a_sentence_about_a_board_chairman_is_news() -> None:
    line = "وقال رئيس مجلس الإدارة إن الشركة حققت أرباحا كبيرة في الربع الأول من العام الجاري."
    article = digest_lines(HEADLINE, BODY[0], line)
    assert line not in article.removed and article.sentences[-1].text == line


def test_a_long_headline_under_a_masthead_and_a_two_calendar_stamp_is_the_title() -> None:
    long_headline = "وزارة الصحة تطلق خطة واسعة لتوسيع شبكة المستشفيات في المحافظات الجنوبية والقرى النائية"
    lines = ["صحيفة الخبر", "الأحد 14 سبتمبر 2025 10:15 م 22 ربيع أول 1447 هـ", "رئيس التحرير: سامي العلي"]
    article = digest_lines(*lines, long_headline, *BODY)
    assert article.title == long_headline
    assert [s.text for s in article.sentences] == BODY


def test_a_bulleted_deck_is_no_headline_but_the_stories_sections() -> None:
    deck = ["- عشرة مستشفيات جديدة في المحافظات الجنوبية", "• التمويل من الموازنة العامة وقروض ميسرة"]
    article = digest_lines(*deck, *BODY)
    assert article.title is None and article.sections == deck and article.removed == []
    assert [s.text for s in article.sentences] == BODY
    article = digest_lines(HEADLINE, *deck, *BODY)
    assert article.title == HEADLINE and article.sections == deck and article.removed == []


def test_a_bulleted_line_is_never_the_headline() -> None:
    article = digest_lines("- وزارة الصحة تعلن خطة لتوسيع شبكة المستشفيات", *BODY)
    assert article.title is None and [s.text for s in article.sentences] == BODY


def test_dated_links_after_the_story_are_furniture() -> None:
    links = ["- 2024-11-02افتتاح جسر جديد فوق النهر في العاصمة", "2024-10-28 وزير المالية يعرض مشروع الموازنة"]
    article = digest_lines(HEADLINE, *BODY, *links)
    assert article.removed == links and [s.text for s in article.sentences] == BODY
    # The lead's own glued publication stamp is not a link: the lead stays.
    article = digest_lines(HEADLINE, "2024-11-02 " + BODY[0], *BODY[1:])
    assert article.sentences[0].text == BODY[0] and article.removed == []


def test_another_storys_teaser_above_the_lead_is_furniture_a_trailing_lead_is_not() -> None:
    ticker = "ارتفعت أسعار الذهب في الأسواق العالمية مع نهاية الأسبوع. وقال متعاملون إن الطلب زاد..."
    article = digest_lines(ticker, *BODY)
    assert article.removed == [ticker] and [s.text for s in article.sentences] == BODY
    # A lead that trails off still names the story the next paragraphs tell: it stays.
    lead = "أعلنت وزارة الصحة اليوم عن خطة جديدة لبناء المستشفيات. وتشمل الخطة تأهيل المراكز الصحية في الجنوب..."
    article = digest_lines(lead, *BODY[1:])
    assert article.removed == [] and article.sentences[0].text == lead.split(". ")[0] + "."


def digest_html(html: str) -> Article:
    return segment(clean_article(html, "html", FURNITURE))


PARAGRAPHS = "".join(f"<p>{b}</p>" for b in BODY)


def test_a_logo_in_the_h1_gives_way_to_the_heading_that_announces_the_lead() -> None:
    article = digest_html(f"<article><h1>الخبر اليوم</h1><h2>{HEADLINE}</h2>{PARAGRAPHS}</article>")
    assert article.title == HEADLINE and article.removed == ["الخبر اليوم"]
    # A short h1 with nothing better under it stays the headline.
    article = digest_html(f"<article><h1>حريق المصنع</h1>{PARAGRAPHS}</article>")
    assert article.title == "حريق المصنع"


def test_a_markup_sub_heading_under_the_headline_that_tells_the_story_is_its_deck() -> None:
    deck = "عشرة مستشفيات جديدة في المحافظات الجنوبية"
    article = digest_html(f"<article><h1>{HEADLINE}</h1><h3>{deck}</h3>{PARAGRAPHS}</article>")
    assert article.title == HEADLINE and article.sections == [deck] and article.removed == []
    # A label in a heading tells no story: it goes.
    article = digest_html(f"<article><h1>{HEADLINE}</h1><h3>أخبار محلية</h3>{PARAGRAPHS}</article>")
    assert article.sections == [] and article.removed == ["أخبار محلية"]


def test_a_bulleted_list_inside_the_story_and_its_introduction_are_news() -> None:
    intro = "وتشمل الخطة ما يلي:"
    items = ["- بناء عشرة مستشفيات جديدة في الجنوب", "- تأهيل المراكز الصحية في القرى"]
    article = digest_lines(HEADLINE, BODY[0], intro, *items, *BODY[1:])
    assert article.removed == [] and article.sections == []
    assert [s.text for s in article.sentences] == [BODY[0], intro, *items, *BODY[1:]]
