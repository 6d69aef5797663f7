"""Segmentation: cleaned lines to an article of title, sub-headings, paragraphs and sentences."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from service.text import structure
from service.text.arabic import clean_display, normalize
from service.text.clean import CleanArticle, Furniture

# Quotation marks news prose uses, opener to accepted closers. Typists swap “ and ”, so each curly
# mark closes the other, and a ” standing as an opener (أن” … ”) is paired with the next ”.
_QUOTE_CLOSERS = {"«": "»", "“": "”“", "„": "”“", '"': '"', "”": "”"}
_MAX_QUOTE_CHARS = 2000

# A sentence ends at . ! ? ؟ (any run of them, a closing quote allowed after) before a space or the end.
# The look-behind and the possessive run keep the scan linear: a run of 50,000 stops with no space after
# it is tried once, not once per stop (which backtracked through the rest of the run each time).
_BOUNDARY = re.compile(r'(?<![.!?؟])[.!?؟]++[»”"]?(?=\s|$)')
# One-letter tokens and these words take a full stop without ending the sentence.
_ABBREVIATIONS = frozenset({"د", "م", "ه", "ص", "ق", "ج", "ت", "ش", "mr", "mrs", "dr", "st", "prof", "no", "vs"})
_SENTENCE_END = re.compile(r"[.!?؟:،,;؛…]$")
_NO_FURNITURE = Furniture(())


@dataclass(frozen=True)
class Sentence:
    """A sentence of the article body, with where it stands."""

    index: int
    text: str
    paragraph: int
    section: int | None  # index into Article.sections; None before the first sub-heading


@dataclass
class Article:
    """An article after cleaning and segmentation: the unit every later step works on."""

    title: str | None
    sections: list[str]
    paragraphs: list[list[Sentence]]
    removed: list[str] = field(default_factory=list)
    dateline: str | None = None  # the dateline the lead opened with («عمان - الرأي -»), taken out of the text

    @property
    def sentences(self) -> list[Sentence]:
        """Every body sentence, in order."""
        return [s for p in self.paragraphs for s in p]

    def canonical_text(self) -> str:
        """The cleaned article as one string: what the digest id and the summary model see."""
        lines = [self.title or ""]
        section: int | None = None
        for para in self.paragraphs:
            if para and para[0].section != section and para[0].section is not None:
                section = para[0].section
                lines.append(f"## {self.sections[section]}")
            lines.append(" ".join(s.text for s in para))
        return "\n".join(lines)


def _positions(text: str, marks: str) -> list[int]:
    """Sorted offsets of every character of `marks` in text (one C-speed scan per mark)."""
    out: list[int] = []
    for mark in marks:
        i = text.find(mark)
        while i != -1:
            out.append(i)
            i = text.find(mark, i + 1)
    out.sort()
    return out


def _next_at(positions: list[int], after: int) -> int:
    """The first offset in `positions` greater than `after`, or a huge number."""
    k = bisect.bisect_right(positions, after)
    return positions[k] if k < len(positions) else 1 << 62


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in a paragraph, marks included; unmatched marks are skipped.

    Each opener finds its closer through sorted mark positions (a binary search), never a scan of the
    text after it: a paragraph of 59,000 opening marks costs O(n log n), not 59,000 scans of 2,000 chars.
    """
    if not any(mark in text for mark in _QUOTE_CLOSERS):
        return []
    closer_positions = {closers: _positions(text, closers) for closers in set(_QUOTE_CLOSERS.values())}
    interrupters = _positions(text, "“«")  # what stops a misplaced ” from opening
    spans: list[tuple[int, int]] = []
    i = 0
    for start in _positions(text, "".join(_QUOTE_CLOSERS)):
        if start < i:
            continue  # inside the quotation just closed
        mark = text[start]
        end = _next_at(closer_positions[_QUOTE_CLOSERS[mark]], start)
        if end >= start + _MAX_QUOTE_CHARS or (mark == "”" and _next_at(interrupters, start) < end):
            continue
        spans.append((start, end + 1))
        i = end + 1
    return spans


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    k = bisect.bisect_right(spans, (pos, 10**9)) - 1
    return k >= 0 and spans[k][0] < pos < spans[k][1] - 1


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph: never split on the Arabic comma, inside quotes, abbreviations,
    decimals or the Arabic '..' pause."""
    spans = quote_spans(paragraph)
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(paragraph):
        run = m.group().rstrip('»”"')
        if run in ("..", "...") or _inside(spans, m.start()):
            continue
        if run == ".":
            # Only the word before the stop matters: look back a bounded distance (linear overall).
            before = paragraph[max(start, m.start() - 12) : m.start()].split()
            if before and normalize(before[-1]).lower().strip("(") in _ABBREVIATIONS:
                continue
        piece = paragraph[start : m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


def _is_subheading(line: str, next_line: str | None) -> bool:
    """A short unpunctuated line that reads as a sub-heading: followed by prose, not a stamp, label or credit."""
    n = len(line.split())
    return (
        next_line is not None
        and line[:1] not in '«“"„”'  # a line in quote marks is a quotation (a pull quote), not a label
        and not structure.is_list_item(line)  # a bulleted line inside the story is a list item
        and 1 <= n <= structure.SECTION_MAX_WORDS
        and not _SENTENCE_END.search(line)
        and len(next_line) > len(line)
        and structure.is_paragraph(next_line)
        and not structure.is_stamp(line)
        and not structure.is_dateline_line(line)
        and not structure.is_latin_only(line)
    )


def segment(clean: CleanArticle, title: str | None = None) -> Article:
    """Find the title, the lead's dateline, sub-headings, paragraphs and sentences of a cleaned article.

    Lines that are furniture by their shape (stamps, labels, menus, related stories, the page's tail) are
    moved to `removed`; the wording patterns are the clean step's."""
    if title:
        title = " ".join(clean_display(title).split())
    rules = clean.furniture or _NO_FURNITURE
    arranged = structure.Structure(rules.matches, rules.matches_related).arrange(clean.blocks, title or None)
    blocks = arranged.blocks
    title = arranged.title
    sources = clean.sources if len(clean.sources) == len(clean.blocks) else [b.text for b in clean.blocks]
    removed = [*clean.removed, *(sources[k] for k in arranged.removed)]

    sections: list[str] = []
    paragraphs: list[list[Sentence]] = []
    index = 0
    for k, block in enumerate(blocks):
        following = blocks[k + 1].text if k + 1 < len(blocks) else None
        # A sub-heading comes between paragraphs: never before the story's first one, but for the deck's bullet
        # points (structure keeps them as headings above the lead).
        is_heading = (bool(paragraphs) or block.kind == "heading") and (
            block.kind in ("heading", "title") or (block.kind == "paragraph" and _is_subheading(block.text, following))
        )
        if is_heading:
            sections.append(block.text)
            continue
        section = len(sections) - 1 if sections else None
        para = []
        for text in split_sentences(block.text):
            para.append(Sentence(index, text, len(paragraphs), section))
            index += 1
        if para:
            paragraphs.append(para)
    return Article(title or None, sections, paragraphs, removed, arranged.dateline)
