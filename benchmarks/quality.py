"""Highlight and cleaning quality against the hand-annotated corpus in tests/corpus/ (weight-free mode).

    python benchmarks/quality.py [--split dev|test|all] [--corpus tests/corpus] [--show-errors]

Every tests/corpus/<split>/*.json article is sent through the public HTTP API in-process (POST /v1/digest with
its `input` and `format`, models off) and the response JSON is scored against the article's `gold`:

  people, places, organizations  precision / recall / F1; an entity matches when any normalised predicted form
                                 (`ar` or a `surface_forms` item) equals any normalised gold form; one-to-one
  quotes_found                   a gold quote is found when a predicted quote covers >= 60% of its words
  quote_speaker                  of the found quotes, the speaker is the gold speaker (or one of its forms)
  figures                        a gold figure is found when a predicted figure's `ar` overlaps its text
  figure_value                   of the found figures, the value is right (numbers compared as floats)
  sections                       predicted sub-headings equal (normalised) to gold ones
  title                          response title equal (normalised) to the gold headline (null == null)
  lead_in_summary                share of articles whose summary keeps every lead keyword
  furniture_leaks                gold furniture lines seen in the title, sections, summary or key points (want 0)
  news_removed                   `removed` lines that are not gold furniture (want 0)
  news_lost                      of those, the lines of which no copy was kept (a repeated paragraph's later
                                 copy is removed without loss) (want 0)

The last line printed is JSON: {"<split>": {"<category>": {...}, ...}, ...}. The scoring functions are
importable (tests/test_quality.py uses them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPLITS = ("dev", "test")
# Categories scored as precision / recall / F1, in the order they are printed.
PRF_CATEGORIES = ("people", "places", "organizations", "quotes_found", "figures", "sections")
# Categories scored as a share of a count (accuracy), in print order.
ACC_CATEGORIES = ("quote_speaker", "figure_value", "title", "lead_in_summary")
COUNT_CATEGORIES = ("furniture_leaks", "news_removed", "news_lost")
CATEGORIES = PRF_CATEGORIES + ACC_CATEGORIES + COUNT_CATEGORIES
QUOTE_OVERLAP = 0.6
# Furniture lines shorter than this (normalised characters) count as leaked only when they make up a whole
# output element: a short menu word such as «رياضة» may well occur inside a news sentence.
SHORT_FURNITURE = 10

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Quote marks and punctuation that surround words but are not part of them.
_EDGE_PUNCT = "«»“”„\"'‘’()[]{}.,،؛;:!?؟-–—…|/\\ \t"
_WORD = re.compile(r"[\w\u0600-\u06ff]+")
# A clitic (و ف, then ب ك) before «ال», or ل before «ال» (written «لل»), then the article itself.
_CLITIC_AL = re.compile(r"^(?:[وف]?[بك]?ال|[وف]?لل)(?=\S{2,})")


def normalise_text(text: str) -> str:
    """Letters compared loosely: no diacritics or tatweel, one alef, ى→ي, ة→ه, Western digits, single spaces."""
    text = _DIACRITICS.sub("", text).translate(_ALEFS).translate(_DIGITS)
    return " ".join(text.split())


def normalise_entity(form: str) -> str:
    """A name form compared loosely: normalise_text, edge punctuation off, then a leading clitic + «ال» off."""
    text = normalise_text(form).strip(_EDGE_PUNCT)
    return _CLITIC_AL.sub("", text)


def words(text: str) -> list[str]:
    """The normalised words of a text (punctuation dropped)."""
    return _WORD.findall(normalise_text(text))


# ---------------------------------------------------------------------------------------------------- scores


@dataclass
class Tally:
    """Counts for one category over one or more articles."""

    tp: int = 0  # matched predictions (precision numerator)
    pred: int = 0
    found: int = 0  # matched gold items (recall numerator)
    gold: int = 0
    right: int = 0  # accuracy numerator
    total: int = 0  # accuracy denominator
    count: int = 0  # plain counts (leaks, wrongly removed lines)

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        for name in ("tp", "pred", "found", "gold", "right", "total", "count"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ArticleScore:
    """One article's tallies and the errors behind them, as readable lines."""

    id: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CATEGORIES})
    errors: list[str] = field(default_factory=list)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def metrics(category: str, t: Tally) -> dict[str, Any]:
    """The reported numbers of one category from its tally."""
    if category in PRF_CATEGORIES:
        p, r = _ratio(t.tp, t.pred), _ratio(t.found, t.gold)
        f1 = round(2 * p * r / (p + r), 4) if p is not None and r is not None and p + r > 0 else None
        if p is not None and r is not None and p + r == 0:
            f1 = 0.0
        return {"p": p, "r": r, "f1": f1, "tp": t.tp, "pred": t.pred, "gold": t.gold}
    if category in ACC_CATEGORIES:
        return {"acc": _ratio(t.right, t.total), "n": t.total}
    if category == "furniture_leaks":
        return {"count": t.count, "gold_lines": t.total}
    return {"count": t.count, "removed": t.total}


def _match(left: Sequence[Any], right: Sequence[Any], ok: Callable[[Any, Any], bool]) -> dict[int, int]:
    """A maximum one-to-one matching left→right (augmenting paths; the lists are short)."""
    edges = [[j for j, r in enumerate(right) if ok(item, r)] for item in left]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(left)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _entity_forms(entity: dict[str, Any], key: str) -> set[str]:
    forms = {normalise_entity(entity.get("ar") or "")}
    forms.update(normalise_entity(f) for f in entity.get(key) or [])
    forms.discard("")
    return forms


def score_entities(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> tuple[Tally, list[str]]:
    """Precision/recall of one entity category; errors name the misses and false positives."""
    gold_forms = [_entity_forms(g, "forms") for g in gold]
    pred_forms = [_entity_forms(p, "surface_forms") for p in predicted]
    pairs = _match(pred_forms, gold_forms, lambda p, g: bool(p & g))
    tally = Tally(tp=len(pairs), pred=len(predicted), found=len(pairs), gold=len(gold))
    hit_gold = set(pairs.values())
    errors = [f"miss {g['ar']}" for j, g in enumerate(gold) if j not in hit_gold]
    errors += [f"false {_describe(p)}" for i, p in enumerate(predicted) if i not in pairs]
    return tally, errors


def _describe(entity: dict[str, Any]) -> str:
    others = [f for f in entity.get("surface_forms") or [] if f != entity.get("ar")]
    return f"{entity.get('ar')} ({' / '.join(others)})" if others else str(entity.get("ar"))


def quote_overlap(gold_text: str, predicted_text: str) -> float:
    """Share of the gold quote's words that the predicted quote holds (as a multiset)."""
    gold_words = Counter(words(gold_text))
    if not gold_words:
        return 0.0
    common = gold_words & Counter(words(predicted_text))
    return sum(common.values()) / sum(gold_words.values())


def _speaker_forms(name: str | None, gold: dict[str, Any]) -> set[str]:
    if name is None:
        return set()
    forms = {normalise_entity(name)}
    for key in ("people", "organizations"):
        for entity in gold.get(key) or []:
            entity_forms = _entity_forms(entity, "forms")
            if forms & entity_forms:
                forms |= entity_forms
    return forms


def score_quotes(gold: dict[str, Any], predicted: list[dict[str, Any]]) -> tuple[Tally, Tally, list[str]]:
    """Quotes found (precision/recall) and the speaker accuracy over the found ones."""
    gold_quotes = gold.get("quotes") or []
    pairs = _match(gold_quotes, predicted, lambda g, p: quote_overlap(g["text"], p.get("ar") or "") >= QUOTE_OVERLAP)
    found = Tally(tp=len(pairs), pred=len(predicted), found=len(pairs), gold=len(gold_quotes))
    speaker = Tally(total=len(pairs))
    errors: list[str] = []
    for i, g in enumerate(gold_quotes):
        if i not in pairs:
            errors.append(f"miss «{_short(g['text'])}» ({g.get('speaker')})")
            continue
        said = predicted[pairs[i]].get("speaker")
        want = g.get("speaker")
        if (want is None and said is None) or (
            want is not None and said is not None and normalise_entity(said) in _speaker_forms(want, gold)
        ):
            speaker.right += 1
        else:
            errors.append(f"speaker «{_short(g['text'])}»: {said} (gold {want})")
    hit = set(pairs.values())
    errors += [f"false «{_short(p.get('ar') or '')}»" for j, p in enumerate(predicted) if j not in hit]
    return found, speaker, errors


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    text = str(value).translate(_DIGITS).replace("٫", ".").replace(",", "").replace("،", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def figure_value_ok(kind: str, gold_value: Any, predicted_value: Any) -> bool:
    """A predicted figure value against the gold one: floats for number/percent/money, strings for dates."""
    if kind == "date":
        return str(predicted_value).strip().lower() == str(gold_value).strip().lower()
    g, p = _number(gold_value), _number(predicted_value)
    return g is not None and p is not None and abs(g - p) <= 1e-6 * max(1.0, abs(g))


def figure_overlaps(gold_text: str, predicted_text: str) -> bool:
    """Whether a predicted figure's text overlaps the gold one (one holds the other, or they share a word)."""
    g, p = normalise_text(gold_text), normalise_text(predicted_text)
    if not g or not p:
        return False
    if g in p or p in g:
        return True
    return bool(set(words(g)) & set(words(p)) - _FIGURE_STOPWORDS)


# Unit words that two different figures share; sharing only these is no overlap.
_FIGURE_STOPWORDS = {
    normalise_text(w)
    for w in "دولار دولارا دينار دينارا درهم درهما جنيه جنيها ريال ريالا يورو ليره مليون ملايين مليار مليارات "
    "الف الاف الفا عام عاما سنه سنوات يوم يوما ايام شهر اشهر في المئه المائه بالمئه بالمائه من".split()
}


def score_figures(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> tuple[Tally, Tally, list[str]]:
    """Figures found (precision/recall) and the value accuracy over the found ones.

    Matching prefers, in turn: equal text and right value, equal text, overlap and right value, overlap —
    so that a «5» found inside «5 ملايين دولار» is still paired with it (and its value judged wrong).
    """
    stages: list[Callable[[dict[str, Any], dict[str, Any]], bool]] = [
        lambda g, p: _same_text(g, p) and _value_ok(g, p),
        _same_text,
        lambda g, p: figure_overlaps(g["text"], p.get("ar") or "") and _value_ok(g, p),
        lambda g, p: figure_overlaps(g["text"], p.get("ar") or ""),
    ]
    pairs: dict[int, int] = {}
    for stage in stages:
        free_gold = [i for i in range(len(gold)) if i not in pairs]
        used = set(pairs.values())
        free_pred = [j for j in range(len(predicted)) if j not in used]
        sub = _match([gold[i] for i in free_gold], [predicted[j] for j in free_pred], stage)
        pairs.update({free_gold[a]: free_pred[b] for a, b in sub.items()})
    found = Tally(tp=len(pairs), pred=len(predicted), found=len(pairs), gold=len(gold))
    value = Tally(total=len(pairs))
    errors: list[str] = []
    for i, g in enumerate(gold):
        if i not in pairs:
            errors.append(f"miss {g['text']} ({g['kind']} {g['value']})")
            continue
        p = predicted[pairs[i]]
        if _value_ok(g, p):
            value.right += 1
        else:
            errors.append(f"value {g['text']}: {p.get('ar')} → {p.get('kind')} {p.get('value')} (gold {g['value']})")
    hit = set(pairs.values())
    errors += [
        f"false {p.get('ar')} ({p.get('kind')} {p.get('value')})" for j, p in enumerate(predicted) if j not in hit
    ]
    return found, value, errors


def _same_text(g: dict[str, Any], p: dict[str, Any]) -> bool:
    return normalise_text(g["text"]) == normalise_text(p.get("ar") or "")


def _value_ok(g: dict[str, Any], p: dict[str, Any]) -> bool:
    return figure_value_ok(g["kind"], g["value"], p.get("value"))


def _output_texts(response: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, text) of every produced text a reader sees: title, sections, summary, key points."""
    out: list[tuple[str, str]] = []
    if response.get("title"):
        out.append(("title", response["title"].get("ar") or ""))
    out += [("section", s.get("ar") or "") for s in response.get("sections") or []]
    if response.get("summary"):
        out.append(("summary", response["summary"].get("ar") or ""))
    out += [("key point", k.get("ar") or "") for k in (response.get("highlights") or {}).get("key_points") or []]
    return out


def furniture_leaks(furniture: Iterable[str], response: dict[str, Any], news_text: str = "") -> list[tuple[str, str]]:
    """The gold furniture lines found in the output, with where: (line, where).

    A line leaks when an output element is that line, or holds it while the article's news text (the input
    without its furniture lines) does not: a caption «وزير الخارجية» inside a news sentence is no leak.
    """
    outputs = [(where, normalise_text(text)) for where, text in _output_texts(response)]
    news = normalise_text(news_text)
    leaks = []
    for line in furniture:
        norm = normalise_text(line).strip(_EDGE_PUNCT)
        if not norm:
            continue
        for where, text in outputs:
            whole = text.strip(_EDGE_PUNCT) == norm
            if whole or (len(norm) >= SHORT_FURNITURE and norm in text and norm not in news):
                leaks.append((line, where))
                break
    return leaks


def news_removed(furniture: Iterable[str], removed: Iterable[str]) -> list[str]:
    """The removed lines that are not gold furniture (one holding the other counts as furniture)."""
    gold = [normalise_text(f) for f in furniture]
    wrong = []
    for line in removed:
        norm = normalise_text(line)
        if not norm or any(
            norm == g or (min(len(norm), len(g)) >= SHORT_FURNITURE and (norm in g or g in norm)) for g in gold
        ):
            continue
        wrong.append(line)
    return wrong


def score_article(article: dict[str, Any], response: dict[str, Any]) -> ArticleScore:
    """Score one digest response against the article's gold annotation."""
    gold = article["gold"]
    score = ArticleScore(article["id"])
    highlights = response.get("highlights") or {}
    entities = highlights.get("entities") or {}
    for category in ("people", "places", "organizations"):
        tally, errors = score_entities(gold.get(category) or [], entities.get(category) or [])
        score.tallies[category] = tally
        score.errors += [f"{category}: {e}" for e in errors]
    found, speaker, errors = score_quotes(gold, highlights.get("quotes") or [])
    score.tallies["quotes_found"], score.tallies["quote_speaker"] = found, speaker
    score.errors += [f"quotes: {e}" for e in errors]
    found, value, errors = score_figures(gold.get("figures") or [], highlights.get("figures") or [])
    score.tallies["figures"], score.tallies["figure_value"] = found, value
    score.errors += [f"figures: {e}" for e in errors]

    gold_sections = gold.get("sections") or []
    predicted_sections = [s.get("ar") or "" for s in response.get("sections") or []]
    pairs = _match(predicted_sections, gold_sections, lambda p, g: normalise_text(p) == normalise_text(g))
    score.tallies["sections"] = Tally(
        tp=len(pairs), pred=len(predicted_sections), found=len(pairs), gold=len(gold_sections)
    )
    hit = set(pairs.values())
    score.errors += [f"sections: miss {g}" for j, g in enumerate(gold_sections) if j not in hit]
    score.errors += [f"sections: false {p}" for i, p in enumerate(predicted_sections) if i not in pairs]

    title = (response.get("title") or {}).get("ar")
    want = gold.get("title")
    right = (title is None and want is None) or (
        title is not None and want is not None and normalise_text(title) == normalise_text(want)
    )
    score.tallies["title"] = Tally(right=int(right), total=1)
    if not right:
        score.errors.append(f"title: {title!r} (gold {want!r})")

    summary = normalise_text((response.get("summary") or {}).get("ar") or "")
    keywords = gold.get("lead_keywords") or []
    kept = all(normalise_text(k) in summary for k in keywords)
    score.tallies["lead_in_summary"] = Tally(right=int(kept), total=1)
    if not kept:
        lost = [k for k in keywords if normalise_text(k) not in summary]
        score.errors.append(f"lead_in_summary: lost {lost}")

    furniture = gold.get("furniture") or []
    # A repeated headline is furniture as a second copy, but the headline itself belongs in the title.
    title_norm = normalise_text(gold.get("title") or "")
    leaks = furniture_leaks([f for f in furniture if normalise_text(f) != title_norm], response, news_text(article))
    score.tallies["furniture_leaks"] = Tally(count=len(leaks), total=len(furniture))
    score.errors += [f"furniture_leaks: «{_short(line)}» in {where}" for line, where in leaks]
    removed = response.get("removed") or []
    wrong = news_removed(furniture, removed)
    score.tallies["news_removed"] = Tally(count=len(wrong), total=len(removed))
    score.errors += [f"news_removed: «{_short(line)}»" for line in wrong]
    lost = news_lost(wrong, removed, input_lines(article))
    score.tallies["news_lost"] = Tally(count=len(lost), total=len(wrong))
    score.errors += [f"news_lost: «{_short(line)}»" for line in lost]
    return score


def news_lost(wrong: Sequence[str], removed: Sequence[str], lines: Sequence[str]) -> list[str]:
    """The wrongly removed news lines of which no copy stays: a later copy of a repeated paragraph is removed
    without losing anything, so it is counted in news_removed but not here."""
    sent = Counter(normalise_text(line) for line in lines)
    gone = Counter(normalise_text(line) for line in removed)
    return [line for line in dict.fromkeys(wrong) if gone[normalise_text(line)] >= sent[normalise_text(line)]]


# ---------------------------------------------------------------------------------------------------- corpus


class _TextNodes(HTMLParser):
    """Visible text of an HTML document, one text node per line (script, style and template dropped)."""

    _HIDDEN = frozenset({"script", "style", "template", "noscript", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.lines.append(" ".join(data.split()))


def input_lines(article: dict[str, Any]) -> list[str]:
    """The article's visible lines: the plain-text lines, or the HTML text nodes."""
    if article["format"] == "html":
        parser = _TextNodes()
        parser.feed(article["input"])
        parser.close()
        return parser.lines
    return [" ".join(line.split()) for line in article["input"].splitlines() if line.strip()]


def news_text(article: dict[str, Any]) -> str:
    """The article's visible text without its gold furniture lines."""
    furniture = {normalise_text(f).strip(_EDGE_PUNCT) for f in article["gold"].get("furniture") or []}
    return "\n".join(line for line in input_lines(article) if normalise_text(line).strip(_EDGE_PUNCT) not in furniture)


_TOPICS = {"politics", "economy", "sport", "health", "courts", "science", "culture", "security", "society"}
_REGIONS = {"maghreb", "egypt", "levant", "gulf", "iraq", "yemen", "sudan", "other"}
_KINDS = {"number", "percent", "money", "date"}
_DATE_VALUE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?|\d{2}-\d{2}|\d{2}:\d{2}|(mon|tues|wednes|thurs|fri|satur|sun)day")


def validate_article(article: dict[str, Any], split: str | None = None) -> list[str]:
    """Problems with one corpus article: missing fields, and gold text that is not in its input."""
    problems: list[str] = []
    for key in ("id", "split", "source", "topic", "format", "kind", "input", "gold"):
        if key not in article:
            problems.append(f"no {key}")
    if problems:
        return problems
    if split is not None and article["split"] != split:
        problems.append(f"split {article['split']!r} in the {split} folder")
    source = article["source"]
    for key in ("outlet", "country", "region", "url", "origin"):
        if not source.get(key):
            problems.append(f"source has no {key}")
    if source.get("region") not in _REGIONS:
        problems.append(f"region {source.get('region')!r}")
    if article["topic"] not in _TOPICS:
        problems.append(f"topic {article['topic']!r}")
    if article["format"] not in ("text", "html") or article["kind"] not in ("body", "page"):
        problems.append("format/kind")
    if article["kind"] == "page" and article["format"] != "html":
        problems.append("a page is sent as html")
    gold = article["gold"]
    visible = normalise_text("\n".join(input_lines(article)))
    lines = {normalise_text(line) for line in input_lines(article)}

    def present(text: str, what: str) -> None:
        if normalise_text(text) not in visible:
            problems.append(f"{what} not in the input: {text!r}")

    for key in ("title", "dateline"):
        if gold.get(key):
            present(gold[key], key)
    present(gold["lead"], "lead")
    for keyword in gold.get("lead_keywords") or []:
        if normalise_text(keyword) not in normalise_text(gold["lead"]):
            problems.append(f"lead keyword not in the lead: {keyword!r}")
    for section in gold.get("sections") or []:
        present(section, "section")
    for line in gold.get("furniture") or []:
        if normalise_text(line) not in lines:
            problems.append(f"furniture is not a line of the input: {line!r}")
    for category in ("people", "places", "organizations"):
        for entity in gold.get(category) or []:
            if not entity.get("ar") or not entity.get("forms"):
                problems.append(f"{category}: entity without ar/forms: {entity!r}")
            for form in entity.get("forms") or []:
                # «لل» + name is ل + «ال» + name with the alef dropped: «للأناضول» holds «الأناضول»; before a
                # name that starts with ل the two lams merge too: «للجنة» holds «اللجنة».
                norm = normalise_text(form)
                if norm.startswith("ال") and ("ل" + norm[1:] in visible or (norm[2:3] == "ل" and norm[1:] in visible)):
                    continue
                present(form, f"{category} form")
    names = {normalise_entity(e["ar"]) for c in ("people", "organizations") for e in gold.get(c) or [] if e.get("ar")}
    for quote in gold.get("quotes") or []:
        present(quote["text"], "quote")
        if len(words(quote["text"])) < 3:
            problems.append(f"quote under three words: {quote['text']!r}")
        if quote.get("speaker") is not None and normalise_entity(quote["speaker"]) not in names:
            problems.append(f"quote speaker is no listed person or organisation: {quote['speaker']!r}")
    for figure in gold.get("figures") or []:
        present(figure["text"], "figure")
        if figure.get("kind") not in _KINDS:
            problems.append(f"figure kind {figure.get('kind')!r}")
        elif figure["kind"] == "date":
            if not _DATE_VALUE.fullmatch(str(figure.get("value"))):
                problems.append(f"date value {figure.get('value')!r}")
        elif _number(figure.get("value")) is None:
            problems.append(f"figure value {figure.get('value')!r}")
    return problems


# ---------------------------------------------------------------------------------------------------- running


def load_corpus(corpus: Path, split: str) -> list[dict[str, Any]]:
    """The articles of one split, sorted by id."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / split).glob("*.json"))]


def digest_articles(articles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each article's digest from the real service, weight-free, through its HTTP API in-process."""
    sys.path.insert(0, str(ROOT))
    from litestar.testing import TestClient

    from service.app import create_app
    from service.config import load_settings

    settings = load_settings(environ={"KHULASA_MODELS_LOAD": "off", "KHULASA_RATE_LIMIT_REQUESTS_PER_MINUTE": "0"})
    responses = []
    # The service logs each request to stdout; keep stdout for the report (the logs go to stderr).
    with contextlib.redirect_stdout(sys.stderr), TestClient(create_app(settings)) as client:
        for article in articles:
            reply = client.post("/v1/digest", json={"text": article["input"], "format": article["format"]})
            if reply.status_code != 200:
                # A refused article scores as an empty digest; the error line says why.
                responses.append({"_error": f"HTTP {reply.status_code}: {reply.text[:200]}"})
            else:
                responses.append(reply.json())
    return responses


def evaluate(
    articles: Sequence[dict[str, Any]], responses: Sequence[dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[ArticleScore]]:
    """The split's metrics per category (micro-averaged) and each article's score."""
    totals = {c: Tally() for c in CATEGORIES}
    scores = []
    for article, response in zip(articles, responses, strict=True):
        score = score_article(article, response)
        if "_error" in response:
            score.errors.insert(0, f"refused: {response['_error']}")
        for category, tally in score.tallies.items():
            totals[category].add(tally)
        scores.append(score)
    return {c: metrics(c, totals[c]) for c in CATEGORIES}, scores


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:.2f}"


def render_table(split: str, n: int, table: dict[str, dict[str, Any]]) -> list[str]:
    """The human-readable lines for one split."""
    lines = [f"== {split}: {n} articles", f"{'category':<16} {'P':>5} {'R':>5} {'F1':>5}   counts"]
    for c in PRF_CATEGORIES:
        m = table[c]
        lines.append(
            f"{c:<16} {_fmt(m['p']):>5} {_fmt(m['r']):>5} {_fmt(m['f1']):>5}   "
            f"tp={m['tp']} pred={m['pred']} gold={m['gold']}"
        )
    for c in ACC_CATEGORIES:
        m = table[c]
        lines.append(f"{c:<16} {'acc':>5} {_fmt(m['acc']):>5} {'':>5}   n={m['n']}")
    lines.append(
        f"{'furniture_leaks':<16} {table['furniture_leaks']['count']:>5}  (of {table['furniture_leaks']['gold_lines']}"
        " gold furniture lines; want 0)"
    )
    lines.append(
        f"{'news_removed':<16} {table['news_removed']['count']:>5}  (of {table['news_removed']['removed']}"
        " removed lines; want 0)"
    )
    lines.append(f"{'news_lost':<16} {table['news_lost']['count']:>5}  (of those, lines with no copy kept; want 0)")
    return lines


def run(splits: Sequence[str], corpus: Path, show_errors: bool, out: Callable[[str], None] = print) -> dict[str, Any]:
    """Evaluate the splits, print the tables (and errors), and print and return the last-line JSON."""
    result: dict[str, Any] = {}
    for split in splits:
        articles = load_corpus(corpus, split)
        responses = digest_articles(articles) if articles else []
        table, scores = evaluate(articles, responses)
        result[split] = table
        for line in render_table(split, len(articles), table):
            out(line)
        if show_errors:
            for score in scores:
                if score.errors:
                    out(f"-- {split}/{score.id}")
                    for error in score.errors:
                        out(f"   {error}")
        out("")
    out(json.dumps(result, ensure_ascii=False))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    splits = SPLITS if args.split == "all" else (args.split,)
    run(splits, args.corpus, args.show_errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
