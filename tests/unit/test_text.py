"""Cleaning, HTML parsing and segmentation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.config import HOME
from service.text.arabic import arabic_ratio, clean_display, normalize, stem
from service.text.clean import Furniture, clean_article
from service.text.html import html_to_blocks
from service.text.segment import quote_spans, segment, split_sentences

FURNITURE = Furniture.load(HOME / "config" / "boilerplate.toml")


def test_display_cleaning_drops_invisible_marks_and_tatweel_but_keeps_diacritics() -> None:
    raw = "ال\u200fعـــربية\u200b \ufeffأنَّ"
    assert clean_display(raw) == "العربية أنَّ"


def test_matching_normalisation_unifies_alef_ya_and_strips_diacritics() -> None:
    assert normalize("أيضاً") == normalize("ايضا") == "ايضا"
    assert normalize("إلى") == "الي"


def test_light_stem_removes_article_and_suffixes_but_keeps_three_letters() -> None:
    assert stem(normalize("والعلاقات")) == "علاق"
    assert stem("سور") == "سور"


def test_arabic_ratio_counts_letters_only() -> None:
    ratio, ar, lat = arabic_ratio("مرحبا hello 123 !!")
    assert (ar, lat) == (5, 5) and ratio == 0.5


@pytest.mark.parametrize(
    "line",
    ["تابعونا عبر فيسبوك", "شاهد أيضاً: خبر آخر", "شاهد أيضًا خبر", "اقرأ أيضا: عنوان", "ذات صلة", "تابعونا على تويتر"],
)
def test_furniture_lines_are_recognised_in_any_spelling(line: str) -> None:
    assert FURNITURE.matches(line)


def test_a_long_paragraph_that_starts_like_furniture_is_kept() -> None:
    line = "تابعونا عبر فيسبوك " + "نص حقيقي طويل " * 30
    assert not FURNITURE.matches(line)


def test_example_furniture_is_removed_verbatim(example_text: str) -> None:
    article = segment(clean_article(example_text, "text", FURNITURE))
    assert article.removed.count("تابعونا عبر فيسبوك") == 3
    assert any(line.startswith("شاهد أيضاً: هوكشتاين") for line in article.removed)
    body = " ".join(s.text for s in article.sentences)
    assert "فيسبوك" not in body and "هوكشتاين" not in body


def test_example_structure(example_text: str) -> None:
    article = segment(clean_article(example_text, "text", FURNITURE))
    assert article.title == "لقاءات متتابعة للصباغ في طهران.. والمقاومة أولوية النقاش ؟!"
    assert article.sections == ["دعوة للزيارة", "تنسيق مشترك", "ركائز المحور"]
    assert len(article.sentences) == 11
    assert [s.section for s in article.sentences][:3] == [None, 0, 0]


def test_no_split_on_arabic_comma_inside_quotes_abbreviations_or_decimals() -> None:
    text = "قال د. أحمد إن النمو بلغ 3.5 بالمئة، وأضاف: «هذا رقم جيد. لكنه لا يكفي». ثم غادر القاعة! هل يعود؟ نعم"
    assert split_sentences(text) == [
        "قال د. أحمد إن النمو بلغ 3.5 بالمئة، وأضاف: «هذا رقم جيد. لكنه لا يكفي».",
        "ثم غادر القاعة!",
        "هل يعود؟",
        "نعم",
    ]


def test_the_arabic_double_dot_pause_does_not_end_a_sentence() -> None:
    assert split_sentences("هوكشتاين من بيروت.. هناك تقدم.") == ["هوكشتاين من بيروت.. هناك تقدم."]


def test_misplaced_quote_marks_are_paired_as_a_reader_would() -> None:
    text = "أكد ولايتي أن” سوريا وإيران ركيزتان. وأنه كلما عززتا علاقاتهما زاد المحور قوة”."
    spans = quote_spans(text)
    assert len(spans) == 1 and text[spans[0][0]] == "”" and text[spans[0][1] - 1] == "”"
    assert len(split_sentences(text)) == 1


def test_a_huge_sentence_without_punctuation_is_segmented_in_linear_time() -> None:
    text = "كلمة " * 4000  # 20,000 characters, no punctuation
    started = time.perf_counter()
    sentences = split_sentences(text.strip())
    assert len(sentences) == 1 and len(sentences[0]) == len(text.strip())
    assert time.perf_counter() - started < 5  # a guard against a hang, not a speed goal


def test_html_parser_keeps_paragraphs_and_headings_and_drops_scripts_styles_comments() -> None:
    html = """<html><head><title>عنوان الصفحة</title><style>p{color:red}</style></head><body>
      <h1>العنوان &amp; الخبر</h1><!-- تعليق مخفي --><script>var x = "نص خبيث";</script>
      <p>الفقرة <b>الأولى</b> هنا.</p><h2>قسم فرعي</h2><div><p>الفقرة الثانية.</p></div></body></html>"""
    blocks = html_to_blocks(html)
    assert [(b.kind, b.text) for b in blocks] == [
        ("title", "العنوان & الخبر"),
        ("paragraph", "الفقرة الأولى هنا."),
        ("heading", "قسم فرعي"),
        ("paragraph", "الفقرة الثانية."),
    ]


def test_deeply_nested_html_does_not_exhaust_recursion() -> None:
    html = "<div>" * 5000 + "<p>نص عميق جدا.</p>" + "</div>" * 5000
    # Past the default depth limit on purpose: the walk itself must not recurse.
    assert [b.text for b in html_to_blocks(html, max_depth=10_000)] == ["نص عميق جدا."]


def test_html_article_segments_like_the_text_one(example_text: str) -> None:
    lines = example_text.strip().split("\n")
    html = f"<h1>{lines[0]}</h1>" + "".join(
        f"<h2>{line}</h2>" if line in ("دعوة للزيارة", "تنسيق مشترك", "ركائز المحور") else f"<p>{line}</p>"
        for line in lines[1:]
    )
    from_html = segment(clean_article(html, "html", FURNITURE))
    from_text = segment(clean_article(example_text, "text", FURNITURE))
    assert from_html.title == from_text.title
    assert from_html.sections == from_text.sections
    assert [s.text for s in from_html.sentences] == [s.text for s in from_text.sentences]


def test_given_title_is_not_repeated_as_a_body_line() -> None:
    article = segment(clean_article("عنوان الخبر\nنص الخبر الأول هنا.", "text", FURNITURE), title="عنوان الخبر")
    assert article.title == "عنوان الخبر"
    assert [s.text for s in article.sentences] == ["نص الخبر الأول هنا."]


def test_example_in_repo_is_the_shared_one(example_text: str) -> None:
    shared = HOME.parent / "shared" / "examples" / "syria-iran-talks.ar.txt"
    if not shared.exists():
        pytest.skip("no ../shared beside this checkout")
    assert Path(shared).read_text(encoding="utf-8") == example_text


@pytest.mark.parametrize(
    "line",
    [
        "سجل الاقتصاد المصري نموا بنسبة 4.2% هذا العام.",
        "سجّل الجيش تقدماً على جبهة الشمال.",
        "شارك في الاجتماع وزراء خارجية الدول العربية.",
        "اشترك في العملية عدد من الجنود.",
        "شاهد العيان قال إن الانفجار وقع صباحا.",
    ],
)
def test_news_sentences_that_start_with_furniture_verbs_are_kept(line: str) -> None:
    assert not FURNITURE.matches(line)
