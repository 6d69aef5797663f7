"""Faithfulness check on hand-written summaries of a hand-written article, and the policies."""

from __future__ import annotations

import statistics
import time

import pytest

from service.config import HOME
from service.trust.faithfulness import ArticleFacts, Unsupported, apply_policy, check
from service.trust.numbers import find_amounts
from tests.trust.article import SENTENCES, TITLE


@pytest.fixture(scope="module")
def facts() -> ArticleFacts:
    return ArticleFacts.build([TITLE, *SENTENCES])


def kinds(found: list[Unsupported]) -> list[tuple[str, str]]:
    return [(u.kind, u.text) for u in found]


@pytest.mark.parametrize(
    "summary",
    [
        # Close to the article's words.
        "استقبل الرئيس الإيراني مسعود بزشكيان وزير الخارجية السوري بسام الصباغ في طهران.",
        # Paraphrased: other verbs, clitics, surname alone, figure in words, the quote kept verbatim.
        "التقى بزشكيان بالوزير الصباغ في العاصمة طهران، وبحثا خطة بخمسة ملايين دولار لمحطات حلب.",
        "وقال الوزير الصباغ إن «البلدين يواجهان تحديات مشتركة»، فيما قدرت الأمم المتحدة النازحين بـ3000 عائلة.",
        "وأعلنت وزارة الطاقة السورية أن قرابة 41 في المئة من الشبكة تضررت، ويزور الصباغ العراق لاحقا.",
        # Diacritics, tatweel and alef variants.
        "وأكّد الرئيـس بزشكيان حرص ايران على العلاقات مع سوريا يوم الاربعاء.",
    ],
)
def test_supported_summaries_pass(facts: ArticleFacts, summary: str) -> None:
    assert check(summary, facts) == []


def test_invented_name(facts: ArticleFacts) -> None:
    found = check("استقبل بزشكيان الصباغ. وحضر اللقاء الوزير محمد جواد ظريف.", facts)
    assert kinds(found) == [("person", "محمد جواد ظريف")]
    assert found[0].sentence == 1


def test_wrong_number(facts: ArticleFacts) -> None:
    assert kinds(check("وبحث الجانبان خطة بقيمة 7 ملايين دولار.", facts)) == [("figure", "7 ملايين دولار")]
    assert kinds(check("وقدرت الأمم المتحدة النازحين بأربعة آلاف عائلة.", facts)) == [("figure", "بأربعة آلاف")]


def test_wrong_unit_thousand_for_million(facts: ArticleFacts) -> None:
    assert kinds(check("وبحث الجانبان خطة بقيمة خمسة آلاف دولار.", facts)) == [("figure", "خمسة آلاف دولار")]
    assert kinds(check("وبحث الجانبان خطة بقيمة 5 ملايين يورو.", facts)) == [("figure", "5 ملايين يورو")]


def test_unhedged_rounding_is_flagged_hedged_is_not(facts: ArticleFacts) -> None:
    assert check("وتضرر نحو 42% من الشبكة.", facts) == []
    assert kinds(check("وتضرر 42% من الشبكة.", facts)) == [("figure", "42%")]


def test_invented_place(facts: ArticleFacts) -> None:
    assert kinds(check("ويزور الصباغ بعد ذلك دمشق.", facts)) == [("place", "دمشق")]


def test_invented_organization(facts: ArticleFacts) -> None:
    found = check("وقالت منظمة الصحة العالمية إن 3000 عائلة نزحت.", facts)
    assert kinds(found) == [("organization", "منظمة الصحة العالمية")]


def test_invented_and_altered_quotes(facts: ArticleFacts) -> None:
    assert kinds(check("وقال الصباغ إن «سوريا لن تتخلى عن حلفائها».", facts)) == [
        ("quote", "سوريا لن تتخلى عن حلفائها")
    ]
    # A quotation cut with an ellipsis is found when each part is the article's.
    assert check("وقال الصباغ إن «البلدين يواجهان… في المنطقة».", facts) == []


def test_wrong_day(facts: ArticleFacts) -> None:
    assert kinds(check("والتقى بزشكيان الصباغ يوم الخميس.", facts)) == [("figure", "الخميس")]


def test_surname_in_another_transliteration_is_found(facts: ArticleFacts) -> None:
    assert check("وأكد الرئيس بيزشكيان دعم سوريا.", facts) == []


def test_sentence_indexes_and_several_kinds(facts: ArticleFacts) -> None:
    summary = "استقبل بزشكيان الصباغ في طهران. ثم زار الصباغ دمشق والتقى الرئيس بشار الأسد وبحثا 9 مشاريع."
    found = check(summary, facts)
    assert {u.sentence for u in found} == {1}
    assert ("place", "دمشق") in kinds(found) and ("figure", "9") in kinds(found)
    assert any(k == "person" and "الأسد" in t for k, t in kinds(found))


def test_article_sentences_accepted_without_prebuilt_facts() -> None:
    assert kinds(check("ويزور الصباغ دمشق.", [TITLE, *SENTENCES])) == [("place", "دمشق")]


def test_amounts_by_value() -> None:
    values = {t: [(a.value, a.unit) for a in find_amounts(t)] for t in (
        "5 ملايين", "خمسة ملايين", "5,000,000", "ثلاثمائة وخمسون ألفا", "٣٫٥ مليار دولار", "15 في المئة", "مليونين"
    )}  # fmt: skip
    assert values["5 ملايين"] == values["خمسة ملايين"] == values["5,000,000"] == [(5e6, "")]
    assert values["ثلاثمائة وخمسون ألفا"] == [(350_000, "")]
    assert values["٣٫٥ مليار دولار"] == [(3.5e9, "دولار")]
    assert values["15 في المئة"] == [(15, "%")]
    assert values["مليونين"] == [(2e6, "")]
    assert find_amounts("آلاف المحتجين في وقت واحد") == []


def _long_article() -> list[str]:
    example = (HOME / "config" / "examples" / "syria-iran-talks.ar.txt").read_text(encoding="utf-8").splitlines()
    # The hand-written article twice (as a longer story would restate) plus the example: about 600 words.
    return [TITLE, *SENTENCES, *SENTENCES, *[line for line in example if line.strip()]]


def test_check_is_fast_on_a_600_word_article() -> None:
    article = _long_article()
    assert sum(len(s.split()) for s in article) >= 550
    facts = ArticleFacts.build(article)
    summary = (
        "استقبل الرئيس الإيراني مسعود بزشكيان الوزير بسام الصباغ في طهران. "
        "وبحثا خطة بقيمة 7 ملايين دولار لمحطات حلب ودمشق. "
        "وقال أحمديان إن «العدو الصهيوني… لم يتمكن من حماية نفسه»."
    )
    check(summary, facts)  # warm the loaders
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        found = check(summary, facts)
        times.append(time.perf_counter() - t0)
    median_ms = statistics.median(times) * 1000
    print(f"faithfulness check: median {median_ms:.2f} ms per 3-sentence summary")
    assert {u.kind for u in found} == {"figure", "place"}


def test_policies() -> None:
    abstractive = ["الجملة الأولى.", "الجملة الثانية.", "الجملة الثالثة."]
    extractive = ["جملة من المقال."]
    bad = [Unsupported("دمشق", "place", 1)]
    clean = apply_policy("drop_sentence", abstractive, [], extractive)
    assert clean.sentences == abstractive and clean.method == "abstractive" and not clean.warnings

    flag = apply_policy("flag", abstractive, bad, extractive)
    assert flag.sentences == abstractive and flag.unsupported == bad and "دمشق" in flag.warnings[0]

    drop = apply_policy("drop_sentence", abstractive, bad, extractive)
    assert drop.sentences == ["الجملة الأولى.", "الجملة الثالثة."] and drop.method == "abstractive"
    assert drop.unsupported == [] and drop.removed == bad and drop.dropped_sentences == [1]
    assert drop.text == "الجملة الأولى. الجملة الثالثة."

    all_bad = [Unsupported("x", "figure", i) for i in range(3)]
    fallback = apply_policy("drop_sentence", abstractive, all_bad, extractive)
    assert fallback.method == "extractive" and fallback.sentences == extractive

    ext = apply_policy("extractive", abstractive, bad, extractive)
    assert ext.method == "extractive" and ext.sentences == extractive and ext.removed == bad


def test_person_candidates_compare_by_name_words(facts: ArticleFacts) -> None:
    # The full name in another transliteration, and a surname the rules run into the next word.
    assert check("وأكد الرئيس مسعود بيزشكيان حرص إيران على العلاقات مع سوريا.", facts) == []
    # A trailing attested surname is part of the name: «بسام الخطيب» is not «بسام الصباغ».
    assert kinds(check("واستقبل الرئيس الإيراني الوزير بسام الخطيب.", facts)) == [("person", "بسام الخطيب")]
    # A given name alone, left after dropping a word, identifies no one.
    assert ("person", "محمد جواد ظريف") in kinds(check("وحضر الوزير محمد جواد ظريف.", facts))


def test_a_country_named_by_its_adjective_in_the_article_is_supported(facts: ArticleFacts) -> None:
    # The article says «مسؤولين عراقيين»; it never names Lebanon.
    assert check("ويزور الصباغ العراق.", facts) == []
    assert kinds(check("ويزور الصباغ لبنان.", facts)) == [("place", "لبنان")]
