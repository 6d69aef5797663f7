"""What each line of an article is, by its shape: headline, paragraph, sub-heading or site furniture.

Per-line patterns (config/boilerplate.toml) catch furniture with a fixed wording; this module catches what is
recognised by what it is: publication stamps (a line of dates and times only), labels and datelines on their
own line, menus and captions above the headline, related-story blocks and teasers, and the short lines a page
leaves after the story. Every pass is one walk over the lines (linear).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from service.text.arabic import ARABIC_LETTER, content_tokens, normalize
from service.text.html import Block

_MONTHS = (
    "يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر جانفي فيفري افريل ماي جوان"
    " جويليه جويليا اوت شتنبر نونبر دجنبر كانون الثاني شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين الاول"
    " غشت يوليوز يونيه"
)
_DAYS = "السبت الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه"
# The Hijri months and era mark: stamps in Egypt and the Gulf give both dates («… 2025 08:27 ص 4 ربيع آخر 1447 هـ»).
_HIJRI = (
    "محرم صفر ربيع الاول الاخر الثاني اول اخر ثاني جمادي الاولي الاخره اولي اخره رجب شعبان رمضان شوال ذو ذي القعده"
    " الحجه ه هـ"
)
# Words a publication stamp holds besides dates and times («نشر في … الساعة», «منذ 3 دقائق», «آخر تحديث»).
_STAMP_WORDS = frozenset(
    normalize(w)
    for w in (
        _MONTHS + " " + _DAYS + " " + _HIJRI + " ص م صباحا مساء منذ دقيقه دقائق دقيقتين ساعه ساعات ساعتين يوم ايام امس"
        " اليوم نشر نشرت في الساعه بتاريخ تاريخ النشر اخر تحديث تحديث محدث بتوقيت gmt utc am pm date published updated"
        " on at min mins ago hours hour تم"
    ).split()
)
_STAMP_TOKEN = re.compile(r"[\w]+|\d+(?:[:/.\-]\d+)*")
_HAS_DIGIT = re.compile(r"\d")
# A date stamp glued to the start of a paragraph («date 2026-03-04 دشن …»): never part of the news.
_LEADING_STAMP = re.compile(r"^(?:date\s+)?\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s+(?=\S)", re.IGNORECASE)
# A dateline at the start of the lead: «عمان - الرأي - …», «القاهرة (رويترز) -», «دمشق، سوريا (CNN) --»,
# «الكويت - رويترز -», «بغداد - …», «بيروت – «الحياة» –», «غزة/ الأناضول:», «دبي، 12 مارس (وام) -»,
# «(رويترز) -». One or two place words (a second place after a comma), maybe the day and month, then an agency in
# brackets or quote marks, or between dashes, then a dash, slash or colon; a bracketed or quoted agency needs its
# dash («أعلنت وزارة «الصحة» أن» is no dateline). Bounded repetitions: no backtracking.
_DL_WORD = r"[^\s\d.،,:()\-–—ـ«»“”\"/]{2,20}"
_DL_AGENCY_WORD = r"[^\s\d.،,:()\-–—ـ«»“”\"/]{1,20}"
_DL_QUOTED = r"(?:\([^()\n]{1,30}\)|«[^«»\n]{1,30}»|“[^“”\n]{1,30}”|\"[^\"\n]{1,30}\")"
_DL_DATE = rf"(?:[،,]?\s\d{{1,2}}\s{_DL_WORD}(?:\s\d{{4}})?)?"
_DL_PLACE = rf"{_DL_WORD}(?:\s{_DL_WORD})?(?:[،,]\s?{_DL_WORD}(?:\s{_DL_WORD})?)?{_DL_DATE}"
_DL_SEP = r"[-–—ـ/:]{1,3}"
_DATELINE = re.compile(
    rf"^(?P<dl>(?:{_DL_PLACE}\s?(?:{_DL_QUOTED}\s?{_DL_SEP}"
    rf"|[-–—ـ/]{{1,3}}\s?(?:(?:{_DL_QUOTED}|{_DL_AGENCY_WORD}(?:\s{_DL_AGENCY_WORD}){{0,2}})\s?{_DL_SEP})?)"
    rf"|\([^()\n]{{1,30}}\)\s?[-–—ـ:]{{1,3}}))\s*(?=\S)"
)
# «Headline | Site», «Headline - Site»: a short last part after a pipe or a spaced dash.
_SITE_SUFFIX = re.compile(r"\s(?P<sep>[|\-–—])\s+(?P<site>[^|\-–—]{1,40})$")
_SITE_PREFIX = re.compile(r"^(?P<site>[^|\-–—]{1,40})\s(?P<sep>[|\-–—])\s")
# Head nouns of a media outlet's name (a closed class), normalised.
_MEDIA_WORDS = frozenset(
    normalize(w)
    for w in "صحيفة جريدة موقع بوابة شبكة قناة وكالة نيوز نت الإخبارية الاخبارية أخبار اخبار تلفزيون إذاعة اذاعة"
    " راديو مجلة أونلاين اونلاين تي في بوست برس".split()
)
_PATH_SEPARATORS = (">", "›", "»", "/", "\\", "«", "<", "‹")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,،:/]\d+)*%?")
# «label: value» with a label of one or two words.
_FIELD = re.compile(r"^(?P<label>[^\s:：«»\"“”]{2,20}(?:\s[^\s:：«»\"“”]{2,20})?)\s?[:：]\s*(?P<value>\S.*)$")
# A caption's credit at its end: a short bracketed note, or an archive/illustration/agency word after a dash.
_CREDIT = re.compile(
    r"(?:\s?\((?:[^()]{0,12}\s)?(?:ارشيف|ارشيفيه|تعبيريه|توضيحيه|صوره|الصوره|تصوير|رويترز|ا ف ب|afp|ap|getty|epa)"
    r"[^()]{0,20}\)|\s[-–—|]\s?(?:صوره |الصوره )?(?:ارشيف|ارشيفيه|تعبيريه|توضيحيه|رويترز|afp|getty))$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?؟…:؛]['\"»”)]*$")
# When the story happened («اليوم الأحد», «أمس», «مساء الجمعة»): news style puts it in the lead, not the headline.
_TIME_ANCHOR = re.compile(
    r"(?:^|\s)[وف]?(?:اليوم|امس|البارحه|ال(?:سبت|احد|اثنين|ثلاثاء|اربعاء|خميس|جمعه))(?=\s|$|[،,.])"
)
_TERMINAL = re.compile(r"(?<!\.)[.!?؟]['\"»”)]*$|\.\.\.$")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)['\"»”)]*$")
# A line that opens with a numeric date and runs on into words («- 2025-08-04عنوان قصة أخرى»): a dated link in a
# list of other stories. News prose never opens a line with a numeric date (the lead's glued stamp aside).
_DATED_LINK = re.compile(r"^(?:[-–—•▪◾●*·]\s?)?\d{4}-\d{2}-\d{2}\s?[^\d\s:\-–—]")
# A list item's bullet («- », «• »): it opens a deck item or a link in a list, never a headline.
_BULLET = re.compile(r"^[-–—•▪◾●*·]\s")
_FULL_STOP = re.compile(r"(?<!\.)\.['\"»”)]*$")
_INNER_STOP = re.compile(r"[.!?؟]\s")
_LABEL_END = re.compile(r"[:：]\s*$")
_DASH_SPLIT = re.compile(r"\s[-–—ـ|]\s|\s[-–—ـ|]$|[-–—ـ](?=\s)")

PARAGRAPH_WORDS = 12  # a line this long is prose even without a full stop
HEADLINE_MIN_WORDS = 3
HEADLINE_MAX_WORDS = 25
SECTION_MAX_WORDS = 10
TAIL_SHORT_WORDS = 6  # after the story, unpunctuated lines this short are page furniture
BEFORE_BODY_SHORT_WORDS = 8  # between the headline and the first paragraph: captions, bylines, categories
TICKER_SHARED = 5  # a paragraph sharing under 1/5 of its content words with the next two is another story
LEAD_CONTENT_WORDS = 6  # a lead with this many content words tells whether a line above announces its story


@dataclass(frozen=True)
class Arranged:
    """Lines sorted out: the headline, the lead's dateline, the kept blocks (headings marked) and the furniture."""

    title: str | None
    dateline: str | None
    blocks: list[Block]
    removed: list[int]  # indexes of the furniture blocks, in order


def words(line: str) -> list[str]:
    """The line's whitespace-separated words."""
    return line.split()


def is_stamp(line: str) -> bool:
    """A publication stamp: dates, times and stamp words only («الخميس، 30 أكتوبر 2025 - 00:27», «منذ دقائق 3»)."""
    if not _HAS_DIGIT.search(line) and "منذ" not in line:
        return False
    toks = _STAMP_TOKEN.findall(normalize(line).lower())
    if not toks or len(toks) > 14:
        return False
    other = [t for t in toks if not t.isdigit() and not _HAS_DIGIT.search(t) and t not in _STAMP_WORDS]
    return not other


def is_list_item(line: str) -> bool:
    """A line that opens with a list bullet («- », «• »)."""
    return _BULLET.match(line) is not None


def is_latin_only(line: str) -> bool:
    """A line with no Arabic letter (a site's Latin menu item, logo text or credit)."""
    return ARABIC_LETTER.search(line) is None


def is_paragraph(line: str) -> bool:
    """Prose: a sentence with its full stop, or a line long enough to be one."""
    n = len(words(line))
    # «؟!» and «!» end headlines as often as sentences: only a full stop marks a short line as prose.
    return n >= PARAGRAPH_WORDS or (n >= 2 and _FULL_STOP.search(line) is not None and not is_stamp(line))


def without_site_name(headline: str) -> str:
    """The headline without the site's name a page title appends («… | الوطن», «… - Alwatan News»).

    A pipe never separates parts of an Arabic headline, so what follows the last one is the site; after a dash
    only a name that is Latin-only or holds a media word (صحيفة، موقع، نيوز …) is taken for the site."""
    m = _SITE_SUFFIX.search(headline)
    if m is not None:
        site, rest = m.group("site"), headline[: m.start()].rstrip()
        if len(words(rest)) >= HEADLINE_MIN_WORDS and (m.group("sep") == "|" or _is_site_name(site)):
            return rest
    m = _SITE_PREFIX.match(headline)
    if m is not None:
        # «الوطن نيوز - …», «Site | …»: a site's name before the headline, by the same marks.
        site, rest = m.group("site"), headline[m.end() :].lstrip()
        if len(words(rest)) >= HEADLINE_MIN_WORDS and (m.group("sep") == "|" or _is_site_name(site)):
            return rest
    return headline


def _is_site_name(text: str) -> bool:
    """A short name that is Latin-only or holds a media word (صحيفة، موقع، نيوز …)."""
    return len(words(text)) <= 4 and (is_latin_only(text) or any(w in _MEDIA_WORDS for w in normalize(text).split()))


def is_widget(line: str) -> bool:
    """A page widget's text by its form: hashtags only («#الزراعة #المياه»), a short line wholly in brackets
    («(رويترز)», «(الصورة: أرشيف)»), or a counter («عدد القراءات 345», «0 تعليق»)."""
    toks = words(line)
    if not toks or len(toks) > 8:
        return False
    if all(t.startswith("#") for t in toks):
        return True
    if line[0] in "([" and line[-1] in ")]" and len(toks) <= 6 and line.count("(") + line.count("[") == 1:
        return True
    if 2 <= len(toks) <= 4 and not _TERMINAL.search(line):
        # A count before its noun («345 مشاهدة», «0 تعليق»), or after «عدد …»; «الجولة 21» is a heading.
        numbers = [t for t in toks if _NUMBER.fullmatch(t)]
        return len(numbers) == 1 and (toks[0] == numbers[0] or (normalize(toks[0]) == "عدد" and toks[-1] == numbers[0]))
    return False


def is_breadcrumb(line: str) -> bool:
    """A breadcrumb or menu path: short parts joined by one kind of path separator («الرئيسية > أخبار > صحة»)."""
    for sep in _PATH_SEPARATORS:
        parts = line.split(f" {sep} ")
        # Two parts only with an arrow: a slash or a guillemet between two phrases is ordinary punctuation.
        if (len(parts) >= 3 or (len(parts) == 2 and sep in ">›")) and all(1 <= len(words(p)) <= 3 for p in parts):
            return True
    return False


def is_field(line: str) -> bool:
    """A labelled metadata field inside the story («التصنيف: اقتصاد», «ترجمة: سامي العلي», «المقال السابق: …»):
    a label of one or two words, a colon, a short value, no sentence end. Prose never has this shape."""
    m = _FIELD.match(line)
    # A label opening with a conjunction continues prose («وأضاف: نحن مستعدون»): metadata labels never do.
    if m is None or _TERMINAL.search(line) or m.group("label")[0] in "وف":
        return False
    return len(words(m.group("value"))) <= 6 and not m.group("value").lstrip().startswith(("«", '"', "“"))


def is_caption(line: str) -> bool:
    """A photo caption: a short unpunctuated line ending with its credit («… (أرشيفية)», «… - أرشيف», «… (AFP)»)."""
    if len(words(line)) > 14 or _FULL_STOP.search(line):
        return False
    m = _CREDIT.search(normalize(line))
    return m is not None and m.start() > 0


def is_dateline_line(line: str) -> bool:
    """A dateline or source label alone on a line: «القاهرة - (وكالات)», «بغداد اليوم - بغداد», «حرية برس:»."""
    n = len(words(line))
    if n > 6:
        return False
    if _LABEL_END.search(line) and n <= 4:
        return True
    parts = [p for p in _DASH_SPLIT.split(line) if p.strip()]
    if "(" in line and n <= 5 and not _TERMINAL.search(line):
        return True
    return len(parts) >= 2 and all(len(p.split()) <= 3 for p in parts)


class Structure:
    """Sorts an article's lines with the furniture patterns it is given (related-block headers among them)."""

    def __init__(self, is_furniture: Callable[[str], bool], is_related_header: Callable[[str], bool]) -> None:
        self.furniture = is_furniture
        self.related = is_related_header

    def _headline_like(self, line: str) -> bool:
        n = len(words(line))
        return (
            HEADLINE_MIN_WORDS <= n <= HEADLINE_MAX_WORDS
            and not (line.endswith(".") and not line.endswith(".."))
            and not _ELLIPSIS_END.search(line)
            and not is_stamp(line)
            and not is_latin_only(line)
            and not is_dateline_line(line)
            and not _LEADING_STAMP.match(line)
            and not _BULLET.match(line)
            and not self.furniture(line)
            and not self.related(line)
        )

    def _deck_item(self, line: str) -> bool:
        """A bullet point of the deck a story opens with (highlights under or instead of the headline): a
        bulleted, headline-shaped line. It is a section, not furniture and not the headline."""
        rest = _BULLET.sub("", line, count=1)
        return (
            rest != line
            and HEADLINE_MIN_WORDS <= len(words(rest)) <= HEADLINE_MAX_WORDS
            and not is_stamp(rest)
            and not _HAS_DIGIT.match(rest)  # «- 2025-08-04…»: a dated link in a list of stories
            and not self.furniture(rest)
            and not self.related(rest)
        )

    def _short_headline(self, blocks: Sequence[Block], drop: list[bool], first: int) -> int | None:
        """The headline among the short lines above the first paragraph, or None.

        The run of short lines above the body holds site names, categories and breadcrumbs (above the
        headline) and captions, decks and bylines (below it). The headline announces the lead's story, so it
        is the first headline-like line that shares a content word with the lead; site lines and labels share
        none, and when no line does there is no headline. Without a lead long enough to tell, the longest line
        (the first on a tie).
        """
        n = len(blocks)
        run: list[int] = []
        for k in range(min(first, n) - 1, -1, -1):
            if drop[k]:
                continue
            line = blocks[k].text
            if self._headline_like(line):
                run.append(k)
            elif len(words(line)) > BEFORE_BODY_SHORT_WORDS:
                break  # only short lines (captions, bylines, categories) stand between headline and body
        run.reverse()
        if not run:
            return None
        lead = set(content_tokens(_without_dateline(blocks[first].text))) if first < n else set()
        shared = {k: len(lead & set(content_tokens(blocks[k].text))) for k in run}
        # Two shared words when any line has them: a teaser above that shares one common word is not it.
        enough = min(2, max(shared.values()))
        for k in run:
            if enough and shared[k] >= enough:
                return k
        if len(lead) >= LEAD_CONTENT_WORDS:
            return None  # a lead long enough to tell, and no line above announces it: a category, a site line
        return max(run, key=lambda k: (len(words(blocks[k].text)), -k))

    def _long_headline(self, blocks: Sequence[Block], drop: list[bool], k: int) -> bool:
        """A long first line that is the headline, not the lead: nothing but furniture above it, headline-shaped
        (no full stop, no sentence inside, no time anchor: news style dates the lead, not the headline), and
        followed by a lead that ends with a full stop where it has none, sharing its story's words."""
        line = blocks[k].text
        if _SENTENCE_END.search(line) or _INNER_STOP.search(line) or not self._headline_like(line):
            return False
        if _TIME_ANCHOR.search(normalize(line)):
            return False
        # The lead, past the short lines (stamps, bylines, captions) a page puts under its headline.
        nxt = next(
            (
                j
                for j in range(k + 1, len(blocks))
                if not drop[j] and len(words(blocks[j].text)) > BEFORE_BODY_SHORT_WORDS
            ),
            None,
        )
        if nxt is None or blocks[nxt].kind != "paragraph" or not _para(blocks, nxt):
            return False
        lead = blocks[nxt].text
        if not _TERMINAL.search(lead):
            return False
        story = set(content_tokens(_without_dateline(lead)))
        if len(set(content_tokens(line)) & story) < 2:
            return False
        # Above it only furniture: short lines, none a headline of the same story (that one would be the title).
        for j in range(k):
            above = blocks[j].text
            if drop[j]:
                continue
            if len(words(above)) > BEFORE_BODY_SHORT_WORDS:
                return False
            if self._headline_like(above) and story & set(content_tokens(above)):
                return False
        return True

    def _story_heading(
        self, blocks: Sequence[Block], drop: list[bool], candidates: Iterable[int], first: int
    ) -> int | None:
        """The first headline-shaped line among the candidates that shares two content words with the lead."""
        lead = set(content_tokens(_without_dateline(blocks[first].text))) if first < len(blocks) else set()
        for k in candidates:
            line = blocks[k].text
            if not drop[k] and self._headline_like(line) and len(lead & set(content_tokens(line))) >= 2:
                return k
        return None

    def _past_ticker(self, blocks: Sequence[Block], drop: list[bool], first: int) -> int:
        """The story's first paragraph, past another story's teaser a page puts above it (a ticker): a paragraph
        cut with an ellipsis that shares almost no content word with the two paragraphs after it. A lead is a whole
        sentence of the story it opens; one that trails off («…») still names what the next paragraphs name."""
        if not _ELLIPSIS_END.search(blocks[first].text):
            return first
        after = [k for k in range(first + 1, len(blocks)) if not drop[k] and _para(blocks, k)][:2]
        if not after:
            return first
        story = {t for k in after for t in content_tokens(blocks[k].text)}
        own = set(content_tokens(blocks[first].text))
        # A few everyday words in common (سجل، وطني) are chance: a fifth of its words is the same story.
        if len(own & story) * TICKER_SHARED >= len(own):
            return first
        drop[first] = True
        return after[0]

    def _drop_trailing_teasers(
        self, blocks: Sequence[Block], drop: list[bool], head: int | None, title: str | None, first: int
    ) -> None:
        """From the end back: a headline-shaped line and the paragraph after it that share no content word with
        the story's headline and lead are another story's teaser (a related box whose header was left out)."""
        n = len(blocks)
        if first >= n:
            return
        headline = title if title is not None else (blocks[head].text if head is not None else "")
        story = set(content_tokens(headline)) | set(content_tokens(blocks[first].text))
        if len(story) < 4:
            return  # too little to tell another story from this one
        kept = [k for k in range(first + 1, n) if not drop[k]]
        # Another story's teaser shares no content word with any line of this one, not only its headline and
        # lead: a closing section of the story itself names what the body named. Word counts over the kept
        # lines (each line counted once per word) keep the check linear.
        tokens = {k: set(content_tokens(blocks[k].text)) for k in kept}
        counts: Counter[str] = Counter(t for k in kept for t in tokens[k])
        while len(kept) >= 3:  # the story keeps its lead and at least one more line
            para, line = kept[-1], kept[-2]
            pair = tokens[line] | tokens[para]
            elsewhere = any(counts[t] > (t in tokens[line]) + (t in tokens[para]) for t in pair)
            if not (
                self._headline_like(blocks[line].text)
                and len(words(blocks[line].text)) <= 15
                and _para(blocks, para)
                and not story & pair
                and not elsewhere
            ):
                return
            drop[line] = drop[para] = True
            counts.subtract(pair)
            kept = kept[:-2]

    def arrange(self, blocks: Sequence[Block], title: str | None) -> Arranged:
        """The headline (unless given), the lead's dateline, the news blocks and the furniture lines, in order."""
        n = len(blocks)
        drop = [False] * n
        arabic = any(not is_latin_only(b.text) for b in blocks)
        # 1. Furniture by kind, wherever it stands.
        for i, b in enumerate(blocks):
            line = b.text
            latin_menu = arabic and is_latin_only(line) and len(words(line)) <= 8
            drop[i] = latin_menu or is_stamp(line) or is_widget(line) or is_breadcrumb(line)
        # 2. Related-story blocks: a header («اقرأ أيضاً», «الأكثر مشاهدة») or a teaser cut with «…», and the
        #    stamps, teasers and story titles after it, up to the first short label or the first real paragraph.
        i = 0
        while i < n:
            line = blocks[i].text
            if blocks[i].kind == "title" or not (self.related(line) or _is_teaser(line)):
                i += 1
                continue
            drop[i] = True
            j = i + 1
            while j < n and blocks[j].kind != "title":
                nxt = blocks[j].text
                k = len(words(nxt))
                if is_stamp(nxt) or _is_teaser(nxt) or self.related(nxt):
                    drop[j] = True
                elif k > BEFORE_BODY_SHORT_WORDS and not _TERMINAL.search(nxt):
                    drop[j] = True  # a story's opening lines, cut without a full stop
                elif (
                    HEADLINE_MIN_WORDS <= k <= 15
                    and not _FULL_STOP.search(nxt)
                    and (j == i + 1 or _is_teaser_context(blocks, j) or _is_title_list(blocks, i, j))
                ):
                    drop[j] = True  # a story title among teasers, or the next in a list of story titles
                else:
                    break
                j += 1
            i = j
        # 3. The first paragraph of the story, and the headline above it.
        first = next((k for k in range(n) if not drop[k] and blocks[k].kind == "paragraph" and _para(blocks, k)), n)
        head = next((k for k in range(n) if blocks[k].kind == "title" and not drop[k]), None)
        given = normalize(title) if title else None
        if first < n and (head is None or head < first):
            first = self._past_ticker(blocks, drop, first)
        if first == n and head is None:
            # No line reads as prose (a short note, a list): the story starts at the first line left.
            first = next((k for k in range(n) if not drop[k]), n)
        if title is None and head is not None and head < first and not self._headline_like(blocks[head].text):
            # The markup's title is a logo or a label («الخبر اليوم»): the headline is the heading under it that
            # announces the lead, when there is one.
            better = self._story_heading(blocks, drop, range(head + 1, first), first)
            if better is not None:
                drop[head] = True
                head = better
        if title is None and head is None and first < n and self._long_headline(blocks, drop, first):
            # A headline of twelve words or more reads as prose by length alone: it is the headline when
            # nothing but furniture stands above it and the paragraph after it is the lead.
            head = first
            first = next((k for k in range(head + 1, n) if not drop[k] and _para(blocks, k)), n)
        if title is None and head is None:
            head = self._short_headline(blocks, drop, first)
        if head is not None and head > first:
            # The markup's headline below the first paragraph: what is above it is no story text.
            first = next((k for k in range(head + 1, n) if not drop[k] and _para(blocks, k)), n)
            if first == n:
                first = next((k for k in range(head + 1, n) if not drop[k]), n)
        top = head if head is not None else first
        # 3b. The deck: bullet points right above the first paragraph (under the headline, or with none).
        deck: set[int] = set()
        k = min(first, n) - 1
        while k >= 0 and k != head and not drop[k] and self._deck_item(blocks[k].text):
            deck.add(k)
            k -= 1
        if head is not None and first < n:
            # A sub-heading the markup puts between the headline and the lead that tells the story is its deck.
            lead = set(content_tokens(_without_dateline(blocks[first].text)))
            for k in range(head + 1, first):
                line = blocks[k].text
                story = blocks[k].kind == "heading" and not drop[k] and self._headline_like(line)
                if story and lead & set(content_tokens(line)):
                    deck.add(k)
        # 4. Above the headline: menus, categories, dates, site names (short lines); long lines stay.
        for k in range(top):
            line = blocks[k].text
            if given is not None and normalize(line) == given:
                continue  # the given headline, repeated: left out below, not listed as furniture
            if k in deck:
                continue
            if len(words(line)) <= PARAGRAPH_WORDS or not _TERMINAL.search(line):
                drop[k] = True
        # 5. Between the headline and the first paragraph: captions, bylines, labels, repeated headlines.
        for k in range(top + 1 if head is not None else top, min(first, n)):
            if (given is not None and normalize(blocks[k].text) == given) or k in deck:
                continue
            if blocks[k].kind == "heading" or len(words(blocks[k].text)) <= BEFORE_BODY_SHORT_WORDS:
                drop[k] = True
        # 5b. Inside the story: labelled fields, credited captions and lines of short fields joined by
        #     separators («سامي العلي | الرباط») are page furniture, never sub-headings or sentences.
        for k in range(top + 1, n):
            line = blocks[k].text
            if drop[k] or blocks[k].kind == "title" or k in deck:
                continue
            # (A line with digits may be a score, «الوداد 2 - 1 الرجاء»: not a byline or source line.)
            # A line ending with a colon right before a bulleted list introduces the list: prose, not a label.
            intro = _LABEL_END.search(line) is not None and k + 1 < n and is_list_item(blocks[k + 1].text)
            fields = k > first and is_dateline_line(line) and not _HAS_DIGIT.search(line) and not intro
            if is_field(line) or is_caption(line) or fields or (k > first and _DATED_LINK.match(line)):
                drop[k] = True
        # 6. After the story: short unpunctuated lines (tags, source, «ذات صلة»), from the end back.
        last = n - 1
        while last > first:
            line = blocks[last].text
            if (
                drop[last]
                or is_dateline_line(line)
                or (len(words(line)) <= TAIL_SHORT_WORDS and not _TERMINAL.search(line))
            ):
                drop[last] = True
                last -= 1
                continue
            break
        # 6b. Other stories teased after this one, each a title and its opening paragraph, without a header.
        self._drop_trailing_teasers(blocks, drop, head if title is None else None, title, first)
        # 7. Per-line furniture with a known wording, and a read-also title right after its header.
        for k in range(n):
            if not drop[k] and self.furniture(blocks[k].text):
                drop[k] = True
        _drop_repeats(blocks, drop, head, given, first)
        out_title = title
        if out_title is None and head is not None:
            out_title = without_site_name(blocks[head].text)
        kept: list[Block] = []
        removed: list[int] = []
        dateline: str | None = None
        lead_seen = False
        for k, b in enumerate(blocks):
            if k == head and (title is None or normalize(b.text) == given):
                continue
            if drop[k]:
                removed.append(k)
                continue
            if given is not None and k < first and normalize(b.text) == given:
                continue  # the given headline repeated above the story
            text = b.text
            if not lead_seen and b.kind == "paragraph":
                lead_seen = True
                stamp = _LEADING_STAMP.match(text)
                if stamp:
                    text = text[stamp.end() :]
                if b.kind == "paragraph" and dateline is None and k >= first:
                    m = _DATELINE.match(text)
                    if m and len(words(text[m.end() :])) >= 4 and _dateline_ok(m.group("dl")):
                        dateline = m.group("dl").strip()
                        text = text[m.end() :]
            if text.strip():
                kept.append(Block("heading" if k in deck else b.kind, text))
        return Arranged(out_title, dateline, kept, removed)


def _drop_repeats(blocks: Sequence[Block], drop: list[bool], head: int | None, given: str | None, first: int) -> None:
    """Lines a page repeats are furniture: every copy of a short one (a caption, a menu or tag word) unless it
    ends as a sentence, the later copies of any other (a pull quote), and the headline's copies in the body."""
    seen: dict[str, int] = {}
    counts: dict[str, int] = {}
    for b in blocks:
        key = normalize(b.text)
        counts[key] = counts.get(key, 0) + 1
    headline = given if given is not None else (normalize(blocks[head].text) if head is not None else None)
    for k, b in enumerate(blocks):
        key = normalize(b.text)
        if counts[key] < 2 or k == head:
            continue
        if key == headline:
            if k > first or given is None:
                drop[k] = True  # above the story, a given headline's copy is left out silently
        elif key in seen or (len(words(b.text)) <= BEFORE_BODY_SHORT_WORDS and not _is_sentence(b.text)):
            drop[k] = True  # a short sentence the page repeats keeps its first copy: it may be news
        seen.setdefault(key, k)


def _is_sentence(text: str) -> bool:
    """A line that ends as a sentence does (captions, menu words and tags do not)."""
    return text.rstrip().endswith((".", "!", "?", "؟", "…"))


def _without_dateline(text: str) -> str:
    """A paragraph without the stamp and dateline it may open with (the site's name is no story word)."""
    stamp = _LEADING_STAMP.match(text)
    if stamp:
        text = text[stamp.end() :]
    m = _DATELINE.match(text)
    if m and len(words(text[m.end() :])) >= 4 and _dateline_ok(m.group("dl")):
        text = text[m.end() :]
    return text


def _para(blocks: Sequence[Block], k: int) -> bool:
    return is_paragraph(blocks[k].text)


def _is_teaser(line: str) -> bool:
    """A related story's opening cut with an ellipsis («… في ذهاب نصف…»)."""
    if len(words(line)) < 4 or _ELLIPSIS_END.search(line) is None:
        return False
    # One cut sentence: no full stop inside (a paragraph whose last quotation trails off holds several).
    return _INNER_STOP.search(line.rstrip(" .…'\"»”)")) is None


def _is_teaser_context(blocks: Sequence[Block], j: int) -> bool:
    """A story title among teasers: the line before it was a teaser or a stamp."""
    prev = blocks[j - 1].text
    return _is_teaser(prev) or is_stamp(prev)


def _is_title_list(blocks: Sequence[Block], i: int, j: int) -> bool:
    """A related box lists story titles one a line: headline-shaped lines (no full stop, 3-15 words) all the
    way from its header to this one."""
    return all(
        HEADLINE_MIN_WORDS <= len(words(blocks[m].text)) <= 15 and not _FULL_STOP.search(blocks[m].text)
        for m in range(i + 1, j)
    )


# Particles (prepositions, conjunctions, negations) never stand in a place or agency name: a clause between
# dashes that holds one («أعلنت الوزارة - في بيان - أن …») is prose, not a dateline.
_PARTICLES = frozenset(
    normalize(w) for w in "في من على عن إلى الى مع أن إن ان قد لم لن ما لا حيث التي الذي بعد قبل".split()
)


def _dateline_ok(dl: str) -> bool:
    """A dateline names a place and maybe an agency: at most eight words, a separator, no particle."""
    toks = dl.split()
    if any(normalize(t).strip('()«»“”"') in _PARTICLES for t in toks):
        return False
    return 1 <= len(toks) <= 8 and any(c in dl for c in '-–—ـ(:/«“"')
