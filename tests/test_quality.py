"""The quality command (benchmarks/quality.py): its scoring rules, the corpus' well-formedness, and floors on dev."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.quality import (
    CATEGORIES,
    figure_overlaps,
    figure_value_ok,
    furniture_leaks,
    load_corpus,
    news_removed,
    normalise_entity,
    quote_overlap,
    run,
    score_entities,
    score_figures,
    score_quotes,
    validate_article,
)

CORPUS = Path(__file__).parent / "corpus"

# Regression floors on dev, a little under what was measured (see tests/corpus/README.md): a change that makes
# the rules worse on dev fails here. Raise them as the rules improve. Weight-free; the test split, never tuned
# on, scores lower (see the README's quality table).
FLOORS: dict[str, float] = {
    # Measured on dev's 49 articles (22 from the start, 15 added unseen by the fourth rules round, 12 by the fifth).
    "people.f1": 0.78,  # measured 0.82
    "places.f1": 0.75,  # measured 0.79
    "organizations.f1": 0.62,  # measured 0.66
    "quotes_found.r": 0.87,  # measured 0.91
    "quote_speaker.acc": 0.70,  # measured 0.75
    "figures.r": 0.88,  # measured 0.91
    "figure_value.acc": 0.95,  # measured 0.97
    "sections.f1": 0.65,  # measured 0.73
    "title.acc": 0.92,  # measured 0.96
    "lead_in_summary.acc": 0.91,  # measured 0.94
}
# Ceilings for the counts that should be 0 (furniture in the output, news sentences removed); measured 2, 3 and 3
# (the 3 lines lost are in articles of the fifth round, which the rules had not seen: known failures, not accepted
# ones; the ceiling only stops it getting worse).
CEILINGS: dict[str, int] = {"furniture_leaks.count": 3, "news_removed.count": 3, "news_lost.count": 3}


def test_normalise_entity_strips_clitics_article_and_spelling_variants() -> None:
    assert normalise_entity("والأمم المتحدة") == normalise_entity("الامم المتحده")
    assert normalise_entity("للأمم المتحدة") == "امم المتحده"
    assert normalise_entity("بالعراق") == "عراق"
    assert normalise_entity("مُصْطَفَى") == "مصطفي"
    # Only a clitic before «ال» is taken off: a name that starts with و or ب stays whole.
    assert normalise_entity("وليد") == "وليد"
    assert normalise_entity("بغداد") == "بغداد"


def test_entities_match_one_to_one_through_any_form() -> None:
    gold = [{"ar": "فيصل بن فرحان", "forms": ["فيصل بن فرحان", "بن فرحان"]}, {"ar": "سامح شكري", "forms": ["شكري"]}]
    predicted = [
        {"ar": "بن فرحان", "surface_forms": []},
        {"ar": "الأمير فيصل", "surface_forms": ["فيصل بن فرحان"]},  # a second entry for the same person
        {"ar": "المملكة", "surface_forms": []},
    ]
    tally, errors = score_entities(gold, predicted)
    assert (tally.tp, tally.pred, tally.found, tally.gold) == (1, 3, 1, 2)
    assert "miss سامح شكري" in errors
    assert sum(e.startswith("false") for e in errors) == 2


def test_quotes_found_by_word_overlap_and_speaker_through_forms() -> None:
    gold = {
        "people": [{"ar": "فيصل بن فرحان", "forms": ["بن فرحان"]}],
        "quotes": [
            {"text": "الأولوية يجب أن تكون الآن لإنهاء الكارثة الإنسانية في غزة", "speaker": "فيصل بن فرحان"},
            {"text": "نحن قلقون من تصاعد وتيرة العنف", "speaker": None},
        ],
    }
    predicted = [
        {"ar": "الأولوية يجب أن تكون الآن لإنهاء الكارثة", "speaker": "بن فرحان"},  # 7 of 10 words
        {"ar": "تصاعد وتيرة", "speaker": None},  # 2 of 6 words: not found
    ]
    assert quote_overlap(gold["quotes"][0]["text"], predicted[0]["ar"]) == pytest.approx(0.7)
    found, speaker, _ = score_quotes(gold, predicted)
    assert (found.found, found.gold, found.tp, found.pred) == (1, 2, 1, 2)
    assert (speaker.right, speaker.total) == (1, 1)
    wrong = [{"ar": predicted[0]["ar"], "speaker": "وزير الخارجية"}]
    assert score_quotes(gold, wrong)[1].right == 0


def test_figure_values_compare_as_numbers_or_date_strings() -> None:
    assert figure_value_ok("money", "5000000", "5000000.0")
    assert figure_value_ok("number", "37.3", "37.30")
    assert not figure_value_ok("money", "5000000", "5")
    assert figure_value_ok("date", "friday", "Friday")
    assert not figure_value_ok("date", "2025-01-12", "01-12")
    assert figure_overlaps("5 ملايين دولار", "5")
    assert not figure_overlaps("5 ملايين دولار", "3 مليارات دولار")
    gold = [
        {"text": "5 ملايين دولار", "kind": "money", "value": "5000000"},
        {"text": "ثلاثة", "kind": "number", "value": "3"},
    ]
    found, value, errors = score_figures(gold, [{"ar": "5", "kind": "number", "value": "5"}])
    assert (found.found, value.right, value.total) == (1, 0, 1)
    assert any(e.startswith("miss ثلاثة") for e in errors)


def test_furniture_leaks_and_removed_news() -> None:
    response: dict[str, Any] = {
        "title": {"ar": "وزير الخارجية: الأولوية لغزة"},
        "sections": [{"ar": "اقرأ أيضا"}],
        "summary": {"ar": "قال وزير الخارجية إن الأولوية لغزة. المصدر: وكالات الأنباء"},
        "highlights": {"key_points": []},
    }
    leaks = furniture_leaks(["اقرأ أيضاً", "وزير الخارجية", "المصدر: وكالات الأنباء"], response, "قال وزير الخارجية")
    # The caption «وزير الخارجية» is also news text, so finding it in the title is no leak.
    assert leaks == [("اقرأ أيضاً", "section"), ("المصدر: وكالات الأنباء", "summary")]
    assert news_removed(["شارك المقال"], ["شارك المقال", "قال الوزير إن الحرب انتهت"]) == ["قال الوزير إن الحرب انتهت"]


@pytest.mark.parametrize("split", ["dev", "test"])
def test_corpus_articles_are_well_formed(split: str) -> None:
    for article in load_corpus(CORPUS, split):
        assert validate_article(article, split) == [], article["id"]


def test_quality_command_on_dev_holds_the_floors() -> None:
    lines: list[str] = []
    run(["dev"], CORPUS, True, lines.append)
    result = json.loads(lines[-1])
    table = result["dev"]
    assert set(table) == set(CATEGORIES)
    report = "\n".join(lines)
    for category in CATEGORIES:
        assert category in report
    assert "-- dev/" in report  # the per-article errors are listed
    for key, floor in FLOORS.items():
        category, measure = key.split(".")
        assert table[category][measure] is not None and table[category][measure] >= floor, (key, table[category])
    for key, ceiling in CEILINGS.items():
        category, measure = key.split(".")
        assert table[category][measure] <= ceiling, (key, table[category])
