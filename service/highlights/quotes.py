"""Quotations and who said them, read as a careful reader would, misplaced marks included."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from service.highlights.lexicon import STOP_LIGHT, Token, is_speech_participle, is_speech_verb, tokenize
from service.highlights.types import Entity, Quote
from service.text.segment import Sentence, quote_spans

_MAX_LOOKBACK = 800
_MIN_QUOTE_WORDS = 3  # shorter quoted text is a term or a name in scare quotes, not a statement
_TRIM = " \t\"'«»“”„.,،:؛;"
# Where reported speech starts after its verb: أن / إن / a colon.
_INTRO = re.compile(r"(?:^|\s)(?:[وف]?[أإا]نّ?[َُِّ]*|:)\s*")
# Every place _INTRO's core can start after a space (zero-width, so overlapping places are all found).
_INTRO_AT = re.compile(r"(?=\s(?:[وف]?[أإا]ن|:))")
_CLOSERS = re.compile("[”»]")


def _speaker_after(toks: Sequence[Token], k: int) -> list[Token]:
    """The name right after a speech verb: أكد [الصباغ] لأحمديان / وأضاف [أحمديان]:"""
    name: list[Token] = []
    # A name is at most three words: look at no more (slicing the whole tail cost O(n) per verb).
    for tok in toks[k + 1 : k + 4]:
        # A word glued to ل or ب names who was spoken to (لأحمديان), not who spoke.
        if not tok.is_word or tok.light in STOP_LIGHT or tok.norm[:1] in "لب":
            break
        name.append(tok)
    return name


class _SpeakerResolver:
    """Maps the words naming a speaker to the person entity they point to."""

    def __init__(self, people: Sequence[Entity]) -> None:
        self._by_surname: dict[str, str] = {}
        for person in people:
            for form in [person.ar, *person.surface_forms]:
                last = tokenize(form)[-1].bare.removeprefix("ال")
                self._by_surname.setdefault(last, person.ar)

    def resolve(self, name: Sequence[Token]) -> str | None:
        for tok in reversed(name):
            for variant in tok.variants:
                if hit := self._by_surname.get(variant.removeprefix("ال")):
                    return hit
        return " ".join(t.surface for t in name) or None


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

    def last_before(self, offset: int, not_before: int = 0) -> int | None:
        """Position in `at` of the last speech word starting in [not_before, offset), if any."""
        i = bisect.bisect_left(self.starts, offset) - 1
        return i if i >= 0 and self.starts[i] >= not_before else None

    def speaker_before(
        self, before: int, resolver: _SpeakerResolver, sentence_speaker: str | None
    ) -> tuple[str | None, bool]:
        """Speaker named by the last speech verb before a character offset; (speaker, verb found)."""
        i = self.last_before(before)
        if i is None:
            return sentence_speaker, False
        if self.is_verb[i]:
            name = _speaker_after(self.toks, self.at[i])
            return (resolver.resolve(name) if name else sentence_speaker), True
        return sentence_speaker, True


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


def find_quotes(sentences: Sequence[Sentence], people: Sequence[Entity]) -> list[Quote]:
    """Every quotation of at least three words, with its speaker when the article names one."""
    resolver = _SpeakerResolver(people)
    quotes: list[Quote] = []
    last_speaker: str | None = None
    for sentence in sentences:
        text = sentence.text
        toks = tokenize(text)
        speech = _SpeechIndex(toks)
        # The sentence's subject: whoever its first speech verb names.
        first_verb = next((k for k, verb in zip(speech.at, speech.is_verb, strict=True) if verb), None)
        subject = resolver.resolve(_speaker_after(toks, first_verb)) if first_verb is not None else None
        spans = quote_spans(text)
        pieces = [(a + 1, b - 1) for a, b in spans]
        if "”" in text or "»" in text:
            pieces.extend(_stray_pieces(text, spans, speech))
        for a, b in sorted(pieces):
            body = _body(text, a, b)
            if body is None:
                continue
            speaker, found = speech.speaker_before(a, resolver, subject)
            if not found:
                # Attribution after the quote: “…”، قال الصباغ.
                speaker, found = speech.speaker_before(len(text) + 1, resolver, subject)
            speaker = speaker or (last_speaker if found else None)
            quotes.append(Quote(speaker, body, None, sentence.index))
            last_speaker = speaker or last_speaker
    return quotes
