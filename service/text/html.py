"""HTML articles to text blocks, with a real HTML5 parser (lexbor, through selectolax)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from selectolax.lexbor import LexborHTMLParser, LexborNode

from service.errors import MarkupTooDeep

BlockKind = Literal["title", "heading", "paragraph"]

# Elements whose text is never article text.
_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "math",
        "head",
        "nav",
        "footer",
        "form",
        "button",
        "select",
        "textarea",
        "object",
        "embed",
        "canvas",
        "audio",
        "video",
    }
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "aside",
        "blockquote",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "pre",
        "address",
        "hr",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "body",
        "html",
    }
)
_HEADINGS = {"h1": "title", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading"}


# Deepest element nesting accepted. Real pages stay under ~60 levels; an HTML parser spends time per
# element in proportion to the depth it is at, so 28,000 nested lists took 6.5 s to parse.
MAX_HTML_DEPTH = 256

_VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr".split()
)
# Elements a parser never nests in one another (a new one closes the open one, or is dropped): not counted,
# so pages that leave <p> or <li> open are not mistaken for deep ones. What nests them (ul, table, dl ...)
# is counted, so the real depth stays within a small multiple of the counted one.
_FLAT = frozenset(
    "p li dt dd option optgroup tr td th thead tbody tfoot caption colgroup rb rt rtc rp form html head body "
    "a nobr button select".split()
)
# Elements whose content is text, never markup (in HTML; inside svg or math they are ordinary elements).
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes".split())
_FOREIGN = frozenset({"svg", "math"})
_TAG = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
# The rest of a tag up to its ">", with quoted attribute values (which may hold ">"). Atomic and possessive:
# no backtracking, so each character is read once.
# A value whose quote never closes runs to the end, as in a parser: then nothing matches.
_TAG_REST = re.compile(r"""(?>[^>"'=]+|=\s*"[^"]*"|=\s*'[^']*'|=(?!\s*["'])|["'])*+>""")
_RAW_END: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in _RAW_TEXT
}


def markup_depth(html: str) -> int:
    """How deep the markup nests its elements, read from the tags alone in one linear pass.

    An estimate made before parsing, close to what an HTML5 parser builds: void and self-closed foreign
    elements open nothing, a closing tag closes up to its open element, elements that cannot nest in
    themselves (p, li, td ...) are not counted, and script, style and comments are skipped."""
    stack: list[str] = []
    open_count: dict[str, int] = {}
    foreign = 0  # open svg / math elements
    deepest = 0
    i = html.find("<")
    while i != -1:
        if html.startswith("<!--", i):
            end = html.find("-->", i + 4)
            if end == -1:
                break  # a comment left open runs to the end
            i = html.find("<", end + 3)
            continue
        tag = _TAG.match(html, i)
        if tag is None:
            if html.startswith(("<!", "<?", "</"), i):  # doctype, processing instruction, bogus comment
                end = html.find(">", i)
                if end == -1:
                    break
                i = html.find("<", end + 1)
            else:
                i = html.find("<", i + 1)  # a "<" in the text
            continue
        rest = _TAG_REST.match(html, tag.end())
        if rest is None:
            break  # a tag left open to the end: a parser drops it and everything after it
        i = html.find("<", rest.end())
        name = tag.group(2).lower()
        if tag.group(1):  # a closing tag: close up to the element it names, if one is open
            if open_count.get(name):
                while True:
                    top = stack.pop()
                    open_count[top] -= 1
                    foreign -= top in _FOREIGN
                    if top == name:
                        break
            continue
        self_closed = html[rest.end() - 2] == "/"  # honoured for svg and math elements only, as parsers do
        if name in _VOID or ((foreign or name in _FOREIGN) and self_closed) or (not foreign and name in _FLAT):
            continue
        if not foreign and name in _RAW_TEXT:
            end_tag = _RAW_END[name].search(html, rest.end())
            if end_tag is None:
                break  # the rest of the document is this element's text
            i = end_tag.start()
            continue
        if name == "plaintext" and not foreign:
            break
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        foreign += name in _FOREIGN
        deepest = max(deepest, len(stack))
    return deepest


def check_markup_depth(html: str, limit: int = MAX_HTML_DEPTH) -> None:
    """Refuse markup nested deeper than `limit` (MarkupTooDeep, 413) before any parser sees it."""
    depth = markup_depth(html)
    if depth > limit:
        raise MarkupTooDeep(
            f"the HTML nests elements {depth} levels deep; the limit is {limit} (limits.max_html_depth). "
            "Send the article's own markup, or its text with format 'text'.",
            extra={"limit": limit, "depth": depth},
        )


@dataclass(frozen=True)
class Block:
    """One line of article text and what it is, as the markup says."""

    kind: BlockKind
    text: str


def html_to_blocks(html: str, max_depth: int = MAX_HTML_DEPTH) -> list[Block]:
    """Paragraphs and headings of an HTML page, in order; scripts, styles and comments dropped.

    Markup nested deeper than `max_depth` is refused (MarkupTooDeep) before it is parsed. The walk is
    iterative so that deep markup cannot exhaust Python's recursion limit either.
    """
    check_markup_depth(html, max_depth)
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    blocks: list[Block] = []
    if root is None:
        return blocks
    parts: list[str] = []
    kinds: list[BlockKind] = []  # the heading kind of each open heading element

    def flush() -> None:
        text = " ".join("".join(parts).split())
        parts.clear()
        if text:
            blocks.append(Block(kinds[-1] if kinds else "paragraph", text))

    # A stack of (node, leaving): leaving=True marks the end of a block element.
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            flush()
            if tag in _HEADINGS:
                kinds.pop()
            continue
        if node.is_text_node:
            parts.append(node.text(deep=False) or "")
            continue
        if not node.is_element_node or tag in _SKIP:
            continue
        if tag in _BLOCK:
            flush()
            if tag in _HEADINGS:
                kinds.append(_HEADINGS[tag])  # type: ignore[arg-type]
            stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))
    flush()
    if not any(b.kind == "title" for b in blocks):
        title = tree.css_first("head > title")
        text = " ".join(title.text().split()) if title is not None else ""
        if text:
            blocks.insert(0, Block("title", text))
    return blocks
