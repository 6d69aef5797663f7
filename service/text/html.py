"""HTML articles to text blocks, with a real HTML5 parser (lexbor, through selectolax)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from selectolax.lexbor import LexborHTMLParser, LexborNode

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


@dataclass(frozen=True)
class Block:
    """One line of article text and what it is, as the markup says."""

    kind: BlockKind
    text: str


def html_to_blocks(html: str) -> list[Block]:
    """Paragraphs and headings of an HTML page, in order; scripts, styles and comments dropped.

    The walk is iterative so that deeply nested markup cannot exhaust Python's recursion limit.
    """
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
