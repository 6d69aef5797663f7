"""Cleaning: raw article (text or HTML) to display-clean lines, with site furniture taken out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from service.text.arabic import clean_display, normalize, strip_controls
from service.text.html import MAX_HTML_DEPTH, Block, html_to_blocks
from service.text.resources import read_toml


@dataclass(frozen=True)
class Furniture:
    """Patterns for site furniture lines, loaded from config/boilerplate.toml."""

    patterns: tuple[re.Pattern[str], ...]
    max_line_chars: int = 220
    # Headers of related-story boxes («اقرأ أيضاً», «الأكثر مشاهدة»): the lines after them are teasers.
    related: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def load(cls, path: Path) -> Furniture:
        """Read and compile the patterns; a bad pattern raises ValueError naming it."""
        data = read_toml(path)

        def compile_all(key: str) -> tuple[re.Pattern[str], ...]:
            compiled = []
            for raw in data.get(key, []):
                try:
                    compiled.append(re.compile(raw, re.IGNORECASE))
                except re.error as exc:
                    raise ValueError(f"bad furniture pattern {raw!r} in {path}: {exc}") from None
            return tuple(compiled)

        return cls(compile_all("patterns"), int(data.get("max_line_chars", 220)), compile_all("related_headers"))

    @staticmethod
    def _key(line: str) -> str:
        return normalize(line).strip(" .:-|،…")

    def matches(self, line: str) -> bool:
        """Whether a whole line is site furniture."""
        if len(line) > self.max_line_chars:
            return False
        key = self._key(line)
        return any(p.match(key) for p in self.patterns)

    def matches_related(self, line: str) -> bool:
        """Whether a line is the header of a related-story box (what follows it are other stories)."""
        if len(line) > 80:
            return False
        key = self._key(line)
        return any(p.fullmatch(key) for p in self.related)


@dataclass
class CleanArticle:
    """Lines of an article after cleaning, each tagged by what it is, and the lines taken out."""

    blocks: list[Block]
    removed: list[str] = field(default_factory=list)
    furniture: Furniture | None = None  # the patterns used, for segmentation's furniture-by-shape pass
    sources: list[str] = field(default_factory=list)  # each block's line as sent (no controls), for `removed`


def clean_article(text: str, fmt: str, furniture: Furniture, max_html_depth: int = MAX_HTML_DEPTH) -> CleanArticle:
    """Parse (HTML) or split (text), clean each line for display and drop furniture lines.

    HTML nested deeper than `max_html_depth` is refused with MarkupTooDeep before it is parsed."""
    # Plain text is one block split into lines below; its headings are recognised by segmentation.
    raw_blocks = html_to_blocks(text, max_html_depth) if fmt == "html" else [Block("paragraph", text)]
    blocks: list[Block] = []
    sources: list[str] = []
    removed: list[str] = []
    for block in raw_blocks:
        # A block may still hold line breaks (HTML <pre>, plain text pasted into a <p>).
        for raw in re.split(r"\r\n|[\r\n\u2028\u2029]", block.text):
            line = clean_display(raw).strip()
            if not line:
                continue
            # A related-story header stays for segmentation: the story titles after it go with it there.
            if furniture.matches(line) and not furniture.matches_related(line):
                # Listed as sent, but with no control or bidi character: `removed` is echoed to the caller.
                removed.append(strip_controls(raw).strip())
            else:
                blocks.append(Block(block.kind, line))
                sources.append(" ".join(strip_controls(raw).split()))
    return CleanArticle(blocks, removed, furniture, sources)
