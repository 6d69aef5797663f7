"""Quotations and who said them, read as a careful reader would, misplaced marks included."""

from __future__ import annotations

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


def _speaker_after(toks: Sequence[Token], k: int) -> list[Token]:
    """The name right after a speech verb: أكد [الصباغ] لأحمديان / وأضاف [أحمديان]:"""
    name: list[Token] = []
    for tok in toks[k + 1 :]:
        # A word glued to ل or ب names who was spoken to (لأحمديان), not who spoke.
        if not tok.is_word or tok.light in STOP_LIGHT or tok.norm[:1] in "لب" or len(name) == 3:
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


def _speaker_before(
    toks: Sequence[Token],
    before: int,
    resolver: _SpeakerResolver,
    sentence_speaker: str | None,
) -> tuple[str | None, bool]:
    """Speaker named by the last speech verb before a character offset; (speaker, verb found)."""
    for k in range(len(toks) - 1, -1, -1):
        tok = toks[k]
        if tok.start >= before:
            continue
        if is_speech_verb(tok):
            name = _speaker_after(toks, k)
            return (resolver.resolve(name) if name else sentence_speaker), True
        if is_speech_participle(tok):
            return sentence_speaker, True
    return sentence_speaker, False


def find_quotes(sentences: Sequence[Sentence], people: Sequence[Entity]) -> list[Quote]:
    """Every quotation of at least three words, with its speaker when the article names one."""
    resolver = _SpeakerResolver(people)
    quotes: list[Quote] = []
    last_speaker: str | None = None
    for sentence in sentences:
        text = sentence.text
        toks = tokenize(text)
        # The sentence's subject: whoever its first speech verb names.
        first_verb = next((k for k, t in enumerate(toks) if is_speech_verb(t)), None)
        subject = resolver.resolve(_speaker_after(toks, first_verb)) if first_verb is not None else None
        spans = quote_spans(text)
        pieces: list[tuple[int, int]] = [(a + 1, b - 1) for a, b in spans]
        # A closing mark no opener matched (… مضيفاً أن الظروف … تستمر”): the quote runs from the
        # reported-speech opener that follows the last speech verb before it.
        for m in re.finditer("[”»]", text):
            pos = m.start()
            if any(a <= pos < b for a, b in spans):
                continue
            # Look back a bounded stretch: a stray mark far from its verb is no quote, and many stray
            # marks in a long sentence must not cost quadratic time.
            prev_end = max([b for a, b in spans if b <= pos] + [pos - _MAX_LOOKBACK, 0])
            verb = next(
                (t for t in reversed(tokenize(text[prev_end:pos])) if is_speech_verb(t) or is_speech_participle(t)),
                None,
            )
            if verb is None:
                continue
            intro = _INTRO.search(text, prev_end + verb.end, pos)
            if intro:
                pieces.append((intro.end(), pos))
        for a, b in sorted(pieces):
            body = text[a:b].strip(_TRIM)
            if len(body.split()) < _MIN_QUOTE_WORDS:
                continue
            speaker, found = _speaker_before(toks, a, resolver, subject)
            if not found:
                # Attribution after the quote: “…”، قال الصباغ.
                speaker, found = _speaker_before(toks, len(text) + 1, resolver, subject)
            speaker = speaker or (last_speaker if found else None)
            quotes.append(Quote(speaker, body, None, sentence.index))
            last_speaker = speaker or last_speaker
    return quotes
