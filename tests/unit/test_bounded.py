"""Bounded text steps (issue 10, findings 2, 8, 17, 18): quote finding, spans, figures, HTML depth,
the language share and control characters."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.config import HOME
from service.errors import MarkupTooDeep
from service.highlights import quotes
from service.highlights.figures import find_figures
from service.highlights.quotes import find_quotes
from service.highlights.types import Entity
from service.text.arabic import arabic_ratio, clean_display, strip_controls
from service.text.clean import Furniture, clean_article
from service.text.html import MAX_HTML_DEPTH, check_markup_depth, html_to_blocks, markup_depth
from service.text.segment import Sentence, quote_spans, split_sentences

FURNITURE = Furniture.load(HOME / "config" / "boilerplate.toml")
SABBAGH = [Entity("حسين الصباغ", None, ["الصباغ"], 1)]


def quotes_of(text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.ar) for q in find_quotes([Sentence(0, text, 0, None)], SABBAGH)]


# -- quote spans: the indexed version answers what a plain forward scan answers ------------------------


def scan_quote_spans(text: str) -> list[tuple[int, int]]:
    """The specification: from each opener, scan forward (at most 2,000 characters) for a closer."""
    closers = {"«": "»", "“": "”“", "„": "”“", '"': '"', "”": "”"}
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        accept = closers.get(text[i])
        end = -1
        if accept is not None:
            for j in range(i + 1, min(len(text), i + 2000)):
                if text[j] in accept:
                    end = j
                    break
                if text[i] == "”" and text[j] in "“«":
                    break
        if end == -1:
            i += 1
        else:
            spans.append((i, end + 1))
            i = end + 1
    return spans


marks_and_words = st.lists(st.sampled_from([*'«»“”„".!؟ ', "قال ", "كلمة ", "..."]), max_size=80).map("".join)


@settings(max_examples=400, deadline=None)
@given(marks_and_words)
def test_quote_spans_match_a_forward_scan(text: str) -> None:
    assert quote_spans(text) == scan_quote_spans(text)


@pytest.mark.parametrize("length", [1997, 1998, 1999, 2000])
def test_a_quotation_is_closed_only_within_2000_characters(length: int) -> None:
    text = "«" + "ب" * length + "»"
    assert quote_spans(text) == scan_quote_spans(text)
    assert bool(quote_spans(text)) == (length + 1 < 2000)


def test_a_run_of_opening_marks_has_no_span_and_splits_nowhere() -> None:
    text = "مقدمة " + "«" * 59_000
    assert quote_spans(text) == []
    assert split_sentences(text) == [text]


def test_a_run_of_stops_without_a_space_after_does_not_end_a_sentence() -> None:
    text = "كلمة " + "." * 10_000 + "x وبعدها جملة."
    assert split_sentences(text) == [text]
    assert split_sentences("أولى... ثانية.") == ["أولى... ثانية."]
    assert split_sentences("أولى!! ثانية؟") == ["أولى!!", "ثانية؟"]


# -- reported speech after a stray closing mark ----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["قال", "بأن", " ", "\u00a0", "أن", "وأنّ", ":", "x", "فإنَّ", "ن"]), max_size=20).map(
        "".join
    ),
    st.data(),
)
def test_intro_lookup_answers_what_a_regex_search_answers(text: str, data: st.DataObject) -> None:
    intros = quotes._Intros(text)
    start = data.draw(st.integers(1, len(text) + 1))
    end = data.draw(st.integers(0, len(text) + 1))
    expected = quotes._INTRO.search(text, start, end)
    got = intros.after(start, end)
    assert (got.span() if got else None) == (expected.span() if expected else None)


def test_a_stray_closing_mark_closes_the_speech_its_verb_opened() -> None:
    text = "وأضاف الصباغ أن الظروف الصعبة ما زالت مستمرة” في المنطقة"
    assert quotes_of(text) == [("حسين الصباغ", "الظروف الصعبة ما زالت مستمرة")]


def test_each_stray_closing_mark_after_its_own_verb_is_a_quote() -> None:
    text = "قال الصباغ إن الوضع صعب جدا اليوم» وأضاف أن الحل قريب من الجميع»"
    assert [q for _, q in quotes_of(text)] == ["الوضع صعب جدا اليوم", "الحل قريب من الجميع"]


def test_a_second_stray_mark_without_a_new_verb_does_not_repeat_the_quote() -> None:
    # Before: the second mark gave the first quote again, longer ("… اليوم» والحل قريب من الجميع").
    text = "قال الصباغ إن الوضع صعب جدا اليوم» والحل قريب من الجميع»"
    assert [q for _, q in quotes_of(text)] == ["الوضع صعب جدا اليوم"]


def test_a_too_short_stray_quote_does_not_hide_a_longer_one() -> None:
    text = "أكد أن الحل» الحل قريب جدا من الجميع”"
    assert [q for _, q in quotes_of(text)] == ["الحل» الحل قريب جدا من الجميع"]


def test_a_speaker_is_named_by_the_last_verb_before_the_quote() -> None:
    text = "قال الوزير كلاما، ثم أكد الصباغ «إن الحوار مستمر بين البلدين» وقال آخرون «كلام آخر طويل هنا»"
    # «آخرون» names nobody: the speaker is null, as the corpus convention says (tests/corpus/README.md).
    assert quotes_of(text) == [("حسين الصباغ", "إن الحوار مستمر بين البلدين"), (None, "كلام آخر طويل هنا")]


def test_attribution_after_the_quote_is_found() -> None:
    assert quotes_of("«الحوار مستمر بين البلدين»، قال الصباغ") == [("حسين الصباغ", "الحوار مستمر بين البلدين")]


# -- figures ---------------------------------------------------------------------------------------------


def figures_of(text: str) -> list[tuple[str, str, str | None]]:
    return [(f.ar, f.kind, f.value) for f in find_figures([Sentence(0, text, 0, None)])]


def test_figures_keep_their_kinds_and_values() -> None:
    text = "ارتفع 3.5% و12 مليون دولار في 5 يناير 2024 و$٣٫٤ ثم عام 2020 و7"
    assert figures_of(text) == [
        ("3.5%", "percent", "3.5"),
        ("12 مليون دولار", "money", "12000000"),
        ("5 يناير 2024", "date", "2024-01-05"),
        ("$٣٫٤", "money", "3.4"),
        ("عام 2020", "date", "2020"),
        ("7", "number", "7"),
    ]


def test_a_long_run_of_digits_is_one_number() -> None:
    digits = "1" * 50_000
    assert figures_of(f"عدد {digits} x") == [(digits, "number", digits)]
    chain = "1." * 20_000 + "1"
    # A chain of dots is no number: many small ones, the last a percentage, found in linear time.
    assert [f[1] for f in figures_of(f"عدد {chain}%")][-1] == "percent"


# -- HTML depth ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "depth"),
    [
        ("<div>" * 300, 300),
        ("<ul><li>" * 300, 300),  # the lists count; each li closes the last
        ("<div/>" * 300, 300),  # a self-closed div still opens, as HTML parsers do
        ("<p>نص" * 300, 0),  # paragraphs left open close each other
        ("<li>نص" * 300, 0),
        ("<div>نص</div>" * 300, 1),
        ("<svg>" + "<path d='m0 0'/>" * 300 + "</svg>", 1),  # self-closed inside svg opens nothing
        ("<svg><title>" + "<div>" * 300, 302),  # svg's title holds markup: counted
        ("<script>" + "<div>" * 300 + "</script><p>نص", 0),  # script text is no markup
        ("<!--" + "<div>" * 300 + "-->", 0),
        ("<div title='a>b'>" * 300, 300),  # a quoted ">" does not end the tag
        ("<br><img src=x><hr>" * 300, 0),
        ("<div><span><b>نص</div>" * 300, 3),  # a closing tag closes what it encloses
    ],
)
def test_markup_depth_counts_what_a_parser_nests(html: str, depth: int) -> None:
    assert markup_depth(html) == depth


def test_deep_markup_is_refused_with_the_depth_and_the_limit() -> None:
    html = "<p>نص</p>" + "<ul><li>" * 28_000 + "نص"
    with pytest.raises(MarkupTooDeep) as exc:
        clean_article(html, "html", FURNITURE)
    assert exc.value.status_code == 413
    assert "28000 levels" in exc.value.detail and f"limit is {MAX_HTML_DEPTH}" in exc.value.detail
    assert exc.value.extra == {"limit": MAX_HTML_DEPTH, "depth": 28_000}


def test_the_depth_limit_is_a_parameter() -> None:
    html = "<div>" * 20 + "<p>نص عميق.</p>" + "</div>" * 20
    assert [b.text for b in html_to_blocks(html, max_depth=20)] == ["نص عميق."]
    with pytest.raises(MarkupTooDeep):
        html_to_blocks(html, max_depth=19)
    with pytest.raises(MarkupTooDeep):
        clean_article(html, "html", FURNITURE, max_html_depth=10)
    check_markup_depth("<div>" * MAX_HTML_DEPTH)  # at the limit: accepted


def test_an_unterminated_tag_or_comment_ends_the_scan() -> None:
    assert markup_depth("<div><div><p a='" + "<div>" * 100) == 2
    assert markup_depth("<div><!-- " + "<div>" * 100) == 1


# -- the language share over all letters ----------------------------------------------------------------


def test_every_script_counts_against_the_arabic_share() -> None:
    ratio, arabic, other = arabic_ratio("你好世界" * 100 + " مرحبا")
    assert (arabic, other) == (5, 400) and ratio < 0.02
    ratio, arabic, other = arabic_ratio("Привет мир مرحبا بكم")
    assert (arabic, other) == (8, 9)
    assert arabic_ratio("١٢٣ 456 !! ـ") == (0.0, 0, 0)  # digits and marks are no letters


def test_arabic_script_letters_of_every_block_count_as_arabic() -> None:
    # Persian letters, Arabic supplement and presentation forms (before NFKC) are Arabic script.
    ratio, arabic, other = arabic_ratio("پچژگ ݐ ﻻ abc")
    assert (arabic, other) == (6, 3) and ratio == pytest.approx(6 / 9)


# -- control characters ---------------------------------------------------------------------------------


def test_strip_controls_removes_controls_and_bidi_but_keeps_text() -> None:
    assert strip_controls("a\x00b\u202ec\u2066d\u2069e\x85f\x9bg\x7fh") == "abcde fgh"
    assert strip_controls("سطر\tثان\nثالث\r\x0bرابع") == "سطر ثان ثالث  رابع"
    assert strip_controls("العربية\u200f (RLM) é 😀") == "العربية (RLM) é 😀"
    all_controls = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)])) + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
    assert re.fullmatch(r" *", strip_controls(all_controls))


def test_removed_lines_come_back_without_controls() -> None:
    text = "تابعونا عبر\u202e فيسبوك\x00\u2066\nهذا نص الخبر الكامل وفيه جمل كثيرة.\n\x01اقرأ أيضاً\u2069: خبر آخر"
    clean = clean_article(text, "text", FURNITURE)
    assert clean.removed == ["تابعونا عبر فيسبوك", "اقرأ أيضاً: خبر آخر"]
    assert [b.text for b in clean.blocks] == ["هذا نص الخبر الكامل وفيه جمل كثيرة."]


def test_c1_controls_do_not_reach_the_article_text() -> None:
    assert clean_display("نص\x85آخر\x9b هنا\x80") == "نص آخر هنا "
