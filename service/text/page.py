"""Whole web pages reduced to their article with trafilatura, before Khulasa's own cleaning.

A page as a browser receives it (menus, cookie notices, related stories, share bars, comment forms) is not an
article fragment: `is_whole_page` tells them apart cheaply, `extract_page` keeps the body (one paragraph per
line) and takes the page's own headline (its <h1>, else og:title, else <title> less the site name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode

from service.text.structure import without_site_name

HeadlineSource = Literal["h1", "og:title", "title", "none"]

# Markup only a whole page has: a document head, page-level navigation, or an <html>/<body> wrapper.
_PAGE_MARKERS = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|nav[\s>]|header[\s>]|footer[\s>])", re.I)
_HEAD_BYTES = 4096  # the markers sit at the top of a page: look only there
# What only a page around an article has: navigation, page header/footer, asides, forms, a document head.
_FURNITURE_MARKERS = re.compile(r"<(?:nav|header|footer|aside|form|menu|head)[\s>]", re.I)
# A wrapper (<html><body>) around a short fragment is still a fragment: Khulasa's own cleaner keeps its structure.
_FRAGMENT_CHARS = 20_000
# «Headline | Site», «Headline - Site»: the site's name after the last separator.
_TITLE_SITE = re.compile(r"\s+[|\-–—»]\s+[^|\-–—»]{1,40}$")  # not a colon: «وزير الخارجية: …» is a headline
_MAX_HEADLINE = 300


@dataclass(frozen=True)
class PageArticle:
    """The article of a web page: its headline, and its text with one paragraph per line."""

    title: str | None
    text: str
    headline_source: HeadlineSource
    html: str = ""  # the article as simple HTML (headings, paragraphs, lists), for the HTML cleaner


def is_whole_page(html: str) -> bool:
    """True when the input is a whole page (doctype, <html>, <head>, <body>, <nav>…), not an article fragment."""
    if not (_PAGE_MARKERS.search(html[:_HEAD_BYTES]) or _PAGE_MARKERS.search(html[-_HEAD_BYTES:])):
        return False
    return len(html) > _FRAGMENT_CHARS or bool(_FURNITURE_MARKERS.search(html))


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text[:_MAX_HEADLINE] if text else None


def _words(text: str) -> set[str]:
    return set(text.split())


def _agrees(h1: str, meta: str) -> bool:
    """An <h1> is the headline the page's metadata names: most of its words are in og:title or <title>."""
    words = _words(h1)
    return bool(words) and len(words & _words(meta)) >= max(2, (2 * len(words) + 2) // 3)


def _in_page_header(node: LexborNode) -> bool:
    """A logo: an <h1> inside the page's <header> or <nav>, outside any <article> or <main>."""
    parent = node.parent
    while parent is not None:
        if parent.tag in ("article", "main"):
            return False
        if parent.tag in ("header", "nav"):
            return True
        parent = parent.parent
    return False


def _headline(tree: HTMLParser) -> tuple[str | None, HeadlineSource]:
    """The page's own headline: the <h1> its metadata (og:title, <title>) agrees with, else og:title, else <title>
    without the site's name; with no metadata, the first <h1> that is not the site's logo."""
    og = tree.css_first('meta[property="og:title"]') or tree.css_first('meta[name="twitter:title"]')
    og_text = _clean(og.attributes.get("content")) if og is not None else None
    title_node = tree.css_first("title")
    title_text = _clean(title_node.text()) if title_node is not None else None
    # What the metadata names, without the site's name it appends («Headline | Site»).
    metas = [_TITLE_SITE.sub("", m) or m for m in (og_text, title_text) if m]
    h1s: list[tuple[str, LexborNode]] = []
    for node in tree.css("h1"):
        text = _clean(node.text(separator=" "))
        if text and len(text.split()) >= 2:
            h1s.append((text, node))
    # The site's own name (og:site_name, or what the titles append after their separator): a logo, never news.
    site_node = tree.css_first('meta[property="og:site_name"]')
    sites = {_clean(site_node.attributes.get("content")) if site_node is not None else None}
    sites |= {m[len(_TITLE_SITE.sub("", m)) :].strip(" |-–—:»") for m in (og_text, title_text) if m}
    articles = [text for text, node in h1s if not _in_page_header(node) and text not in sites]
    for text in articles:
        if any(_agrees(text, m) for m in metas):
            return text, "h1"
    if articles:
        return articles[0], "h1"  # an editor's headline may differ from the page's SEO title
    if og_text:
        # og:title seldom carries the site's name: only a clear one (after a pipe, or a media name) goes.
        return without_site_name(og_text), "og:title"
    if title_text:
        return _TITLE_SITE.sub("", title_text) or title_text, "title"
    return (h1s[0][0], "h1") if h1s else (None, "none")


def extract_page(html: str) -> PageArticle:
    """The article of a whole page: trafilatura's main text (comments, menus, related links out) and headline."""
    import trafilatura  # deferred: its import costs ~0.3 s, and only pages need it

    tree = HTMLParser(html)
    title, source = _headline(tree)
    text = trafilatura.extract(
        html,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=True,
        deduplicate=False,
        with_metadata=False,
    )
    if not text:  # nothing recognised as an article: fall back to recall-oriented extraction
        text = trafilatura.extract(html, output_format="txt", include_comments=False, favor_recall=True)
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    # The headline often opens the extracted text as well: keep it once, as the title.
    if title and lines and " ".join(lines[0].split()) == title:
        lines = lines[1:]
    # The same extraction with its structure kept: sub-headings stay sub-headings.
    structured = trafilatura.extract(
        html,
        output_format="html",
        include_formatting=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=bool(text),
        favor_recall=not text,
        deduplicate=False,
    )
    return PageArticle(title, "\n".join(lines), source, structured or "")
