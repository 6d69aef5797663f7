"""Glossary entries, matching through Arabic forms, and translations that keep the English forms."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import msgspec
import pytest

from service.config import HOME
from service.models.prompts import load_prompt
from service.models.seq2seq import ModelSpec, Seq2SeqModel, convert
from service.translation.seq2seq import Seq2SeqTranslator
from service.trust.glossary import (
    Glossary,
    GlossaryEntry,
    GlossaryError,
    load_glossary_file,
    missing,
    protect,
    restore,
    translate_with_glossary,
)

PEZESHKIAN = GlossaryEntry("مسعود بزشكيان", "Masoud Pezeshkian", "person")
PMF = GlossaryEntry("الحشد الشعبي", "Popular Mobilization Forces", "organization")
COUNCIL = GlossaryEntry("المجلس الأعلى للأمن القومي", "Supreme National Security Council", "organization")
GLOSSARY = Glossary([PEZESHKIAN, PMF, COUNCIL])


def found(text: str, glossary: Glossary = GLOSSARY) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.entry.en) for m in glossary.find(text)]


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("قال الحشد الشعبي", "الحشد الشعبي"),
        ("وأكد الحشدُ الشعبيّ", "الحشدُ الشعبيّ"),  # diacritics
        ("قوات الحشـــد الشعبى", "الحشـــد الشعبى"),  # tatweel, final ya as alef maqsura
        ("وقال والحشد الشعبي", "الحشد الشعبي"),  # و + ال
        ("مرتبط بالحشد الشعبي", "الحشد الشعبي"),
        ("وبالحشد الشعبي", "الحشد الشعبي"),
        ("التابعة للحشد الشعبي", "لحشد الشعبي"),  # ل + ال written لل
        ("والتقى بمسعود بزشكيان", "مسعود بزشكيان"),  # clitic on an indefinite first word
        ("أمين المجلس الاعلى للامن القومي الايراني", "المجلس الاعلى للامن القومي"),  # alef variants
    ],
)
def test_terms_are_found_through_their_forms(text: str, surface: str) -> None:
    assert found(text) == [(surface, GLOSSARY.find(text)[0].entry.en)]
    assert found(text)[0][0] == surface


def test_no_match_across_punctuation_or_inside_other_words() -> None:
    assert found("الحشد، الشعبي") == []
    assert found("الحشدالشعبي") == []
    assert found("مسعود") == []


def test_longest_entry_wins() -> None:
    g = Glossary([GlossaryEntry("الحشد", "the Hashd"), PMF])
    assert found("قال الحشد الشعبي إن الحشد", g) == [("الحشد الشعبي", PMF.en), ("الحشد", "the Hashd")]


def test_find_is_linear() -> None:
    many = Glossary(GlossaryEntry(f"مصطلح رقم {'ب' * (k % 7 + 2)} {k}", f"Term {k}") for k in range(5000))
    words = "الحشد الشعبي مصطلح رقم " * 2000

    def best_of_3(text: str) -> float:
        # The machine is shared: the fastest of three runs is the least disturbed.
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            assert many.find(text) == []
            times.append(time.perf_counter() - t0)
        return min(times)

    small, big = best_of_3(words[: len(words) // 10]), best_of_3(words)
    assert big < 30 * max(small, 1e-4)  # 10x the text: about 10x the time, far from 100x


def test_english_for_entities() -> None:
    assert GLOSSARY.english_for("مسعود بزشكيان") == PEZESHKIAN.en
    assert GLOSSARY.english_for("بزشكيان") == PEZESHKIAN.en  # surname alone, one person entry has it
    assert GLOSSARY.english_for("والحشد الشعبي") == PMF.en
    assert GLOSSARY.english_for("حسن بزشكيان") is None  # another given name: another person
    assert GLOSSARY.english_for("الحشد") is None
    two = Glossary([PEZESHKIAN, GlossaryEntry("مريم بزشكيان", "Maryam Pezeshkian", "person")])
    assert two.english_for("بزشكيان") is None  # ambiguous surname


def test_entry_validation() -> None:
    decode = msgspec.json.Decoder(GlossaryEntry).decode
    assert decode('{"ar": "  الحشد   الشعبي ", "en": " PMF "}') == GlossaryEntry("الحشد الشعبي", "PMF", "term")
    for bad in (
        '{"ar": "", "en": "x"}',
        '{"ar": "PMF", "en": "x"}',  # no Arabic
        '{"ar": "الحشد", "en": ""}',
        '{"ar": "الحشد", "en": "   "}',
        '{"ar": "الحشد", "en": "الحشد"}',
        '{"ar": "الحشد", "en": "x", "kind": "thing"}',
        '{"ar": "الحشد", "en": "x", "extra": 1}',
        '{"ar": "الحشد", "en": "x", "note": "' + "n" * 501 + '"}',
        '{"ar": "' + "ب" * 201 + '", "en": "x"}',
        '{"ar": "' + " ".join(["كلمة"] * 13) + '", "en": "x"}',
    ):
        with pytest.raises(msgspec.ValidationError):
            decode(bad)
    with pytest.raises(ValueError):
        GlossaryEntry("الحشد", "x\x07y")


def test_bounded_and_versioned() -> None:
    with pytest.raises(GlossaryError):
        Glossary((GlossaryEntry(f"كلمة {k}", f"w{k}") for k in range(11)), max_entries=10)
    assert Glossary([PMF, PEZESHKIAN]).version == Glossary([PEZESHKIAN, PMF]).version
    changed = Glossary([PEZESHKIAN, GlossaryEntry("الحشد الشعبي", "PMF", "organization")])
    assert changed.version != GLOSSARY.version
    # The later entry with the same normalised Arabic replaces the earlier one.
    assert len(changed) == 2 and changed.english_for("الحشد الشعبى") == "PMF"


def test_config_file_loads() -> None:
    entries = load_glossary_file(HOME / "config" / "glossary.toml")
    g = Glossary(entries)
    assert 3 <= len(g) <= 5
    assert g.english_for("مسعود بزشكيان") == "Masoud Pezeshkian"
    assert g.english_for("الحشد الشعبي") == "Popular Mobilization Forces"
    assert load_glossary_file(HOME / "config" / "no-such-glossary.toml") == []


def test_config_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "g.toml"
    bad.write_text('[[entries]]\nar = "x"\nen = "y"\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"g\.toml"):
        load_glossary_file(bad)


def test_protect_and_restore() -> None:
    text = "التقى مسعود بزشكيان وفدا من الحشد الشعبي"
    inline, slots = protect(text, GLOSSARY)
    assert inline == "التقى Masoud Pezeshkian وفدا من Popular Mobilization Forces"
    marked, slots = protect(text, GLOSSARY, "placeholder")
    assert marked == "التقى ⟦0⟧ وفدا من ⟦1⟧"
    assert restore("met [ 0 ] and ⟦1⟧", slots) == "met Masoud Pezeshkian and Popular Mobilization Forces"
    assert [s.en for s in missing("met ⟦0 and 1", slots)] == [PEZESHKIAN.en, PMF.en]


def test_a_model_that_loses_every_term_still_gives_the_english_forms() -> None:
    """A translate callable that never copies Latin: the terms are translated around."""

    def lossy(texts: list[str]) -> list[str]:
        return [f"<{len(t.split())} words>" for t in texts]

    texts = ["والتقى بمسعود بزشكيان في طهران.", "لا شيء هنا.", "الحشد الشعبي"]
    for mode in ("inline", "placeholder"):
        out = translate_with_glossary(texts, GLOSSARY, lossy, mode)  # type: ignore[arg-type]
        assert out[0].method == "split" and "Masoud Pezeshkian" in out[0].text
        assert out[0].text == "<1 words> Masoud Pezeshkian <2 words>"  # the clitic goes with the term
        assert out[1].text == lossy(["لا شيء هنا."])[0] and out[1].method == "none" and out[1].applied == []
        assert out[2].text == "Popular Mobilization Forces" and out[2].applied == [PMF]


# -- with the tiny real models (random weights: any guarantee must come from the code) -----------------------

SENTENCES = [
    "التقى الرئيس مسعود بزشكيان وزير الخارجية في طهران.",
    "أعلنت الحكومة عن خطة اقتصادية جديدة",
    "وأكد قادة الحشد الشعبي دعمهم لمسعود بزشكيان.",
    "ارتفعت أسعار النفط في الأسواق العالمية",
    "قال أمين المجلس الأعلى للأمن القومي إن بالحشد الشعبي قوة كبيرة",
    "الكتاب على الطاولة في الغرفة",
]


def _model(folder: Path, backend: str = "transformers", quantization: str = "none") -> Seq2SeqModel:
    spec = ModelSpec(
        role="translation",
        model=str(folder),
        prompt="translation/marian",
        max_input_tokens=512,
        generation={"num_beams": 1, "max_new_tokens": 16},
        backend=backend,  # type: ignore[arg-type]
        quantization=quantization,
    )
    return Seq2SeqModel(spec, load_prompt(HOME / "prompts", spec.prompt), 1)


def _check_invariants(translate: object, glossary: Glossary) -> list[str]:
    assert callable(translate)
    plain = translate(SENTENCES)
    glossed = translate_with_glossary(SENTENCES, glossary, translate)
    for text, out, base in zip(SENTENCES, glossed, plain, strict=True):
        terms = [m.entry.en for m in glossary.find(text)]
        for en in terms:
            assert en in out.text, (text, out.text)
        if not terms:
            assert out.text == base and out.method == "none"
    return [g.method for g in glossed]


@pytest.mark.models
def test_tiny_marian_keeps_the_english_forms(tiny_models: dict[str, Path]) -> None:
    translator = Seq2SeqTranslator(_model(tiny_models["translation"]), window_ms=0, cache_entries=0)
    methods = _check_invariants(translator.translate, GLOSSARY)
    # The tiny vocabulary has no capital letters: protected spans come back mangled, so the code splits.
    assert methods.count("none") == 3 and methods.count("split") >= 1
    # The same guarantee for the summary-shaped mT5 (another tokenizer, another decoder).
    mt5 = _model(tiny_models["summary"])
    _check_invariants(lambda texts: mt5.generate(texts), GLOSSARY)


@pytest.mark.models
def test_tiny_marian_on_ctranslate2_keeps_the_english_forms(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    folder = Path(shutil.copytree(tiny_models["translation"], tmp_path / "marian"))
    ct2 = _model(folder, "ctranslate2", "int8")
    convert(dataclasses.replace(ct2.spec))
    ct2 = _model(folder, "ctranslate2", "int8")
    assert ct2.backend == "ctranslate2-int8"
    _check_invariants(Seq2SeqTranslator(ct2, window_ms=0, cache_entries=0).translate, GLOSSARY)
