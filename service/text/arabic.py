"""Arabic text helpers: display cleaning, matching normalisation, tokens and a light stemmer."""

from __future__ import annotations

import re
import unicodedata

# Format characters that change nothing a reader sees but break matching (bidi marks, zero widths, BOM).
_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_TATWEEL = "\u0640"
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and newlines

ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]")
# The Arabic script's blocks: base, supplement, extended-A and the presentation forms.
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
WORD = re.compile(r"[\w\u0621-\u064a\u0670-\u06d3]+")

STOPWORDS = frozenset(
    """
    في من على إلى الى عن مع أن ان إن لن لم ما لا هذا هذه ذلك تلك التي الذي الذين اللذين اللتين هو هي هم هما
    كان كانت يكون قد وقد لقد كما أو او ثم بل حتى إذا اذا كل بين بعد قبل عند خلال حول ضد دون عبر منذ لدى أي اي
    أيضا ايضا فقط غير بها به بهم له لها لهم فيها فيه منها منه عليه عليها إليه اليه إليها نحو وفي ومن وعلى وإلى
    والتي والذي وأن وان وإن هناك هنا حيث كيف متى أين اين ولا وما ولم فإن فان بأن بان لأن لان ذات وذلك وهذا وهذه
    تم يتم وقال قال وأكد أكد وأضاف أضاف وأوضح أوضح اليوم أمس الأربعاء الخميس الجمعة السبت الأحد الاثنين الثلاثاء
    """.split()
)


# A run of tatweel and the (at most two) letters before it: «لـ“حماية»، «بـ3000»، «الرئيـس».
_TATWEEL_RUN = re.compile("([\u0621-\u064a]{1,2})?\u0640+")
_PROCLITIC = re.compile("[وف]?[لبك]|[وف]")
_LETTER = re.compile("[\u0621-\u064a]")


def _drop_tatweel(text: str) -> str:
    """Tatweel out, except after a proclitic standing alone before a non-letter («لـ“حماية»، «بـ3000»):
    there it is what joins the letter to the word, and dropping it would leave an orphan letter («ل“حماية»);
    alone between spaces it is a dash."""

    def keep(m: re.Match[str]) -> str:
        letters = m.group(1) or ""
        start, end = m.start(), m.end()
        if not letters and (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace()):
            return "-"  # a tatweel standing alone between spaces is a dash typed with the kashida key («لندن ـ »)
        alone = letters and _PROCLITIC.fullmatch(letters) and (start == 0 or not _LETTER.match(text[start - 1]))
        if alone and (end == len(text) or not _LETTER.match(text[end])):
            return letters + _TATWEEL
        return letters

    return _TATWEEL_RUN.sub(keep, text) if _TATWEEL in text else text


def clean_display(text: str) -> str:
    """Text as shown to readers: NFKC, no invisible marks, no tatweel (but after a lone proclitic), tidy
    spaces; diacritics kept."""
    text = unicodedata.normalize("NFKC", text)
    text = _drop_tatweel(_INVISIBLE.sub("", text))
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _SPACES.sub(" ", text)


def normalize(text: str) -> str:
    """Text for comparison only: no diacritics or tatweel, one alef, final ya and ta marbuta unified."""
    text = _DIACRITICS.sub("", text.replace(_TATWEEL, ""))
    return text.translate(_ALEF).translate(_DIGITS)


def arabic_ratio(text: str) -> tuple[float, int, int]:
    """Share of all letters (any script, str.isalpha) that are Arabic; with the Arabic and the other
    letters' counts. Chinese text with one Arabic word is not Arabic: every script counts against it."""
    letters = "".join(filter(str.isalpha, text.replace(_TATWEEL, "")))  # tatweel is a stretch, not a letter
    ar = len(_ARABIC_SCRIPT.findall(letters))
    other = len(letters) - ar
    return (ar / len(letters) if letters else 0.0), ar, other


# Characters that must never come back in a string echoed from the input: C0 and C1 controls (NUL ...),
# DEL, and the bidi embeddings, overrides, isolates and marks that can make echoed text read otherwise.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_STRIP_CONTROLS = {
    **{c: (" " if chr(c).isspace() else None) for c in [*range(0x20), *range(0x7F, 0xA0)]},
    **{ord(c): None for c in _BIDI},
}


def strip_controls(text: str) -> str:
    """The text without control characters or bidi controls: safe to echo (a ref, a title, a removed line).

    Whitespace controls (tab, newlines, vertical tab ...) become a space, the others are dropped."""
    return text.translate(_STRIP_CONTROLS)


_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_SUFFIXES = ("هما", "كما", "ات", "ون", "ين", "ان", "ها", "هم", "كم", "نا", "يه", "يا", "ه", "ي")


def stem(token: str) -> str:
    """Light stem of a normalised token: one clitic prefix and one suffix, never below three letters."""
    for p in _PREFIXES:
        if token.startswith(p) and len(token) - len(p) >= 3:
            token = token[len(p) :]
            break
    for s in _SUFFIXES:
        if token.endswith(s) and len(token) - len(s) >= 3:
            token = token[: -len(s)]
            break
    return token


def content_tokens(text: str) -> list[str]:
    """Normalised, light-stemmed tokens of a sentence, stopwords and one-letter tokens left out."""
    out = []
    for raw in WORD.findall(normalize(text)):
        if len(raw) < 2 or raw in _NORMALIZED_STOPWORDS or raw.isdigit():
            continue
        out.append(stem(raw))
    return out


_NORMALIZED_STOPWORDS = frozenset(normalize(w) for w in STOPWORDS)


def strip_clitic(token: str) -> str:
    """Take off a conjunction or preposition glued to a definite word: للأمن → الأمن، وبالعراق → العراق.

    A single letter glued to an indefinite word is ambiguous (بسام is a name, بطهران is "in Tehran"):
    callers that know a lexicon try `clitic_variants` instead.
    """
    for prefix in ("وبال", "وكال", "ولل", "وال", "بال", "كال", "فال", "لل"):
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            return "ال" + token[len(prefix) :]
    return token


def clitic_variants(token: str) -> tuple[str, ...]:
    """The token, its definite form without clitic, and the token without a leading و، ف، ب، ل، ك."""
    out = [token]
    bare = strip_clitic(token)
    if bare != token:
        out.append(bare)
    if token[:1] in "وفبلك" and len(token) > 3:
        out.append(token[1:])
    return tuple(out)


_HAMZA_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


def light_normalize(text: str) -> str:
    """Diacritics and tatweel stripped, alef forms unified, but ى and ة kept: علي (a name) ≠ على (on)."""
    return _DIACRITICS.sub("", text.replace(_TATWEEL, "")).translate(_HAMZA_ALEF)
