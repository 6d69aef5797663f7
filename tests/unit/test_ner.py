"""Merging a model's entity spans into the rules' entities, with hand-made spans (no model needed)."""

from __future__ import annotations

import msgspec
import pytest

from service.config import HOME
from service.highlights.entities import find_entities
from service.highlights.lexicon import Lexicon, tokenize
from service.highlights.ner import Kind, Span, merge_model_spans
from service.highlights.places import Gazetteer
from service.highlights.types import Entities, Entity

LEXICON = Lexicon.load(HOME / "config" / "names.toml")
GAZETTEER = Gazetteer.load(HOME / "config" / "places.toml")

SENTENCES = [
    "التقى وزير الخارجية السوري بسام الصباغ الرئيس الإيراني مسعود بزشكيان في طهران.",
    "وقال وزير الخارجية الفرنسي، جان نويل بارو، إن منظمة الصحة العالمية تتابع الوضع في ولاية كسلا.",
    "والتقى الصباغ وبارو لاحقا بممثلي منظمة الصحة العالمية في جنيف، وأكد بزشكيان أن طهران تدعم الحوار.",
    "وحضر اللقاء وسيم خليل ممثلا عن هيئة الإغاثة إلى جانب يوهانس فايت.",
]


def span(sentence: int, text: str, kind: Kind, score: float = 0.9, nth: int = 0) -> tuple[int, Span]:
    """The span of the nth occurrence of `text` in a sentence."""
    at = -1
    for _ in range(nth + 1):
        at = SENTENCES[sentence].index(text, at + 1)
    return sentence, Span(at, at + len(text), kind, score)


def at(sentences: list[str], s: int, text: str, kind: Kind, score: float = 0.9) -> tuple[int, Span]:
    start = sentences[s].index(text)
    return s, Span(start, start + len(text), kind, score)


def merge(rules: Entities, *found: tuple[int, Span], sentences: list[str] = SENTENCES) -> Entities:
    per_sentence: list[list[Span]] = [[] for _ in sentences]
    for s, sp in found:
        per_sentence[s].append(sp)
    tokens = [tokenize(s) for s in sentences]
    return merge_model_spans(rules, per_sentence, sentences, tokens, LEXICON, GAZETTEER)


@pytest.fixture(scope="module")
def rules() -> Entities:
    return find_entities([tokenize(s) for s in SENTENCES], LEXICON, GAZETTEER)


def by_ar(entities: list[Entity]) -> dict[str, Entity]:
    return {e.ar: e for e in entities}


def test_the_rules_miss_what_the_model_adds(rules: Entities) -> None:
    # The premise of the other tests. The rules find the foreign name after a title and an apposition (جان نويل
    # بارو) and stop a name before an accusative (وسيم خليل, not «وسيم خليل ممثلا»); they miss a foreign name
    # with no title or speech verb (يوهانس فايت). The province is found after its cue word (ولاية كسلا).
    assert set(by_ar(rules.people)) == {"بسام الصباغ", "مسعود بزشكيان", "جان نويل بارو", "وسيم خليل"}
    assert set(by_ar(rules.places)) == {"طهران", "كسلا", "جنيف"}
    assert by_ar(rules.places)["كسلا"].surface_forms == ["كسلا", "ولاية كسلا"]


def test_model_spans_join_rule_entities_or_become_new_ones(rules: Entities) -> None:
    before = msgspec.json.encode(rules)
    merged = merge(
        rules,
        span(0, "الرئيس الإيراني مسعود بزشكيان", "person"),  # title and adjective taken off
        span(0, "طهران", "organization"),  # the rules call it a place: they win
        span(1, "جان نويل بارو", "person"),
        span(1, "منظمة الصحة العالمية", "organization"),
        span(1, "ولاية كسلا", "place"),  # a form of the rules' كسلا
        span(1, "الوضع", "place", score=0.2),  # below min_score
        span(2, "الصباغ", "person"),
        span(2, "وبارو", "person"),  # و off: بارو stands alone in the article
        span(2, "جنيف", "place"),
        span(2, "بزشكيان", "person"),
        span(2, "طهران", "place"),
        span(3, "وسيم خليل", "person"),  # joins the rules' وسيم خليل (و read off: the name is attested)
        span(3, "هيئة الإغاثة", "organization"),
        span(3, "يوهانس فايت", "person"),  # the rules missed it: a new entity
    )
    assert msgspec.json.encode(rules) == before  # the rules' entities are not changed
    people = by_ar(merged.people)
    assert list(people) == ["بسام الصباغ", "مسعود بزشكيان", "جان نويل بارو", "وسيم خليل", "يوهانس فايت"]
    # Rule entities keep their canonical form, English and mention count.
    for old in rules.people + rules.places + rules.organizations:
        new = by_ar(merged.people + merged.places + merged.organizations)[old.ar]
        assert (new.en, new.mentions) == (old.en, old.mentions)
        assert new.surface_forms[: len(old.surface_forms)] == old.surface_forms
    assert people["مسعود بزشكيان"].surface_forms == ["مسعود بزشكيان", "بزشكيان"]
    assert people["جان نويل بارو"].surface_forms[:2] == ["جان نويل بارو", "بارو"]
    assert people["وسيم خليل"].surface_forms[0] == "وسيم خليل"
    assert people["يوهانس فايت"] == Entity("يوهانس فايت", None, ["يوهانس فايت"], 1)
    places = by_ar(merged.places)
    assert list(places) == [e.ar for e in rules.places]  # the model's ولاية كسلا joins the rules' كسلا
    assert places["كسلا"].surface_forms == ["كسلا", "ولاية كسلا"]
    assert "الوضع" not in places
    assert [e.ar for e in merged.organizations] == [e.ar for e in rules.organizations]


def test_new_places_take_the_gazetteer_name_and_english_without_clitics() -> None:
    sentences = ["وصل الوفد بالأمس إلى الخرطوم قادما من بيروت.", "وغادر الوفد بالخرطوم ثم وبيروت."]
    found = [
        at(sentences, 0, "الخرطوم", "place"),
        at(sentences, 0, "بيروت", "place"),
        at(sentences, 1, "بالخرطوم", "place"),
        at(sentences, 1, "وبيروت", "place"),
    ]
    merged = merge(Entities([], [], []), *found, sentences=sentences)
    assert merged.places == [
        Entity("الخرطوم", "Khartoum", ["الخرطوم"], 2),
        Entity("بيروت", "Beirut", ["بيروت"], 2),
    ]


def test_part_of_a_known_name_joins_it_and_a_longer_run_adds_no_form() -> None:
    sentences = ["دعت منظمة الصحة العالمية إلى الهدوء.", "وقالت منظمة الصحة في جنيف إن الوضع خطير."]
    rules = Entities([Entity("محمد صلاح", "Mohamed Salah", ["محمد صلاح"], 1)], [], [])
    rules.organizations.append(Entity("منظمة الصحة العالمية", None, ["منظمة الصحة العالمية"], 1))
    s1 = sentences[1]
    merged = merge(
        rules,
        (1, Span(s1.index("منظمة"), s1.index(" في"), "organization", 0.8)),
        (1, Span(s1.index("منظمة"), s1.index(" إن"), "organization", 0.8)),  # the whole run: a new form
        sentences=sentences,
    )
    [who] = merged.organizations
    assert who.ar == "منظمة الصحة العالمية" and who.mentions == 1
    assert who.surface_forms == ["منظمة الصحة العالمية", "منظمة الصحة"]
    sentences = ["سجل صلاح هدفا.", "وأشاد المدرب بمحمد صلاح."]
    merged = merge(
        rules,
        (0, Span(4, 8, "person", 0.9)),
        (1, Span(sentences[1].index("بمحمد"), len(sentences[1]) - 1, "person", 0.9)),
        sentences=sentences,
    )
    assert merged.people == [Entity("محمد صلاح", "Mohamed Salah", ["محمد صلاح", "صلاح"], 1)]


def test_a_longer_name_found_later_becomes_the_canonical_form_of_a_model_entity() -> None:
    sentences = ["وقال بارو إن المحادثات مثمرة.", "وكان جان نويل بارو قد وصل أمس."]
    merged = merge(
        Entities([], [], []),
        (0, Span(5, 9, "person", 0.9)),
        (1, Span(5, 18, "person", 0.9)),
        sentences=sentences,
    )
    assert merged.people == [Entity("جان نويل بارو", None, ["بارو", "جان نويل بارو"], 2)]


def test_a_shared_surname_with_another_given_name_is_another_person() -> None:
    sentences = ["وقال بشار الأسد إن ...", "وكان حافظ الأسد قد حكم البلاد.", "وأكد الأسد أن ..."]
    rules = Entities([Entity("بشار الأسد", None, ["بشار الأسد", "الأسد"], 2)], [], [])
    merged = merge(
        rules,
        at(sentences, 1, "حافظ الأسد", "person"),
        at(sentences, 2, "الأسد", "person"),
        at(sentences, 0, "بشار الأسد", "person"),
        sentences=sentences,
    )
    assert merged.people == [
        Entity("بشار الأسد", None, ["بشار الأسد", "الأسد"], 2),
        Entity("حافظ الأسد", None, ["حافظ الأسد"], 1),
    ]


def test_spans_must_match_the_sentences() -> None:
    with pytest.raises(ValueError, match="differ"):
        merge_model_spans(Entities([], [], []), [[]], ["أ", "ب"], [[], []], LEXICON, GAZETTEER)


def test_many_spans_merge_by_name_and_count_every_mention() -> None:
    sentences = [f"وقال المتحدث سامر منصور{i % 50} إن وفد ولاية كسلا{i % 7} زار منظمة الإغاثة." for i in range(3000)]
    found = []
    for s in range(len(sentences)):
        found.append(at(sentences, s, f"سامر منصور{s % 50}", "person"))
        found.append(at(sentences, s, f"ولاية كسلا{s % 7}", "place"))
        found.append(at(sentences, s, "منظمة الإغاثة", "organization"))
    merged = merge(Entities([], [], []), *found, sentences=sentences)
    assert len(merged.people) == 50 and len(merged.places) == 7 and len(merged.organizations) == 1
    assert sum(e.mentions for e in merged.people) == 3000 and merged.organizations[0].mentions == 3000
