"""Quotations and who said them, read as a careful reader would, misplaced marks included."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from service.highlights.lexicon import (
    STOP,
    STOP_LIGHT,
    Lexicon,
    Token,
    is_speech_participle,
    is_speech_verb,
    is_verb,
    tokenize,
)
from service.highlights.types import Entity, Quote
from service.text.arabic import normalize
from service.text.segment import Sentence, quote_spans

_MAX_LOOKBACK = 800
_MIN_QUOTE_WORDS = 3  # shorter quoted text is a term or a name in scare quotes, not a statement
_TRIM = " \t\"'«»“”„.,،:؛;"
# Where reported speech starts after its verb: أن / إن / a colon.
_INTRO = re.compile(r"(?:^|\s)(?:[وف]?[أإا]نّ?[َُِّ]*|:)\s*")
# Every place _INTRO's core can start after a space (zero-width, so overlapping places are all found).
_INTRO_AT = re.compile(r"(?=\s(?:[وف]?[أإا]ن|:))")
_CLOSERS = re.compile("[”»]")


_INTRO_WORDS = frozenset(normalize(w) for w in "أن إن أنه إنه أنها إنها بأن بأنه وأن وإن ان انه".split())
_WINDOW = 8  # words after a speech verb where its subject is named (وقال وزير الخارجية، الأمير فيصل بن فرحان، إن)
_BEFORE = 10  # words before a verb where a subject-first sentence names it (أما الائتلاف …، فقد دعا)
_MAX_NAME = 3
_ADJACENT = 3  # a subject this close before a verb is that verb's (… الوزير سامي نصار أكد)
# Nouns that report speech: a quotation in their sentence is someone's words (في بيان، في تصريح).
_SPEECH_NOUNS = frozenset(
    normalize(w) for w in "بيان بيانا تصريح تصريحات تصريحه تصريحها كلمة كلمته كلمتها تغريدة منشور رسالة قوله".split()
)


def _quoted_name(toks: Sequence[Token], m: int) -> list[Token]:
    """A short name in quote marks right after a verb (وقال «عمر»، في المؤتمر): Egyptian papers mark the
    speaker's name so; the marks close within three words and a comma or a preposition follows, not a statement."""
    if m >= len(toks) or toks[m].surface not in _OPENERS:
        return []
    inner: list[Token] = []
    for n in range(m + 1, min(len(toks), m + 5)):
        tok = toks[n]
        if tok.surface in _CLOSERS_SET:
            after = toks[n + 1] if n + 1 < len(toks) else None
            if inner and after is not None and (after.surface in "،," or after.norm in STOP):
                return inner
            return []
        if not tok.is_word:
            return []
        inner.append(tok)
    return []


def _window(toks: Sequence[Token], k: int) -> list[Token]:
    """The words after a speech verb up to where the speech starts (أن / إن / a colon / a quote mark)."""
    out: list[Token] = []
    start = k + 1
    if _is_relay(toks[k]):
        # نقلت الوكالة عن مصدر أمني قوله: the words are the source's, not the relaying agency's.
        src = next((m for m in range(k + 1, min(len(toks), k + 1 + 2 * _WINDOW)) if toks[m].norm == "عن"), None)
        if src is not None:
            start = src + 1
    if quoted := _quoted_name(toks, start):
        return quoted
    for tok in toks[start : start + _WINDOW]:
        if tok.surface in ':«“”"' or tok.norm in _INTRO_WORDS:
            break
        if out and tok.norm in _CIRCUMSTANTIAL:
            break  # وقال السامعي وهو عضو المكتب …: a clause about the subject follows it, not the subject
        if out and tok.is_word and tok.norm[:1] in "لب" and tok.norm not in ("بن", "ابن", "بنت"):
            break  # a word glued to ل or ب names who was spoken to (لوكالة شفق نيوز), not who spoke
        out.append(tok)
    return out


_OPENERS = frozenset('«“"')
_CLOSERS_SET = frozenset('»”"')
# A pronoun glued to و after a subject opens a circumstantial clause (وهو عضو …).
_CIRCUMSTANTIAL = frozenset(normalize(w) for w in "وهو وهي وهم وهما وهن".split())
# Prepositions right after a verb of saying: its subject is then the implicit pronoun (قال في مقابلة مع …).
_PREPOSITIONS = frozenset(normalize(w) for w in "في خلال مع أمام عبر على من لدى عند أثناء اثناء إلى الى".split())
# Verbs that relay someone else's words (نقلت الوكالة عن …): the speaker follows عن.
_RELAY = frozenset(normalize(w) for w in "نقل نقلت ونقل ونقلت ونقلت".split())


def _is_relay(tok: Token) -> bool:
    return tok.norm in _RELAY


def _anaphoric(words: Sequence[Token], lexicon: Lexicon | None) -> bool:
    """A definite description standing for someone already named (وأكمل الألماني، وقال المدرب): a title or a
    nisba adjective with the article and no name after it. «المصدر» and «مصادر» are sources, not people named."""
    if not words or not words[0].is_word:
        return False
    head = words[0]
    if not head.bare.startswith("ال") or head.norm in STOP:
        return False
    title = lexicon is not None and any(v in lexicon.titles for v in head.variants)
    nisba = head.bare.endswith("ي") and len(head.bare) >= 6
    return title or nisba


class _SpeakerResolver:
    """Maps the words naming a speaker to a person or organisation the article names; titles through the
    person they introduced («وزير الخارجية» → فيصل بن فرحان), a surname alone to the full name."""

    def __init__(self, people: Sequence[Entity], organizations: Sequence[Entity], lexicon: Lexicon | None) -> None:
        self._lex = lexicon
        self.lexicon = lexicon
        self._person: dict[str, str] = {}
        for person in people:
            for form in [person.ar, *person.surface_forms]:
                toks = [t for t in tokenize(form) if t.is_word]
                if toks:
                    self._person.setdefault(_name_key(toks[-1]), person.ar)
        for person in people:  # a given name alone (الخير) names its person when no surname says otherwise
            for form in [person.ar, *person.surface_forms]:
                toks = [t for t in tokenize(form) if t.is_word]
                if len(toks) > 1:
                    self._person.setdefault(_name_key(toks[0]), person.ar)
        self._orgs: list[tuple[tuple[str, ...], str]] = []
        heads: dict[str, set[str]] = {}
        for org in organizations:
            for form in [org.ar, *org.surface_forms]:
                key = tuple(_name_key(t) for t in tokenize(form) if t.is_word)
                if key:
                    self._orgs.append((key, org.ar))
                    heads.setdefault(key[0], set()).add(org.ar)
        # A head word that names one organisation only stands for it (وشدد الائتلاف على …).
        self._org_head = {h: next(iter(names)) for h, names in heads.items() if len(names) == 1}
        self._orgs.sort(key=lambda x: -len(x[0]))
        self.titles: dict[str, str] = {}  # title word → the person it last introduced

    def person_at(self, tok: Token) -> str | None:
        if not tok.is_word or len(tok.norm) < 3:
            return None
        for variant in tok.variants:
            if hit := self._person.get(variant.removeprefix("ال")):
                return hit
        return None

    def org_at(self, toks: Sequence[Token], i: int) -> str | None:
        keys = [_name_key(t) for t in toks[i : i + 8]]
        first = {v.removeprefix("ال") for v in toks[i].variants} if toks[i].is_word else set()
        for key, name in self._orgs:
            if len(key) <= len(keys) and key[0] in first and tuple(keys[1 : len(key)]) == key[1:]:
                return name
        return next((self._org_head[f] for f in first if f in self._org_head), None)

    def _title(self, tok: Token) -> str | None:
        if self._lex is None or not tok.is_word:
            return None
        return next((v for v in tok.variants if v in self._lex.titles), None)

    def note_titles(self, toks: Sequence[Token]) -> None:
        """Remember which person each title introduced in this sentence (the title within four words before)."""
        for i, tok in enumerate(toks):
            person = self.person_at(tok)
            if person is None:
                continue
            for j in range(max(0, i - 5), i):
                if title := self._title(toks[j]):
                    self.titles[title] = person

    def resolve(self, words: Sequence[Token]) -> tuple[str | None, bool]:
        """(speaker, named): a person, else an organisation, else a title's person, else a given name read as
        a name; `named` is False when the words name nobody (مصدر أمني: an anonymous source is null)."""
        # A person anywhere in the subject first: in «قال عضو المجلس السياسي محمد علي» the body is the title's
        # complement, the speaker is the person.
        for tok in words:
            if person := self.person_at(tok):
                return person, True
        for i in range(len(words)):
            if org := self.org_at(words, i):
                return org, True
        for tok in words:
            if (title := self._title(tok)) and title in self.titles:
                return self.titles[title], True
        lex = self._lex
        if (
            words
            and lex is not None
            and words[0].is_word
            and words[0].light not in STOP_LIGHT
            and (words[0].light in lex.given_names or lex.names.is_frequent_given(words[0].norm))
        ):
            # A given name read as a name (قال أحمد): its words up to the first that is no name part.
            name: list[Token] = []
            for t in words[:_MAX_NAME]:
                if not t.is_word or t.light in STOP_LIGHT or is_verb(t):
                    break
                name.append(t)
            if name:
                return " ".join(t.surface for t in name), True
        return None, False

    def first_person(self, toks: Sequence[Token]) -> tuple[int, str | None]:
        """The first person the sentence names and where: the main clause's subject comes first in a news
        sentence (أثار النائب X، عن حزب …، موضوع …، متسائلا: X asks, however far back)."""
        return next(((n, p) for n, tok in enumerate(toks) if (p := self.person_at(tok))), (len(toks), None))

    def before(self, toks: Sequence[Token], k: int, reach: int = _BEFORE) -> str | None:
        """A subject named before its verb in the same sentence (the nearest person or organisation)."""
        for i in range(k - 1, max(-1, k - 1 - reach), -1):
            if person := self.person_at(toks[i]):
                return person
            if org := self.org_at(toks, i):
                return org
        return None


def _name_key(tok: Token) -> str:
    return tok.bare.removeprefix("ال")


class _SpeechIndex:
    """Where a sentence's speech verbs and participles stand, found once so that every lookup is a
    binary search: attribution costs O(n log n) in the sentence's length, however many quotes it holds."""

    def __init__(self, toks: Sequence[Token]) -> None:
        self.toks = toks
        self.at: list[int] = []  # token indexes of speech verbs and participles, in order
        self.is_verb: list[bool] = []  # a verb (names its speaker after it), else a participle
        for k, tok in enumerate(toks):
            if is_speech_verb(tok):
                self.at.append(k)
                self.is_verb.append(True)
            elif is_speech_participle(tok):
                self.at.append(k)
                self.is_verb.append(False)
        self.starts = [toks[k].start for k in self.at]
        self._first: tuple[int, str | None] | None = None

    def last_before(self, offset: int, not_before: int = 0) -> int | None:
        """Position in `at` of the last speech word starting in [not_before, offset), if any."""
        i = bisect.bisect_left(self.starts, offset) - 1
        return i if i >= 0 and self.starts[i] >= not_before else None

    def speaker_of(self, i: int, resolver: _SpeakerResolver, carried: str | None) -> str | None:
        """Who speaks at speech word i: the name after the verb, a subject before it, or — when the verb has
        no subject of its own (وأضاف أن، مضيفاً) — the speaker carried over from before."""
        k = self.at[i]
        if self.is_verb[i]:
            words = _window(self.toks, k)
            if words and words[0].norm in _PREPOSITIONS:
                # وأكد في مقابلة مع قناة …: a phrase right after the verb means its subject is implicit, named
                # before it (أما الائتلاف …، فقد دعا في بيان) or the speaker before
                return resolver.before(self.toks, k) or carried
            speaker, named = resolver.resolve(words)
            if named:
                return speaker
            if _anaphoric(words, resolver.lexicon):
                return carried  # وأكمل الألماني: the person the article has been quoting
            if words and words[0].norm[:1] not in "لبع" and words[0].norm not in STOP:
                return None  # a subject the article does not name (مصدر أمني، المصدر)
            if i > 0:
                # كما أكد أن: no subject of its own; one named right before it (… الوزير سامي أكد) is its
                # subject, else the sentence's earlier speaker is.
                return resolver.before(self.toks, k, _ADJACENT) or carried
        elif i > 0:
            return carried  # مضيفاً، مشيراً: a participle shares the subject of the verb before it in the sentence
        else:
            if self._first is None:  # found once per sentence: every participle then asks in O(1)
                self._first = resolver.first_person(self.toks)
            at, person = self._first
            return (person if at < k else None) or resolver.before(self.toks, k) or carried
        if self._first is None:
            self._first = resolver.first_person(self.toks)
        at, person = self._first
        if person is not None and at < k and not any(t.is_word for t in self.toks[:at]):
            # النجار، وفي مقطع نشره المركز، قال: a sentence that opens with a person is about them: the verb
            # without a subject of its own is theirs, not the nearest body's named in a clause between
            return person
        return resolver.before(self.toks, k) or carried


class _Intros:
    """Where reported speech may open (أن / إن / a colon after a space), found once per sentence.

    `after(start, end)` answers what `_INTRO.search(text, start, end)` answers, in O(log n): the first
    place the core (space + أن or colon) matches at or after `start`, if the match fits before `end`.
    Cores hold no space, so no later place can fit when the first one does not."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [m.start() for m in _INTRO_AT.finditer(text)]

    def after(self, start: int, end: int) -> re.Match[str] | None:
        k = bisect.bisect_left(self.starts, start)
        return _INTRO.match(self.text, self.starts[k], end) if k < len(self.starts) else None


def _stray_pieces(text: str, spans: list[tuple[int, int]], speech: _SpeechIndex) -> list[tuple[int, int]]:
    """Quotes closed by a mark no opener matched (… مضيفاً أن الظروف … تستمر”): each runs from the
    reported-speech opener after the last speech word before it."""
    pieces: list[tuple[int, int]] = []
    span_starts = [a for a, _ in spans]
    span_ends = [b for _, b in spans]
    intros: _Intros | None = None
    taken_to = 0  # end of the last stray quote: a later stray mark cannot reach back over it
    for m in _CLOSERS.finditer(text):
        pos = m.start()
        k = bisect.bisect_right(span_starts, pos) - 1
        if k >= 0 and pos < span_ends[k]:
            continue  # inside a matched quotation
        # Look back a bounded stretch, and never past a closed quotation: a stray mark far from its verb
        # is no quote.
        k = bisect.bisect_right(span_ends, pos) - 1
        prev_end = max(span_ends[k] if k >= 0 else 0, taken_to, pos - _MAX_LOOKBACK, 0)
        i = speech.last_before(pos, not_before=prev_end)
        if i is None:
            continue
        intros = intros or _Intros(text)
        intro = intros.after(speech.toks[speech.at[i]].end, pos)
        if intro:
            pieces.append((intro.end(), pos))
            if _body(text, intro.end(), pos) is not None:
                # A quote was taken: a later stray mark after no new verb would only repeat it, longer.
                taken_to = pos + 1
    return pieces


def _body(text: str, a: int, b: int) -> str | None:
    """The quoted words between two offsets, or None when they are too few to be a statement."""
    body = text[a:b].strip(_TRIM)
    return body if len(body.split()) >= _MIN_QUOTE_WORDS else None


def _is_name(body: str, resolver: _SpeakerResolver) -> bool:
    """A name in quote marks («الدولة الإسلامية في العراق والشام»), not a statement."""
    toks = [t for t in tokenize(body) if t.is_word]
    return bool(toks) and len(toks) <= 6 and resolver.org_at(toks, 0) is not None


def find_quotes(
    sentences: Sequence[Sentence],
    people: Sequence[Entity],
    organizations: Sequence[Entity] = (),
    lexicon: Lexicon | None = None,
) -> list[Quote]:
    """Every quotation of at least three words said by someone (a speech word or a colon introduces it, or
    attribution follows it), with its speaker: a person or organisation the article names, else null."""
    resolver = _SpeakerResolver(people, organizations, lexicon)
    quotes: list[Quote] = []
    carried: str | None = None  # the last speaker a speech verb named: the subject of «وأضاف أن …»
    for sentence in sentences:
        text = sentence.text
        toks = tokenize(text)
        resolver.note_titles(toks)
        speech = _SpeechIndex(toks)
        spans = quote_spans(text)
        pieces = [(a + 1, b - 1) for a, b in spans]
        if "”" in text or "»" in text:
            pieces.extend(_stray_pieces(text, spans, speech))
        pieces.extend(_unclosed_piece(text, spans, speech))
        speakers: list[str | None] = []
        for n in range(len(speech.at)):
            speakers.append(speech.speaker_of(n, resolver, carried if not speakers else speakers[-1]))
        noun = any(t.norm in _SPEECH_NOUNS or t.bare in _SPEECH_NOUNS for t in toks)
        starts = [t.start for t in toks]
        for a, b in sorted(pieces):
            body = _body(text, a, b)
            if body is None or _is_name(body, resolver):
                continue
            if _titled(toks, starts, a):
                continue  # في قضية «…»، ندوة حول «…»: the quoted words name a case, an event or a work
            if len(body.split()) < _LONG_QUOTE_WORDS and not _introduced(toks, starts, a, speech, noun):
                continue  # a term, a name or a case title in quote marks: nobody is said to have said it
            i = speech.last_before(a)
            speaker: str | None
            if according := _according_to(toks, starts, b, resolver):
                speaker = according  # «…»، وفق الحمود: the attribution right after the quote names its speaker
            elif i is None:
                # Attribution after the quote («…»، قال الصباغ), else the sentence's subject.
                after = speech.last_before(len(text) + 1)
                speaker = speakers[after] if after is not None else carried
            else:
                speaker = speakers[i]
            quotes.append(Quote(speaker, body, None, sentence.index))
        if speakers:
            carried = speakers[-1]
    return quotes


# Nouns that a quoted name or title follows, however long (a case, a charge, a title, a slogan, an event, a work,
# an operation, a topic): «في قضية "…"», «بعنوان "…"», «ندوة حول "…"», «عملية "…"».
_TITLE_NOUNS = frozenset(
    normalize(w)
    for w in (
        "قضية القضية تهمة التهمة بتهمة عنوان بعنوان العنوان شعار بشعار الشعار حول ندوة الندوة مؤتمر المؤتمر حملة"
        " الحملة مبادرة المبادرة كتاب الكتاب كتابه رواية الرواية روايته فيلم الفيلم فيلمه مسلسل المسلسل برنامج"
        " البرنامج مشروع المشروع وسم الوسم هاشتاغ هاشتاج عملية العملية معركة اسم باسم مسمى بمسمى ملف الملف"
    ).split()
)


def _titled(toks: Sequence[Token], starts: list[int], a: int) -> bool:
    """Whether the quotation opening at offset a follows a noun it names (في قضية «…»)."""
    k = bisect.bisect_left(starts, a - 1) - 1  # the last token before the opening mark
    while k >= 0 and not toks[k].is_word and toks[k].surface in '«“”"„':
        k -= 1
    return k >= 0 and toks[k].is_word and (toks[k].norm in _TITLE_NOUNS or toks[k].bare in _TITLE_NOUNS)


# Documents and sources that relay words (بحسب مصادر، وفق تقرير): not the speaker.
_SOURCES = frozenset(
    normalize(w) for w in "مصدر مصادر المصدر المصادر تقرير تقارير التقرير وثيقة الوثيقة بيان البيان".split()
)

# Words of attribution after a quotation: «…»، وفق/بحسب/حسب/طبقا لـ X — X said it.
_ACCORDING = frozenset(normalize(w) for w in "وفق وفقا وفقاً حسب بحسب وحسب طبقا طبقاً تبعا".split())


def _according_to(toks: Sequence[Token], starts: list[int], b: int, resolver: _SpeakerResolver) -> str | None:
    """The speaker an attribution right after the quotation ending at offset b names (… ، وفق الوزير سامي)."""
    k = bisect.bisect_left(starts, b)
    while k < len(toks) and not toks[k].is_word and k - bisect.bisect_left(starts, b) < 3:
        k += 1  # the closing mark and a comma
    if k >= len(toks) or not any(v in _ACCORDING for v in (toks[k].norm, toks[k].light)):
        return None
    k += 1
    words: list[Token] = []
    for tok in toks[k : k + _WINDOW]:
        if not tok.is_word:
            break
        words.append(tok)
    first = words[0].norm.removeprefix("ل") if words else ""
    if not words or first in _SPEECH_NOUNS | _SOURCES or "ال" + first in _SOURCES:
        return None  # وفقا لبيان نشرته الوزارة، بحسب مصادر: a document or a source relays, it did not speak
    speaker, named = resolver.resolve(words)
    if speaker is None and words and words[0].norm.startswith("ل"):
        speaker, named = resolver.resolve([*tokenize(words[0].surface[1:]), *words[1:]])  # وفقا للوزير
    return speaker if named else None


# Terms, names and case titles in quote marks are short; a quoted span this long is somebody's statement even
# when the sentence does not say who made it (the attribution is often a sentence away).
_LONG_QUOTE_WORDS = 6

# Words that let a quotation follow them when a speech verb stands shortly before (شدد على «…»، أفاد بـ«…»).
_LINKS = frozenset(normalize(w) for w in "على إلى الى عن من ب بـ ل لـ".split())
_NEAR = 14


def _introduced(toks: Sequence[Token], starts: list[int], a: int, speech: _SpeechIndex, noun: bool) -> bool:
    """Whether the quotation opening at offset a is introduced as speech: right after a speech word, an
    intro word (أن، إن) or a colon; after a linking preposition with a speech verb just before; or opening
    the sentence. A quotation after any other word (في قضية «…»، ما يعرف بـ«…» far from a verb) is a term."""
    k = bisect.bisect_left(starts, a - 1) - 1  # the last token before the opening mark
    while k >= 0 and not toks[k].is_word and toks[k].surface in '«“”"„':
        k -= 1
    if k < 0:
        return True
    prev = toks[k]
    if not prev.is_word:
        return prev.surface in ":،,"
    if prev.norm in _INTRO_WORDS or is_speech_verb(prev) or is_speech_participle(prev):
        return True
    if noun and (prev.norm in _SPEECH_NOUNS or prev.bare in _SPEECH_NOUNS):
        return True
    near = speech.last_before(a)
    if near is None:
        return False
    if prev.norm in _LINKS:
        return k - speech.at[near] <= _NEAR
    # Right after the verb's subject (أكد الصباغ «…»، وكتب على اللافتة «…»): no intro word in between.
    between = toks[speech.at[near] + 1 : k + 1]
    if len(between) <= _WINDOW and not any(t.norm in _INTRO_WORDS for t in between):
        return True
    # Inside the clause the verb reports (اعتبر أن ما جرى «جريمة بحق الإنسانية»): a partial quotation of the
    # speaker's words, unless a sentence boundary or another clause intervenes.
    intro = next((m for m, t in enumerate(between) if t.norm in _INTRO_WORDS), None)
    return (
        intro is not None
        and len(between) - intro <= _NEAR
        and not any(t.surface in ".؟!؛" for t in between)
        and is_verb(toks[speech.at[near]])
    )


def _unclosed_piece(text: str, spans: list[tuple[int, int]], speech: _SpeechIndex) -> list[tuple[int, int]]:
    """A quotation opened right after its verb and never closed (Sudanese copy: «وقال” اننا …»): to the end."""
    for k in speech.at:
        end = speech.toks[k].end
        rest = text[end : end + 3]
        stripped = rest.lstrip(" :")
        if not stripped or stripped[0] not in '”“«"':
            continue
        mark = end + (len(rest) - len(stripped))
        if any(a <= mark < b for a, b in spans) or any(c in text[mark + 1 :] for c in "”»"):
            return []
        return [(mark + 1, len(text))]
    return []
