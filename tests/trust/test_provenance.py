"""Provenance: summary sentences traced to the article sentences they rest on."""

from __future__ import annotations

from service.trust.provenance import MIN_SCORE, split_summary, trace
from tests.trust.article import SENTENCES


def test_an_extractive_sentence_is_its_own_source_with_score_one() -> None:
    result = trace([SENTENCES[4], SENTENCES[0]], SENTENCES)
    assert [r.sources for r in result] == [[4], [0]]
    assert [r.score for r in result] == [1.0, 1.0]


def test_extractive_match_ignores_diacritics_and_punctuation() -> None:
    varied = "استقبلَ الرئيسُ الإيراني مسعود بزشكيان وزير الخارجية السوري بسام الصباغ يوم الأربعاء في طهران"
    assert trace([varied], SENTENCES)[0].sources == [0]


def test_a_paraphrase_points_at_the_sentence_it_restates() -> None:
    line = "بحث بزشكيان والصباغ خطة بخمسة ملايين دولار لتأهيل محطات الكهرباء في حلب"
    (result,) = trace([line], SENTENCES)
    assert result.sources[0] == 1
    assert MIN_SCORE <= result.score < 1.0


def test_a_fused_sentence_gets_both_sources_best_first() -> None:
    line = "أكد بزشكيان حرص إيران على تطوير العلاقات مع سوريا وقدرت الأمم المتحدة عدد النازحين بثلاثة آلاف عائلة"
    (result,) = trace([line], SENTENCES)
    assert set(result.sources[:2]) == {3, 5}
    assert result.score > 0.8


def test_content_absent_from_the_article_gets_no_source() -> None:
    (result,) = trace(["أطلقت وكالة الفضاء مسبارا جديدا نحو كوكب المريخ"], SENTENCES)
    assert result.sources == [] and result.score < MIN_SCORE


def test_empty_inputs() -> None:
    assert trace([], SENTENCES) == []
    assert trace(["؟!"], SENTENCES)[0].sources == []
    assert trace(["جملة ما"], [])[0].sources == []


def test_split_summary_splits_at_full_stops_not_commas() -> None:
    text = "التقى الرئيس بالوزير، وبحثا التعاون. وأكد الوزير دعم بلاده!\nوقال إن الزيارة ناجحة"
    assert split_summary(text) == [
        "التقى الرئيس بالوزير، وبحثا التعاون.",
        "وأكد الوزير دعم بلاده!",
        "وقال إن الزيارة ناجحة",
    ]
    assert split_summary("  \n ") == []
