"""Figures: numbers, percentages, sums of money and dates, as written, with a normalised value.

Values follow tests/corpus/CORPUS_FORMAT: numbers in Western digits as a plain decimal with the scale applied
(«5 ملايين دولار» → "5000000", «1،250» → "1250", KUNA's reversed decimal «3ر37» → "37.3", «مليون ونصف» →
"1500000"); dates as ISO ("2025-08-15", "2025-08", "08-15", "2025"), weekdays as the English name in lower
case, clock times as "HH:MM". Every pattern is a regular expression without nested repetition, run once over
each sentence: linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from service.highlights.types import Figure, FigureKind
from service.text.segment import Sentence

_D = "[0-9٠-٩۰-۹]"
_DIGIT_MAP = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# A number in digits: KUNA's reversed decimal (3ر37), thousands grouped by , ، ٬ or . (1،250 / 1.250.000),
# or a plain number with an optional decimal part.
# Two or more dot groups are thousands too (1.250.000: one group, 1.250, is a decimal); a comma before one or two
# digits is a decimal comma (Maghreb and Levant: «3,5 في المائة»).
_NUM = (
    rf"(?:{_D}+ر{_D}+|{_D}{{1,3}}(?:[,،٬]{_D}{{3}})+(?:[.٫]{_D}+)?(?!{_D})|{_D}{{1,3}}(?:\.{_D}{{3}}){{2,}}(?!{_D})"
    rf"|{_D}+[,،]{_D}{{1,2}}(?![0-9٠-٩۰-۹,،])|{_D}+(?:[.٫]{_D}+)?)"
)
_B = r"(?<![\w\u064b-\u065f\u0670])"  # a word starts here (a diacritic is part of a word, ، is not)
_E = r"(?![\w\u064b-\u065f\u0670])"  # a word ends here
_CLITIC = "(?:(?:[وفبل]|وب|ول)ـ?)?"  # a kashida may join the clitic to digits: «بـ5 ملايين»

_UNITS = {
    "واحد": 1, "واحدة": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثة": 3,
    "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثمان": 8,
    "ثماني": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10,
}  # fmt: skip
_TENS = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40, "أربعين": 40, "خمسون": 50,
    "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80,
    "تسعون": 90, "تسعين": 90,
}  # fmt: skip
_HUNDREDS = {
    "مئة": 100, "مائة": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200, "ثلاثمئة": 300,
    "ثلاثمائة": 300, "أربعمئة": 400, "أربعمائة": 400, "خمسمئة": 500, "خمسمائة": 500, "ستمئة": 600,
    "ستمائة": 600, "سبعمئة": 700, "سبعمائة": 700, "ثمانمئة": 800, "ثمانمائة": 800, "تسعمئة": 900,
    "تسعمائة": 900,
}  # fmt: skip
# Scale words after a number (5 ملايين) and the dual scales that are a number alone (مليوني جنيه).
_SCALES = {
    "ألف": 10**3, "آلاف": 10**3, "الف": 10**3, "ألفاً": 10**3, "ألفا": 10**3, "الفا": 10**3, "مليون": 10**6,
    "ملايين": 10**6, "مليونا": 10**6, "مليار": 10**9, "مليارات": 10**9, "مليارا": 10**9, "بليون": 10**9,
    "بلايين": 10**9, "تريليون": 10**12, "ترليون": 10**12, "تريليونات": 10**12, "ترليونات": 10**12,
}  # fmt: skip
_SCALE_ALONE = frozenset({"ألف", "الف", "مليون", "مليار", "بليون", "تريليون", "ترليون"})  # «مليون ونصف»
_DUAL_SCALES = {
    "ألفان": 2000, "ألفين": 2000, "ألفي": 2000, "مليونان": 2 * 10**6, "مليونين": 2 * 10**6,
    "مليوني": 2 * 10**6, "ملياران": 2 * 10**9, "مليارين": 2 * 10**9, "ملياري": 2 * 10**9,
    # The dual in construct drops its ن: «مليونا دولار», «مليارا جنيه».
    "مليونا": 2 * 10**6, "مليارا": 2 * 10**9,
}  # fmt: skip
# Duals of counted nouns: «يومين» is a quantity of two.
_DUALS = (
    "يومين يومان عامين عامان سنتين سنتان شهرين شهران أسبوعين أسبوعان ساعتين ساعتان دقيقتين مرتين مرتان"
    " شخصين طفلين قتيلين جريحين ضعفين ضعفان"
).split()
# Ordinal days of the month («الخامس من يونيو», «الحادي والعشرين من مارس»): 1-31.
_ORDINAL_UNITS = ["الحادي", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع"]
_ORDINAL_DAYS: dict[str, int] = {"الأول": 1, "الاول": 1, "العاشر": 10, "العشرين": 20, "الثلاثين": 30}
for _i, _w in enumerate(_ORDINAL_UNITS, start=1):
    if _i > 1:
        _ORDINAL_DAYS[_w] = _i
    _ORDINAL_DAYS[f"{_w} عشر"] = 10 + _i
    _ORDINAL_DAYS[f"{_w} والعشرين"] = 20 + _i
_ORDINAL_DAYS["الحادي والثلاثين"] = 31
_FRACTIONS = {"نصف": Decimal("0.5"), "ربع": Decimal("0.25"), "ثلث": Decimal("0.333"), "ثلثي": Decimal("0.667")}

_MONTHS = {
    # Egyptian / Gulf (from the European names)
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "ابريل": 4, "مايو": 5, "يونيو": 6,
    "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نوفمبر": 11, "ديسمبر": 12,
    # Maghreb (from the French names)
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "افريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "جويليه": 7,
    "أوت": 8, "اوت": 8, "غشت": 8, "يوليوز": 7, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
    # Levant / Iraq (Syriac names)
    "كانون الثاني": 1, "كانون ثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5,
    "ايار": 5, "آيار": 5, "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9,
    "تشرين الأول": 10, "تشرين أول": 10, "تشرين الثاني": 11, "تشرين ثاني": 11, "كانون الأول": 12,
    "كانون أول": 12,
}  # fmt: skip
_WEEKDAYS = {
    "الأحد": "sunday", "الاحد": "sunday", "الاثنين": "monday", "الإثنين": "monday", "الأثنين": "monday",
    "الثلاثاء": "tuesday", "الأربعاء": "wednesday", "الاربعاء": "wednesday", "الخميس": "thursday",
    "الجمعة": "friday", "السبت": "saturday",
}  # fmt: skip
# Currencies with their accusative ending written either way round («ديناراً» or «دينارًا»).
_CURRENCY = (
    r"(?:(?:دولار|جنيه|ريال|درهم|دينار|شيكل|فلس|يورو)(?:ات)?(?:ً?اً?)?|دراهم|دنانير|ليرات|ليرة|تومان|روبل|روبية|يوان"
    r"|ين|فلوس|أوقية|أوقيات|فرنك|\$|€|£)"
)
_PERCENT = r"(?:%|٪|بالمئة|بالمائة|في المئة|في المائة|في المائه|في المئه|بالمئه)"


def _alt(words: object) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))  # type: ignore[attr-defined]


# «أحد» and «اثنا» are numbers only before عشر («أحد عشر», «اثنتا عشرة»): alone, «أحد» is "one of".
_TEEN_UNITS = {"أحد": 1, "احد": 1, "إحدى": 1, "احدى": 1, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2}
_WORD_NUM = rf"(?:{_alt(_TEEN_UNITS)})\s+عشر(?:ة)?{_E}|(?:{_alt([*_HUNDREDS, *_TENS, *_UNITS])})"
# Cardinal words, compounds included: خمسة وعشرون، مئة وخمسون، ثلاثة عشر.
_WORDS = rf"(?:{_WORD_NUM})(?:\s+عشر(?:ة)?{_E})?(?:\s+و(?:{_WORD_NUM})){{0,2}}"
_SCALE = rf"(?:\s+(?:{_alt(_SCALES)})(?:\s+و(?:نصف|ربع))?)?"
_MONTH = rf"(?:{_alt(_MONTHS)})"
# «3 تموز يوليو», «تموز/يوليو», «آب (أغسطس)»: a Levantine month followed by its other name.
_MONTH_PAIR = rf"{_MONTH}(?:\s*[/(]\s*{_MONTH}\s*\)?|\s+{_MONTH})?"
_YEAR = rf"{_D}{{4}}"

FigureValue = Callable[[re.Match[str]], str | None]


def _digits(text: str) -> Decimal | None:
    """A number written in digits, separators and KUNA's reversed decimal understood."""
    t = text.translate(_DIGIT_MAP)
    if "ر" in t:
        whole_dec = t.split("ر")
        t = f"{whole_dec[1]}.{whole_dec[0]}"  # 3ر37 is 37.3: the decimal is written first
    elif re.fullmatch(r"\d{1,3}(?:[,،٬]\d{3})+(?:[.٫]\d+)?", t):
        t = re.sub("[,،٬]", "", t).replace("٫", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", t):
        t = t.replace(".", "")
    elif re.fullmatch(r"\d+[,،]\d{1,2}", t):
        t = re.sub("[,،]", ".", t)
    else:
        t = t.replace("٫", ".")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _words(text: str) -> Decimal | None:
    """A number written in words: ثلاثة، خمسة وعشرون، مئة وخمسون، ثلاثة عشر."""
    total = 0
    parts = re.split(r"\s+", text.strip())
    i = 0
    while i < len(parts):
        w = parts[i].removeprefix("و") if i else parts[i]
        value = _UNITS.get(w) or _TENS.get(w) or _HUNDREDS.get(w)
        if value is None and i + 1 < len(parts) and parts[i + 1] in ("عشر", "عشرة"):
            value = _TEEN_UNITS.get(w)
        if value is None and i and parts[i] in _UNITS | _TENS | _HUNDREDS:
            value = (_UNITS | _TENS | _HUNDREDS)[parts[i]]
        if value is None:
            return None
        if i + 1 < len(parts) and parts[i + 1] in ("عشر", "عشرة") and value < 10:
            value += 10
            i += 1
        total += value
        i += 1
    return Decimal(total)


def _scaled(base: Decimal, rest: str) -> Decimal:
    for word, scale in _SCALES.items():
        if re.search(rf"{_B}{word}{_E}", rest):
            base *= scale
            for frac, part in (("ونصف", Decimal("0.5")), ("وربع", Decimal("0.25"))):
                if frac in rest:
                    base += part * scale
            break
    return base


def _plain(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _amount(m: re.Match[str]) -> str | None:
    """The value of a number, in digits or words, with its scale (5 ملايين → 5000000)."""
    text = m.group("n")
    rest = m.group(0)[m.end("n") - m.start(0) :]
    if text in _DUAL_SCALES:
        base = Decimal(_DUAL_SCALES[text])
        if "ونصف" in rest:
            base += base / 4
        return _plain(base)
    parts = text.split()
    if len(parts) == 2 and parts[0] in _FRACTIONS and parts[1] in _SCALES:
        return _plain(_FRACTIONS[parts[0]] * _SCALES[parts[1]])
    if text in _SCALE_ALONE:  # مليون ونصف، مليون دولار: a scale word alone is one of it
        base = Decimal(_SCALES[text])
        if "ونصف" in rest:
            base += base / 2
        return _plain(base)
    number = _digits(text) if re.match(_D, text) else _words(text)
    if number is None:
        return None
    return _plain(_scaled(number, rest))


def _date_value(m: re.Match[str]) -> str | None:
    groups = m.groupdict()
    if groups.get("iso"):
        return groups["iso"].translate(_DIGIT_MAP)
    if groups.get("ymd"):
        y, mo, d = groups["ymd"].translate(_DIGIT_MAP).split("/")
        if not (1 <= int(d) <= 31 and 1 <= int(mo) <= 12):
            return None
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    if groups.get("clock"):
        hh, mm = groups["clock"].translate(_DIGIT_MAP).split(":")
        return f"{int(hh):02d}:{mm}"
    if groups.get("dmy"):
        d, mo, y = re.split(r"[/.\-]", groups["dmy"].translate(_DIGIT_MAP))
        if not (1 <= int(d) <= 31 and 1 <= int(mo) <= 12):
            return None
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    if groups.get("wd"):
        return _WEEKDAYS.get(groups["wd"])
    month = groups.get("mon")
    year = groups.get("y")
    day = groups.get("d") or (str(_ORDINAL_DAYS[groups["od"]]) if groups.get("od") else None)
    month_no = _MONTHS.get(re.split(r"\s*[/(]\s*|\s+(?=\S+$)", month)[0]) if month else None
    if month and month_no is None:
        month_no = next((v for k, v in _MONTHS.items() if month.startswith(k)), None)
    y = year.translate(_DIGIT_MAP) if year else None
    if month_no is None:
        return y
    dd = f"-{int(day.translate(_DIGIT_MAP)):02d}" if day else ""
    if y:
        return f"{y}-{month_no:02d}{dd}"
    return f"{month_no:02d}{dd}" if dd else None


# A fraction of a scale («نصف مليون», «ربع مليار»): the fraction times the scale.
_FRACTION_OF_SCALE = rf"(?:{_alt(_FRACTIONS)})\s+(?:{_alt(_SCALE_ALONE)}){_E}"
_N = rf"(?P<n>{_NUM}|{_FRACTION_OF_SCALE}|{_WORDS}|{_alt(_DUAL_SCALES)}|{_alt(_SCALE_ALONE)})"
_PATTERNS: list[tuple[FigureKind, re.Pattern[str], FigureValue]] = [
    (
        "date",
        re.compile(
            rf"{_B}{_CLITIC}(?:(?P<iso>{_D}{{4}}-{_D}{{2}}-{_D}{{2}})|(?P<ymd>{_D}{{4}}/{_D}{{1,2}}/{_D}{{1,2}})"
            rf"|(?P<dmy>{_D}{{1,2}}[/.\-]{_D}{{1,2}}[/.\-]{_D}{{4}})"
            rf"|(?P<clock>{_D}{{1,2}}:{_D}{{2}}))(?![0-9٠-٩:])"
        ),
        _date_value,
    ),
    ("percent", re.compile(rf"{_B}{_CLITIC}{_N}{_SCALE}\s?{_PERCENT}(?=\W|$)"), _amount),
    # The sign typed before the number in right-to-left text («%15»).
    ("percent", re.compile(rf"(?<![\w%٪])[%٪]\s?(?P<p>{_NUM}){_E}"), lambda m: _plain(_digits(m.group("p")))),
    (
        "money",
        re.compile(rf"{_B}{_CLITIC}{_N}{_SCALE}\s*{_CURRENCY}{_E}|[$€£]\s?(?P<m>{_NUM}){_SCALE}{_E}"),
        lambda m: _amount(m) if m.group("n") else _plain(_digits(m.group("m"))),
    ),
    (
        "date",
        re.compile(
            rf"{_B}(?:[وفب](?=ال))?(?P<od>{_alt(_ORDINAL_DAYS)})\s+من\s+(?:شهر\s+)?(?P<mon>{_MONTH_PAIR}){_E}"
            rf"(?:\s*،?\s*(?:عام\s+)?(?P<y>{_YEAR}))?"
        ),
        _date_value,
    ),
    (
        "date",
        re.compile(
            rf"{_B}{_CLITIC}(?:(?P<d>{_D}{{1,2}})\s+)?(?P<mon>{_MONTH_PAIR}){_E}(?:\s*،?\s*(?:عام\s+)?(?P<y>{_YEAR}))?"
        ),
        _date_value,
    ),
    (
        "date",
        re.compile(rf"{_B}(?:(?:اليوم|يوم|ليلة|مساء|صباح|فجر|ظهر)\s+)?(?P<wd>{_alt(_WEEKDAYS)}){_E}"),
        _date_value,
    ),
    (
        "date",
        re.compile(
            rf"(?:{_B}(?:عام|العام|سنة|منذ|خلال|حتى)\s+|(?<=\s)|^)(?P<y>(?:19[5-9]|20[0-3]){_D})(?:م{_E})?{_E}(?!\s*[%٪])"
        ),
        _date_value,
    ),
    (
        "number",
        re.compile(rf"{_B}{_CLITIC}{_N}{_SCALE}(?:\s+و(?:نصف|ربع))?(?:\s+(?:أضعاف|ضعف|مرات))?{_E}"),
        _amount,
    ),
    ("number", re.compile(rf"{_B}{_CLITIC}(?P<n>{_alt(_DUALS)}){_E}"), lambda m: "2"),
]

# «بين الاثنين», «كلا الاثنين», «الاثنين معا»: the dual "the two", not Monday.
_DUAL_BEFORE = re.compile(r"(?:بين|كلا|هذين|هاتين|من)\s*$|ين\s*$")
_DUAL_AFTER = re.compile(r"^\s*(?:معا|معاً|منهما)")
_FEMININE_WORDS = frozenset({"ست", "خمس", "سبع", "تسع", "عشر"})


def _clitic_free(text: str, m: re.Match[str]) -> tuple[int, str]:
    """Start and text of a figure without a conjunction or preposition glued before its number."""
    start = m.start()
    if "n" in m.re.groupindex and m.group("n") is not None and m.start("n") > start:
        start = m.start("n")
    elif "od" in m.re.groupindex and m.group("od") is not None and m.start("od") > start:
        start = m.start("od")
    elif text[start : start + 1] in "وفبل" and (
        clitic := re.match(r"(?:[وفبل]|وب|ول)ـ?(?=[0-9٠-٩۰-۹]|كانون|تشرين)", text[start:])
    ):
        start += clitic.end()
    return start, text[start : m.end()]


def find_figures(sentences: Sequence[Sentence]) -> list[Figure]:
    """Every figure once per sentence, the most specific kind winning (a percentage is not also a number)."""
    out: list[Figure] = []
    for sentence in sentences:
        text = sentence.text
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, Figure]] = []
        for kind, pattern, value_of in _PATTERNS:
            for m in pattern.finditer(text):
                start, surface = _clitic_free(text, m)
                end = m.end()
                surface = surface.strip()
                if not surface or any(a < end and start < b for a, b in taken):
                    continue
                dual = _DUAL_BEFORE.search(text[max(0, start - 12) : start]) or _DUAL_AFTER.match(text[end:])
                if kind == "date" and m.groupdict().get("wd") in ("الاثنين", "الإثنين", "الأثنين") and dual:
                    continue
                if kind == "number" and m.group("n") in _FEMININE_WORDS and not re.match(r"\s+\S", text[end:]):
                    continue  # «ست» alone at a sentence end is not «ست سنوات»
                value = value_of(m)
                if kind == "date" and value is None:
                    continue
                taken.append((start, end))
                found.append((start, Figure(surface, kind, value, sentence.index)))
        found.sort(key=lambda x: x[0])
        out.extend(_joined(text, [(start, start + len(f.ar), f) for start, f in found]))
    return out


_AND = re.compile(r"^\s*و\s*$")
_RANGE_LINK = re.compile(r"^\s*(?:و|إلى|الى|حتى|-|–)\s*$")
_BARE = re.compile(rf"^{_NUM}$")


def _scale_of(surface: str) -> int:
    """The scale word's multiplier in a figure's text (1 when it has none)."""
    for word in surface.split():
        if word in _SCALES:
            return _SCALES[word]
    return 1


def _joined(text: str, spans: list[tuple[int, int, Figure]]) -> list[Figure]:
    """Figures read together with their neighbour, as Arabic writes them:
    - a sum, a scaled number and a smaller one after «و» («12 ألفاً و500» = 12500, «4 مليارات و200 مليون دولار»);
    - a pair or range, a bare number before «و»/«إلى» and a number with its unit or scale, which the first
      shares («بين 10 و20 في المئة»: 10 is a percentage; «بين 3 و5 ملايين»: 3 million; «يومي 10 و11 مارس»).
    """
    out: list[Figure] = []
    i = 0
    while i < len(spans):
        start, end, fig = spans[i]
        if i + 1 < len(spans):
            nstart, nend, nxt = spans[i + 1]
            between = text[end:nstart]
            first, second = _decimal(fig.value), _decimal(nxt.value)
            scale = _scale_of(fig.ar)
            if (
                _AND.match(between)
                and fig.kind in ("number", "money")
                and nxt.kind in ("number", "money")
                and scale > 1
                and first is not None
                and second is not None
                and second < scale
            ):
                kind: FigureKind = "money" if "money" in (fig.kind, nxt.kind) else "number"
                out.append(Figure(text[start:nend], kind, _plain(first + second), fig.sentence))
                i += 2
                continue
            if _RANGE_LINK.match(between) and fig.kind == "number" and _BARE.match(fig.ar) and first is not None:
                fig = _shared_unit(fig, first, nxt, between)
            elif (
                _RANGE_LINK.match(between)
                and fig.kind == "date"
                and re.fullmatch(r"\d{4}", fig.value or "")
                and nxt.kind == "number"
                and re.fullmatch(r"(?:19[5-9]|20[0-3])\d", nxt.value or "")
                and _BARE.match(nxt.ar)
            ):
                # «عامي 2014 و2015», «من 2010 إلى 2015»: the second of a pair of years is a year too.
                spans[i + 1] = (nstart, nend, Figure(nxt.ar, "date", nxt.value, nxt.sentence))
        out.append(fig)
        i += 1
    return out


def _shared_unit(fig: Figure, first: Decimal, nxt: Figure, between: str) -> Figure:
    """The bare first number of a pair or range, given the unit, scale or month of the second."""
    if nxt.kind == "date":
        day = int(first) if first == first.to_integral_value() else 0
        # Days of one month («10 و11 مارس»): not years, clock times or ISO dates.
        if 1 <= day <= 31 and nxt.value and re.fullmatch(r"(?:\d{4}-)?\d{2}-\d{2}", nxt.value) and "و" in between:
            return Figure(fig.ar, "date", f"{nxt.value[:-2]}{day:02d}", fig.sentence)
        return fig
    scale = _scale_of(nxt.ar)
    if nxt.kind == "number" and scale == 1:
        return fig
    return Figure(fig.ar, nxt.kind, _plain(first * scale), fig.sentence)


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None
