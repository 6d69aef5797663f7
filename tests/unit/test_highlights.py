"""Extractive summary, key points, quotes, entities and figures, on the example and on small cases."""

from __future__ import annotations

import pytest

from service.config import HOME
from service.highlights import extract_highlights
from service.highlights.figures import find_figures
from service.highlights.lexicon import Lexicon
from service.highlights.places import Gazetteer
from service.highlights.types import Highlights
from service.summary.extractive import ExtractiveSummarizer
from service.text.clean import Furniture, clean_article
from service.text.rank import SentenceRanker, lead_index
from service.text.segment import Article, Sentence, segment

FURNITURE = Furniture.load(HOME / "config" / "boilerplate.toml")
LEXICON = Lexicon.load(HOME / "config" / "names.toml")
GAZETTEER = Gazetteer.load(HOME / "config" / "places.toml")


def article_of(text: str) -> Article:
    return segment(clean_article(text, "text", FURNITURE))


def highlights_of(text: str) -> Highlights:
    article = article_of(text)
    return extract_highlights(article, SentenceRanker(article), LEXICON, GAZETTEER, 5)


@pytest.fixture(scope="module")
def example(example_text: str) -> Highlights:
    return highlights_of(example_text)


def test_extractive_summary_is_2_to_4_sentences_in_article_order_without_furniture(example_text: str) -> None:
    article = article_of(example_text)
    result = ExtractiveSummarizer(2, 4).summarize(article)
    assert result.method == "extractive"
    assert result.sentence_indexes is not None and 2 <= len(result.sentence_indexes) <= 4
    assert result.sentence_indexes == sorted(result.sentence_indexes)
    assert result.sentence_indexes[0] == 0  # the lead carries the news
    for word in ("فيسبوك", "تابعونا", "هوكشتاين", "شاهد"):
        assert word not in result.text


def test_near_duplicate_sentences_are_not_both_picked() -> None:
    text = "\n".join(
        [
            "أعلنت الحكومة السورية خطة اقتصادية جديدة لدعم المزارعين في الريف.",
            "أعلنت الحكومة السورية خطة اقتصادية جديدة لدعم المزارعين في الريف اليوم.",
            "وقال وزير الزراعة إن الخطة تشمل قروضا ميسرة وبذورا محسنة للموسم المقبل.",
            "ورحب اتحاد الفلاحين بالخطة معتبرا أنها خطوة طال انتظارها.",
            "ويتوقع خبراء أن ترفع الخطة الإنتاج الزراعي خلال عامين.",
        ]
    )
    article = article_of(text)
    picked = ExtractiveSummarizer(2, 4).summarize(article).sentence_indexes or []
    assert not {0, 1} <= set(picked)


def test_the_lead_is_always_in_an_extractive_summary_even_when_the_body_repeats_other_words() -> None:
    # Invented: the lead's words recur nowhere, the body keeps returning to another topic.
    lead = "افتتح محافظ المدينة جسرا معلقا فوق النهر بطول كيلومتر واحد صباح اليوم."
    body = [
        "وتعاني شوارع المدينة من ازدحام المرور في ساعات الذروة منذ سنوات طويلة.",
        "ويقول سائقون إن ازدحام المرور في شوارع المدينة يضاعف زمن الرحلات اليومية.",
        "وتخطط البلدية لتوسيع شوارع المدينة لتخفيف ازدحام المرور في الأحياء المكتظة.",
        "ويرى خبراء أن ازدحام المرور في المدينة يحتاج إلى نقل عام أوسع وأسرع.",
        "وطالب السكان بحلول عاجلة لازدحام المرور في شوارع المدينة الرئيسية.",
    ]
    article = article_of("\n".join([lead, *body]))
    picked = ExtractiveSummarizer(2, 2).summarize(article).sentence_indexes or []
    assert picked[0] == 0 and len(picked) == 2


def test_a_short_first_line_is_not_taken_for_the_lead() -> None:
    lines = ["عاجل جدا.", "أعلنت الحكومة خطة اقتصادية جديدة لدعم المزارعين في الريف.", "وقال الوزير إن الخطة تبدأ غدا."]
    article = article_of("\n".join(lines))
    assert lead_index(article) == 1


def test_a_deck_kept_above_the_lead_is_not_taken_for_it() -> None:
    lines = [
        "الحكومة تطلق خطة لدعم المزارعين",
        "الخطة تشمل قروضا ميسرة وبذورا محسنة وتدريبا للمزارعين في القرى",
        "أعلنت الحكومة اليوم خطة اقتصادية جديدة لدعم المزارعين في الريف بقيمة كبيرة.",
        "وقال الوزير إن الخطة تبدأ غدا في جميع المحافظات الزراعية.",
    ]
    article = article_of("\n".join(lines))
    assert article.sentences[lead_index(article) or 0].text == lines[2]


def test_key_points_are_ranked_sentences_with_scores(example: Highlights) -> None:
    scores = [kp.score for kp in example.key_points]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_example_quotes_are_attributed_to_their_three_speakers(example: Highlights) -> None:
    speakers = [q.speaker for q in example.quotes]
    assert len(example.quotes) >= 5
    assert set(speakers) == {"بسام الصباغ", "علي أكبر أحمديان", "علي أكبر ولايتي"}
    by_start = {q.ar[:12]: q.speaker for q in example.quotes}
    assert by_start["سوريا وإيران"] == "علي أكبر ولايتي"  # opened with a misplaced ”
    assert by_start["الظروف مهما "] == "بسام الصباغ"  # closed by a stray ” after مضيفاً أن
    assert by_start["إن العدو الص"] == "علي أكبر أحمديان"
    for q in example.quotes:
        assert not q.ar.startswith(("“", "”", '"')) and not q.ar.endswith(("“", "”", '"'))


def test_example_people_once_each_whatever_the_form(example: Highlights) -> None:
    people = {p.ar: p for p in example.entities.people}
    for name in ("بسام الصباغ", "مسعود بزشكيان", "علي أكبر أحمديان", "علي أكبر ولايتي"):
        assert name in people
    assert {"صباغ", "الصباغ", "بسام الصباغ"} <= set(people["بسام الصباغ"].surface_forms)
    assert people["بسام الصباغ"].mentions >= 6
    assert not [p for p in people if p in ("صباغ", "الصباغ", "بزشكيان", "أحمديان", "ولايتي")]


def test_example_places_with_english_names_not_nationality_adjectives(example: Highlights) -> None:
    places = {p.ar: p for p in example.entities.places}
    assert {"طهران", "سوريا", "إيران"} <= set(places)
    assert places["سوريا"].en == "Syria" and places["طهران"].en == "Tehran"
    # A nationality adjective is not a mention of the place (tests/corpus guidelines, ANERcorp's LOC).
    assert "السوري" not in places["سوريا"].surface_forms
    assert "بيروت" not in places  # only named in the furniture line


def test_example_organisations(example: Highlights) -> None:
    orgs = [o.ar for o in example.entities.organizations]
    assert "الخارجية السورية" in orgs
    assert any(o.startswith("المجلس الأعلى للأمن القومي") for o in orgs)


def test_hockstein_from_the_furniture_line_is_nowhere(example: Highlights) -> None:
    text = str(example)
    assert "هوكشتاين" not in text


def test_small_case_title_and_given_name_rules() -> None:
    h = highlights_of(
        "قال وزير الخارجية الأردني أيمن الصفدي إن الحل السياسي هو الطريق الوحيد.\n"
        "وأضاف الصفدي: «لن نقبل بأي حل يتجاهل حقوق الشعب الفلسطيني»."
    )
    assert [p.ar for p in h.entities.people] == ["أيمن الصفدي"]
    assert h.quotes[0].speaker == "أيمن الصفدي"
    # الأردني and الفلسطيني are nationality adjectives, not places.
    assert h.entities.places == []


def test_the_preposition_على_is_never_the_name_علي() -> None:
    h = highlights_of("أكد الوزير على أهمية التعاون بين البلدين في المجالات كافة.")
    assert h.entities.people == []


def test_unattributed_quote_has_null_speaker() -> None:
    h = highlights_of("وكتب على اللافتة «لا للحرب في بلادنا» أمام المبنى.")
    assert len(h.quotes) == 1 and h.quotes[0].speaker is None


def test_figures_percent_money_dates_numbers() -> None:
    sentence = Sentence(
        0, "ارتفع التضخم إلى 12.5% في مارس 2024 بعد قرض بقيمة 3 مليارات دولار، وقتل 40 شخصا يوم الأربعاء.", 0, None
    )
    figures = {(f.kind, f.ar) for f in find_figures([sentence])}
    assert ("percent", "12.5%") in figures
    assert ("money", "3 مليارات دولار") in figures
    assert ("date", "مارس 2024") in figures
    assert ("date", "يوم الأربعاء") in figures
    assert ("number", "40") in figures
    assert not any(kind == "number" and ar in ("12.5", "3", "2024") for kind, ar in figures)


def test_arabic_indic_digits_get_a_western_value() -> None:
    figure = find_figures([Sentence(0, "بلغت النسبة ٤٥٪ هذا العام.", 0, None)])[0]
    assert figure.kind == "percent" and figure.value == "45"


def test_a_month_is_not_money_and_diacritics_do_not_split_words() -> None:
    figures = {(f.kind, f.ar) for f in find_figures([Sentence(0, "في 15 يناير دفع 300 ين.", 0, None)])}
    assert ("date", "15 يناير") in figures and ("money", "300 ين") in figures
    assert not any(kind == "money" and "يناير" in ar for kind, ar in figures)
    h = highlights_of("وأكّد الرئيس محمّد العلي أن «المحادثات كانت مثمرة جدا».")
    assert h.quotes and h.quotes[0].speaker == "محمّد العلي"


def test_a_title_resolves_to_the_person_it_introduced_and_anonymous_sources_are_null() -> None:
    h = highlights_of(
        "قال وزير الخارجية، الأمير فيصل بن فرحان، إن «المملكة تعمل على وقف إطلاق النار».\n"
        "وأكد وزير الخارجية أن «الطريق الوحيد هو إقامة الدولة».\n"
        "وقال مصدر أمني لوكالة الأنباء إن «الحريق اندلع في المطعم ليلا»."
    )
    assert [q.speaker for q in h.quotes] == ["فيصل بن فرحان", "فيصل بن فرحان", None]


def test_names_and_case_titles_in_quote_marks_are_not_quotes_but_unclosed_speech_is() -> None:
    h = highlights_of(
        "وقضت المحكمة بسجنه في قضية «سرقة سيارات البث خلال الاعتصام» أمس.\n"
        "وأوضح رئيس القافلة عثمان علي ان القافلة وصلت.\n"
        "وقال” اننا على العهد باقون للدفاع عن الارض"
    )
    assert [(q.speaker, q.ar) for q in h.quotes] == [("عثمان علي", "اننا على العهد باقون للدفاع عن الارض")]
