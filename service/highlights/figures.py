"""Figures: numbers, percentages, sums of money and dates, as written, with a normalised value."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.highlights.types import Figure, FigureKind
from service.text.arabic import normalize
from service.text.segment import Sentence

# A number starts where a chain of digit groups starts, and its digit runs are atomic: what may follow a
# number never starts with a digit, so nothing is lost, while a 50,000-digit run (or a chain 1.1.1…) is no
# longer backtracked through from every one of its digits (quadratic).
_D = "[0-9٠-٩۰-۹]"
_NUM = rf"(?<!{_D})(?<!{_D}[.,٫٬])(?>{_D}+)(?:[.,٫٬](?>{_D}+))*"
_SCALE = r"(?:\s+(?:ألف|آلاف|الف|مليون|ملايين|مليار|مليارات|ترليون|تريليون))?"
_CURRENCY = (
    r"(?:دولار(?:ا|ات)?|يورو|ليرة|ليرات|ريال(?:ات)?|جنيه(?:ات)?|درهم|دراهم|دينار(?:ا)?|دنانير|تومان"
    r"|روبل|ين|يوان|جنيه إسترليني|\$|€|£)"
)
_DAYS = r"(?:الأحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت)"
_MONTHS = (
    r"(?:يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|كانون الثاني"
    r"|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول)"
)

_END = r"(?!\w)"  # a whole word: "ين" (yen) is not the start of "يناير"

_PATTERNS: list[tuple[FigureKind, re.Pattern[str]]] = [
    ("percent", re.compile(rf"{_NUM}\s?(?:%|٪|بالمئة|بالمائة|في المئة|في المائة)")),
    ("money", re.compile(rf"(?:{_NUM}{_SCALE}\s*{_CURRENCY}{_END}|[$€£]\s?{_NUM}{_SCALE}{_END})")),
    (
        "date",
        re.compile(
            rf"(?:{_NUM}\s+{_MONTHS}(?:\s+{_NUM})?|{_MONTHS}\s+{_NUM}|(?:اليوم|يوم|مساء|صباح)\s+{_DAYS}"
            rf"|{_DAYS}|(?:عام|العام|سنة)\s+{_NUM})"
        ),
    ),
    ("number", re.compile(rf"{_NUM}{_SCALE}")),
]


def _value(text: str) -> str | None:
    digits = re.search(_NUM, normalize(text))
    return digits.group().replace("٫", ".").replace("٬", "") if digits else None


def find_figures(sentences: Sequence[Sentence]) -> list[Figure]:
    """Every figure once per sentence, the most specific kind winning (a percentage is not also a number)."""
    out: list[Figure] = []
    for sentence in sentences:
        # Characters already part of a figure: one check per match costs its length, not the figure count.
        taken = bytearray(len(sentence.text))
        found: list[tuple[int, Figure]] = []
        for kind, pattern in _PATTERNS:
            for m in pattern.finditer(sentence.text):
                if taken.find(1, m.start(), m.end()) != -1:
                    continue
                taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
                value = None if kind == "date" and not re.search(_NUM, m.group()) else _value(m.group())
                found.append((m.start(), Figure(m.group(), kind, value, sentence.index)))
        out.extend(f for _, f in sorted(found, key=lambda x: x[0]))
    return out
