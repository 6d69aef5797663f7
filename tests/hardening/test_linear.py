"""Every weight-free text step grows linearly with the article (finding 2 and 8 of issue 10).

Wall-clock time is noisy on shared machines, so the Python-level steps are measured by an operation count:
the number of lines of `service` code executed (sys.settrace), at n and 4n characters. Linear work gives a
ratio near 4, quadratic work 16. Regular expressions run in C and are invisible to the tracer, so the shapes
that used to make them backtrack are timed instead, against a generous bound with a floor.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import service
from service.config import HOME
from service.highlights import extract_highlights
from service.highlights.lexicon import Lexicon
from service.highlights.places import Gazetteer
from service.highlights.types import Highlights
from service.summary.extractive import ExtractiveSummarizer
from service.text.arabic import arabic_ratio
from service.text.clean import Furniture, clean_article
from service.text.segment import segment

# The ranker moves from service.summary to service.text in the lead's refactor: find it either way.
try:
    SentenceRanker: Any = importlib.import_module("service.text.rank").SentenceRanker
except ModuleNotFoundError:
    SentenceRanker = importlib.import_module("service.summary.rank").SentenceRanker

FURNITURE = Furniture.load(HOME / "config" / "boilerplate.toml")
LEXICON = Lexicon.load(HOME / "config" / "names.toml")
GAZETTEER = Gazetteer.load(HOME / "config" / "places.toml")
SERVICE_DIR = str(Path(service.__file__).parent)


def text_steps(text: str, fmt: str = "text") -> Highlights:
    """The weight-free steps in pipeline order: clean, segment, language share, rank, summary, highlights."""
    article = segment(clean_article(text, fmt, FURNITURE))
    arabic_ratio(" ".join(s.text for s in article.sentences))
    ranker = SentenceRanker(article)
    ExtractiveSummarizer(2, 4).summarize(article, ranker=ranker)
    return extract_highlights(article, ranker, LEXICON, GAZETTEER, 5)


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


# Adversarial shapes: each was slow on some step, or could be. All lead with Arabic words.
SHAPES: dict[str, Callable[[int], str]] = {
    "short quoted phrases": lambda n: _repeat("«هذه عبارة قصيرة جدا» ", n),
    "quotes after a speech verb": lambda n: _repeat("قال أحمد «هذه عبارة قصيرة جدا» ", n),
    "stray closers after verbs": lambda n: _repeat("مضيفا أن الظروف صعبة جدا” ", n),
    "a run of one opening mark": lambda n: "مقدمة عربية قصيرة " + "«" * n,
    "a run of closing marks after a verb": lambda n: "قال الوزير إن الوضع " + "»" * n,
    "alternating marks": lambda n: "قال الوزير إن " + _repeat("«”", n),
    "one huge unpunctuated sentence": lambda n: _repeat("كلمة ", n),
    "many short lines": lambda n: _repeat("سطر قصير\n", n),
    "figures in one sentence": lambda n: _repeat("12 مليون دولار و", n),
    "names and titles": lambda n: _repeat("الرئيس أحمد الصباغ ووزير الخارجية محمد علي ", n),
}


def line_count(fn: Callable[[], object]) -> int:
    """Lines of `service` code executed by fn(): a deterministic measure of the work done."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def global_(frame: FrameType, event: str, arg: object) -> Any:
        return local if frame.f_code.co_filename.startswith(SERVICE_DIR) else None

    old = sys.gettrace()
    sys.settrace(global_)
    try:
        fn()
    finally:
        sys.settrace(old)
    return count


@pytest.mark.parametrize("shape", list(SHAPES))
def test_work_grows_linearly_with_the_article(shape: str) -> None:
    make = SHAPES[shape]
    n = 3000
    small, large = (line_count(lambda size=size: text_steps(make(size))) for size in (n, 4 * n))
    print(f"{shape}: {small} lines at {n} chars, {large} at {4 * n} ({large / small:.2f}x)")
    # Linear: about 4 (n log n a little more); quadratic: 16.
    assert large / small < 6, f"{shape}: work grew {large / small:.1f}x for 4x the text"


# Shapes that made a regular expression backtrack quadratically (C code: timed, not traced).
REGEX_SHAPES: dict[str, Callable[[int], str]] = {
    "a run of full stops without a space after": lambda n: "كلمة " + "." * n + "x",
    "a run of ?! without a space after": lambda n: "كلمة " + _repeat("؟!", n) + "x",
    "one long run of digits": lambda n: "عدد " + "1" * n + "x",
    "a long chain of digit groups": lambda n: "عدد " + _repeat("1.", n) + "x",
    "nested lists": lambda n: "<p>نص</p>" + "<ul><li>" * (n // 8),
}


def best_time(fn: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("shape", list(REGEX_SHAPES))
def test_regex_heavy_shapes_take_linear_time(shape: str) -> None:
    make = REGEX_SHAPES[shape]
    fmt = "html" if shape == "nested lists" else "text"

    def run(size: int) -> Callable[[], object]:
        text = make(size)

        def go() -> object:
            try:
                return text_steps(text, fmt)
            except service.errors.Problem as exc:  # deep markup is refused: that is the point
                return exc

        return go

    n = 8000
    small, large = best_time(run(n)), best_time(run(4 * n))
    print(f"{shape}: {small * 1000:.1f} ms at {n} chars, {large * 1000:.1f} ms at {4 * n}")
    # Generous: 10x for 4x the text (quadratic is 16x), with a 20 ms floor so that timer noise on a
    # fast small run cannot fail it. Before the fix the 4n runs took seconds to minutes.
    assert large < 10 * max(small, 0.02)


def test_four_concurrent_25000_character_quote_articles_finish_quickly() -> None:
    """The request that stalled the service: four texts of short quoted phrases at once (>125 s before)."""
    text = _repeat("قال أحمد «هذه عبارة قصيرة جدا» و", 25_000)
    results: list[Highlights] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(text_steps(text))
        except BaseException as exc:  # reported below
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    elapsed = time.perf_counter() - started
    print(f"4 x 25,000-character quoted-phrase articles: {elapsed:.2f} s")
    assert not errors and len(results) == 4
    # Every phrase is a quote, attributed to the speaker its verb names.
    phrases = text.count("»")
    assert all(len(r.quotes) == phrases for r in results)
    assert {q.speaker for q in results[0].quotes} == {"أحمد"}
    assert elapsed < 120  # a guard against a hang, not a speed goal (about a second here)
