"""Whole web pages: recognised cheaply, reduced to the article and its own headline with trafilatura."""

from __future__ import annotations

import time

from service.text.page import extract_page, is_whole_page

PARAGRAPHS = [
    "أعلنت وزارة الصحة المصرية اليوم الثلاثاء عن إطلاق حملة وطنية جديدة للتطعيم ضد شلل الأطفال في جميع المحافظات.",
    "وقال المتحدث باسم الوزارة إن الحملة تستهدف أكثر من 16 مليون طفل دون سن الخامسة خلال أسبوع واحد فقط.",
    "وأضاف أن فرق التطعيم ستزور المنازل والمدارس ودور الحضانة في القرى والمدن، مع توفير نقاط ثابتة في المراكز الصحية.",
    "وأكدت الوزارة أن اللقاح آمن وفعال ومجاني، داعية الأسر إلى التعاون مع الفرق الطبية لحماية الأطفال من المرض.",
]
HEADLINE = "الصحة تطلق حملة وطنية للتطعيم ضد شلل الأطفال"


def page(filler_kb: int = 0) -> str:
    related = "".join(f'<li><a href="/news/{k}">خبر ذو صلة رقم {k} عن موضوع آخر</a></li>' for k in range(30))
    menu = "".join(f'<li><a href="/s/{k}">قسم {k}</a></li>' for k in range(20))
    filler = '<div class="ad" data-x="' + "x" * 1000 + '"></div>'
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<!DOCTYPE html><html lang='ar' dir='rtl'><head><meta charset='utf-8'>"
        f"<title>{HEADLINE} | موقع الأخبار</title>"
        f'<meta property="og:title" content="{HEADLINE}"></head><body>'
        f"<header><nav><ul>{menu}</ul></nav><div class='cookie'>نستخدم ملفات تعريف الارتباط لتحسين تجربتك</div>"
        "</header>"
        f"<main><article><h1>{HEADLINE}</h1><div class='share'>شارك عبر فيسبوك تويتر واتساب</div>{body}</article>"
        f"<aside><h3>اقرأ أيضا</h3><ul>{related}</ul></aside>"
        "<section id='comments'><h3>اترك تعليقاً</h3><form><textarea></textarea>10 + 11 =</form></section>"
        f"</main>{filler * filler_kb}<footer>جميع الحقوق محفوظة © 2025</footer></body></html>"
    )


def test_a_fragment_is_not_a_page_and_a_page_is() -> None:
    assert not is_whole_page("<p>فقرة أولى</p><p>فقرة ثانية</p>")
    assert not is_whole_page("<article><h2>عنوان</h2><p>نص</p></article>")
    assert is_whole_page(page())
    # A short fragment in an <html><body> wrapper is still a fragment: the HTML cleaner keeps its headings.
    assert not is_whole_page("<html><body><h1>عنوان</h1><h2>قسم</h2><p>نص</p></body></html>")
    assert is_whole_page("<html><head><title>t</title></head><body><p>نص</p></body></html>")


def test_the_article_and_its_own_headline_without_menus_related_links_or_comments() -> None:
    result = extract_page(page())
    assert result.title == HEADLINE and result.headline_source == "h1"
    lines = result.text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines
    for furniture in ("قسم 3", "خبر ذو صلة", "ملفات تعريف الارتباط", "اترك تعليقاً", "جميع الحقوق", "10 + 11"):
        assert furniture not in result.text


def test_og_title_when_there_is_no_h1() -> None:
    html = page().replace(f"<h1>{HEADLINE}</h1>", "")
    result = extract_page(html)
    assert result.title == HEADLINE and result.headline_source == "og:title"


def test_half_a_megabyte_page_is_extracted_quickly() -> None:
    html = page(filler_kb=500)
    assert len(html) > 500_000
    extract_page(page())  # first call pays trafilatura's import
    start = time.perf_counter()
    result = extract_page(html)
    elapsed = time.perf_counter() - start
    assert PARAGRAPHS[0] in result.text
    assert elapsed < 2.0, elapsed  # a generous bound for a shared 2-core machine; measured far less


def test_the_sites_logo_in_an_h1_is_not_the_headline() -> None:
    logo = "<h1 class='logo'><a href='/'>موقع الأخبار</a></h1>"
    # The logo in the page header, the headline an <h2>: og:title names the headline.
    html = page().replace("<header>", f"<header>{logo}").replace(f"<h1>{HEADLINE}</h1>", f"<h2>{HEADLINE}</h2>")
    result = extract_page(html)
    assert result.title == HEADLINE and result.headline_source == "og:title"
    # No og:title: the <title> without the site's name.
    html = html.replace(f'<meta property="og:title" content="{HEADLINE}">', "")
    result = extract_page(html)
    assert result.title == HEADLINE and result.headline_source == "title"
    # The logo in an <h1> outside the header, but it is the site's name the <title> appends.
    html = page().replace("<main>", f"<div>{logo}</div><main>")
    assert extract_page(html).title == HEADLINE


def test_an_h1_that_differs_from_the_seo_title_is_still_the_headline() -> None:
    html = page().replace(f'content="{HEADLINE}"', 'content="حملة تطعيم واسعة في مصر"')
    result = extract_page(html)
    assert result.title == HEADLINE and result.headline_source == "h1"
