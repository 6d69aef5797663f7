"""Amounts in Arabic text by value: digits or number words, scale words, percent and currency units.

«5 ملايين» == 5000000 == «خمسة ملايين»; «2.5 مليار دولار» is 2.5e9 in the unit دولار.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.text.arabic import normalize

# Normalised number words (ة → ه, ى → ي, one alef). واحد and اثنان alone are left out: «في وقت واحد»
# is not a figure. They still count inside a compound (واحد وعشرون).
_UNITS: dict[str, float] = {
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7,
    "ثماني": 8, "ثمانيه": 8, "ثمان": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}  # fmt: skip
_WEAK_UNITS: dict[str, float] = {"واحد": 1, "واحده": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2}
_TENS: dict[str, float] = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "اربعون": 40, "اربعين": 40, "خمسون": 50,
    "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90,
    "تسعين": 90,
}  # fmt: skip
_HUNDREDS: dict[str, float] = {
    "مئة": 100, "مائة": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200, "مئتا": 200,
}  # fmt: skip
for _w, _v in (("ثلاث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7), ("ثمان", 8), ("تسع", 9)):
    _HUNDREDS[_w + "مئة"] = _HUNDREDS[_w + "مائة"] = _v * 100
_SCALES = {
    "الف": 1e3, "الاف": 1e3, "الفا": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليونا": 1e6, "مليار": 1e9,
    "مليارات": 1e9, "مليارا": 1e9, "بليون": 1e9, "ترليون": 1e12, "تريليون": 1e12,
}  # fmt: skip
_DUAL_SCALES = {"الفين": 2e3, "الفان": 2e3, "مليونين": 2e6, "مليونان": 2e6, "مليارين": 2e9, "ملياران": 2e9}
_SINGLE_SCALES = frozenset({"الف", "مليون", "مليار", "بليون", "ترليون", "تريليون"})
_CURRENCIES = {
    "دولار": "دولار", "دولارا": "دولار", "دولارات": "دولار", "يورو": "يورو", "ليره": "ليره", "ليرات": "ليره",
    "ريال": "ريال", "ريالات": "ريال", "جنيه": "جنيه", "جنيهات": "جنيه", "درهم": "درهم", "دراهم": "درهم",
    "دينار": "دينار", "دينارا": "دينار", "دنانير": "دينار", "تومان": "تومان", "روبل": "روبل", "يوان": "يوان",
    "$": "دولار", "€": "يورو", "£": "جنيه",
}  # fmt: skip
_PERCENT_MARKS = {"%", "٪", "بالمئه", "بالمائه"}
_HEDGES = {"نحو", "حوالي", "قرابه", "زهاء", "يقارب", "يناهز", "اكثر", "اقل", "يزيد", "تقريبا"}
_CLITICS = ("وال", "بال", "لل", "ال", "و", "ب", "ل", "ف", "ك")

# normalize() drops exactly these characters (diacritics, tatweel) and maps every other one to one character.
_KEPT = re.compile("[^\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]", re.S)


def _normalized(words: dict[str, float]) -> dict[str, float]:
    # Keys are written as read; matching sees them normalised (مئة → ميه: ئ and ة are unified too).
    return {normalize(k): v for k, v in words.items()}


_UNITS, _WEAK_UNITS, _TENS, _HUNDREDS = map(_normalized, (_UNITS, _WEAK_UNITS, _TENS, _HUNDREDS))
_SCALES, _DUAL_SCALES = _normalized(_SCALES), _normalized(_DUAL_SCALES)
_SINGLE_SCALES = frozenset(normalize(w) for w in _SINGLE_SCALES)
_CURRENCIES = {normalize(k): normalize(v) for k, v in _CURRENCIES.items()}
_PERCENT_MARKS = {normalize(w) for w in _PERCENT_MARKS}
_HEDGES = {normalize(w) for w in _HEDGES}
_PERCENT_AFTER_FI = (normalize("المئة"), normalize("المائة"))

_TOKEN = re.compile(r"[0-9]+(?:[.,٫٬][0-9]+)*|[\w\u0621-\u065f\u0670-\u06d3]+|[%٪$€£]")


@dataclass(frozen=True)
class Amount:
    """A figure in the text: its words as written, its value, its unit ('' / '%' / a currency), hedged or not."""

    text: str
    value: float
    unit: str
    hedged: bool  # «نحو 5 ملايين»: a rounded figure
    start: int
    end: int

    def matches(self, other: Amount) -> bool:
        """Same value (within 10% when this one is hedged) and a compatible unit."""
        if self.unit and other.unit and self.unit != other.unit:
            return False
        if self.unit == "%" and other.unit != "%":
            return False
        if self.hedged:
            return abs(self.value - other.value) <= 0.1 * max(abs(other.value), 1e-9)
        return abs(self.value - other.value) <= 1e-9 * max(abs(other.value), 1.0)


def _word(token: str) -> str:
    """A token without a glued clitic when what is left is a number or scale word."""
    for p in _CLITICS:
        rest = token[len(p) :]
        if token.startswith(p) and (rest in _UNITS or rest in _TENS or rest in _HUNDREDS or rest in _WEAK_UNITS):
            return rest
    return token


def _digits(token: str) -> float | None:
    t = token.replace("٫", ".").replace("٬", ",")
    # 5,000 is five thousand; 2,5 (a comma before other than three digits) is a decimal comma.
    t = re.sub(r",(?=\d{3}(?!\d))", "", t).replace(",", ".")
    if t.count(".") > 1:
        t = t.replace(".", "")
    try:
        return float(t)
    except ValueError:
        return None


def find_amounts(text: str) -> list[Amount]:
    """Every number in the text by value: «5 ملايين», «خمسة ملايين», «5,000,000», «40%», «3 مليارات دولار»."""
    norm = normalize(text)  # one-to-one with the text's characters except diacritics and tatweel
    keep = [m.start() for m in _KEPT.finditer(text)]
    toks = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(norm)]
    out: list[Amount] = []
    i = 0
    while i < len(toks):
        start_i = i
        total, current, seen_number = 0.0, 0.0, False
        strong = False
        while i < len(toks):
            raw = toks[i][0]
            w = _word(raw)
            if w == "و" and seen_number and i + 1 < len(toks) and _is_number_word(_word(toks[i + 1][0])):
                i += 1  # the و joining خمسة و عشرون
                continue
            digits = _digits(raw) if raw[0].isdigit() else None
            if digits is not None:
                if seen_number and current:  # two numbers in a row are two figures
                    break
                current += digits
                seen_number = strong = True
            elif w in _UNITS or w in _TENS or w in _WEAK_UNITS:
                current += _UNITS.get(w) or _TENS.get(w) or _WEAK_UNITS[w]
                seen_number = True
                strong = strong or w not in _WEAK_UNITS
            elif w in _HUNDREDS:
                current = (current or 1) * 100 if _HUNDREDS[w] == 100 else current + _HUNDREDS[w]
                seen_number = strong = True
            elif raw in _SCALES and seen_number:
                total += (current or 1) * _SCALES[raw]
                current = 0.0
            elif raw in _SINGLE_SCALES or raw in _DUAL_SCALES:
                # A scale word alone: «ألف» is 1000, «مليونين» two million (plural «آلاف» alone is vague).
                total += _DUAL_SCALES.get(raw) or _SCALES[raw]
                seen_number = strong = True
            else:
                break
            i += 1
        if not seen_number or not strong:
            i = max(i, start_i + 1)
            continue
        value = total + current
        end_i = i
        unit = ""
        if i < len(toks) and (toks[i][0] in _PERCENT_MARKS):
            unit, end_i = "%", i + 1
        elif i + 1 < len(toks) and toks[i][0] == "في" and toks[i + 1][0] in _PERCENT_AFTER_FI:
            unit, end_i = "%", i + 2
        elif i < len(toks) and toks[i][0] in _CURRENCIES:
            unit, end_i = _CURRENCIES[toks[i][0]], i + 1
        elif start_i > 0 and toks[start_i - 1][0] in ("$", "€", "£"):
            unit = _CURRENCIES[toks[start_i - 1][0]]
        hedged = any(_word(toks[k][0]) in _HEDGES for k in range(max(0, start_i - 2), start_i))
        a, b = toks[start_i][1], toks[end_i - 1][2]
        # Map normalised offsets back to the text (normalize only drops characters).
        a0, b0 = keep[a] if a < len(keep) else len(text), keep[b - 1] + 1 if b - 1 < len(keep) else len(text)
        out.append(Amount(text[a0:b0], value, unit, hedged, a0, b0))
        i = max(end_i, start_i + 1)
    return out


def _is_number_word(w: str) -> bool:
    return w in _UNITS or w in _TENS or w in _HUNDREDS or w in _WEAK_UNITS or w in _SCALES or w in _DUAL_SCALES
