"""The summary role's restricted output vocabulary (CTranslate2's vmap.txt) on the tiny mT5: which pieces the
rule keeps, that `khulasa models convert` writes it, that it changes the identity, that greedy outputs are
unchanged whenever the unrestricted output uses only kept pieces, and what happens when it does not."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from service.config import HOME
from service.models.prompts import load_prompt
from service.models.seq2seq import ModelSpec, Seq2SeqModel, convert, converted_folder, vocabulary_map_size
from service.models.vocabulary import (
    VMAP_FILE,
    keep_piece,
    kept_vocabulary,
    target_vocabulary,
    vocabulary_map_identity,
)
from tests.conftest import make_settings
from tests.tiny_models import ARABIC_LINES, ENGLISH_LINES

pytestmark = pytest.mark.models


@pytest.mark.parametrize(
    "piece",
    ["▁", "▁الحكومة", "ية", "▁٢٠٢٤", "۱۲", "2024", "،", "؛", "«", "”", "%", "▁$", "▁BBC", "NATO", "▁F-16", "▁Mr", "ph"],
)
def test_kept_pieces(piece: str) -> None:
    assert keep_piece(piece)


@pytest.mark.parametrize("piece", ["▁world", "▁Washington", "▁привет", "▁中国", "日", "▁😀", "▁école", "▁नमस्ते"])
def test_dropped_pieces(piece: str) -> None:
    assert not keep_piece(piece)


def test_special_tokens_are_kept_whatever_they_look_like() -> None:
    vocab = ["<pad>", "</s>", "<unk>", "<extra_id_0>", "▁hello", "▁سلام"]
    assert kept_vocabulary(vocab, ["<pad>", "</s>", "<unk>", "<extra_id_0>"], "arabic") == [
        "<pad>",
        "</s>",
        "<unk>",
        "<extra_id_0>",
        "▁سلام",
    ]


DAMPING = 0.7
OTHER_SCRIPTS = ("привет мир как дела сегодня", "今天天气很好我们去公园", "γειά σου κόσμε καλημέρα")


def build_multilingual_mt5(folder: Path) -> Path:
    """A tiny random mT5 whose tokenizer, like mT5's, also holds English and other scripts' pieces."""
    import sentencepiece as spm
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration, T5Tokenizer

    from tests.tiny_models import _train_spm

    folder.mkdir(parents=True)
    lines = (*ARABIC_LINES, *ENGLISH_LINES, *OTHER_SCRIPTS)
    processor = spm.SentencePieceProcessor(model_proto=_train_spm(lines, pad_id=0, eos_id=1, unk_id=2))
    pieces = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(processor.get_piece_size())]
    tokenizer = T5Tokenizer(vocab=pieces, extra_ids=0, model_max_length=512)
    tokenizer.save_pretrained(folder)
    config = MT5Config(
        vocab_size=len(tokenizer),
        d_model=16,
        d_kv=8,
        d_ff=32,
        num_layers=1,
        num_decoder_layers=1,
        num_heads=2,
        feed_forward_proj="gated-gelu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    torch.manual_seed(1)
    model = MT5ForConditionalGeneration(config)
    # Like a model fine-tuned on Arabic, it should mostly (not always) write kept pieces: damp the output
    # rows of the others, so that the test sees both kinds of outputs.
    with torch.no_grad():
        for i, (piece, _) in enumerate(pieces):
            if not keep_piece(piece):
                model.lm_head.weight[i] *= DAMPING
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def mt5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The multilingual tiny mT5, converted unquantised (so CTranslate2 and the map are the only variables)."""
    return build_multilingual_mt5(tmp_path_factory.mktemp("vmap") / "mt5")


def _spec(folder: Path) -> ModelSpec:
    spec = ModelSpec.from_entry("summary", make_settings(summary_model=str(folder)).models.roles["summary"])
    return dataclasses.replace(spec, quantization="float32")


def _models(folder: Path) -> tuple[Seq2SeqModel, Seq2SeqModel]:
    spec = _spec(folder)
    prompt = load_prompt(HOME / "prompts", spec.prompt)
    return Seq2SeqModel(spec, prompt, 1), Seq2SeqModel(dataclasses.replace(spec, vocabulary_map=False), prompt, 1)


_WORDS = " ".join([*ARABIC_LINES, *ENGLISH_LINES, "أعلنت الحكومة 2024 عن خطة NATO"]).split()
# Word windows of the Arabic and English lines: many inputs, many outputs of both kinds.
TEXTS = [" ".join(_WORDS[i : i + k]) for i in range(0, len(_WORDS), 2) for k in (1, 3)]


def test_the_summary_profile_asks_for_the_map_and_convert_writes_it(mt5: Path) -> None:
    spec = _spec(mt5)
    assert spec.vocabulary_map  # on by default for the Arabic summary role
    out = convert(spec)
    kept = (out / VMAP_FILE).read_text(encoding="utf-8").split("\t", 1)[1].split()
    vocabulary = target_vocabulary(out)
    assert vocabulary_map_size(out) == len(kept) and 0 < len(kept) < len(vocabulary)
    assert {"<pad>", "</s>", "<unk>"} <= set(kept)
    dropped = [p for p in vocabulary if p not in kept]
    # The tiny tokenizer also learnt English: its longer pieces are the dropped ones.
    assert dropped and all(not keep_piece(p) for p in dropped)
    assert any(p.removeprefix("▁").isascii() and len(p.removeprefix("▁")) > 3 for p in dropped)


def test_identity_names_the_map_and_a_missing_map_is_reported(mt5: Path) -> None:
    convert(_spec(mt5))
    on, off = _models(mt5)
    assert "|vmap:" in on.identity and "|vmap:" not in off.identity
    fingerprint = vocabulary_map_identity(converted_folder(mt5, "float32"))
    assert on.identity.replace(f"|vmap:{fingerprint}", "") == off.identity
    vmap = converted_folder(mt5, "float32") / VMAP_FILE
    saved = vmap.read_bytes()
    vmap.unlink()
    try:
        missing, _ = _models(mt5)
        assert "|vmap:" not in missing.identity and any("vmap.txt" in n for n in missing.notes)
    finally:
        vmap.write_bytes(saved)


def _outputs(folder: Path, beams: int, map_given: bool = False) -> tuple[list[list[str]], list[list[str]], set[str]]:
    if not map_given:  # convert writes the rule's map (and would replace one written by hand)
        convert(_spec(folder))
    on, off = _models(folder)
    kept = set((converted_folder(folder, "float32") / VMAP_FILE).read_text(encoding="utf-8").split())
    settings = {"num_beams": beams, "max_new_tokens": 6, "min_new_tokens": 1}
    return on.generate_pieces(TEXTS, **settings), off.generate_pieces(TEXTS, **settings), kept


def test_greedy_outputs_are_unchanged_whenever_the_unrestricted_one_uses_only_kept_pieces(mt5: Path) -> None:
    restricted, unrestricted, kept = _outputs(mt5, beams=1)
    comparable = [(r, u) for r, u in zip(restricted, unrestricted, strict=True) if set(u) <= kept]
    assert len(TEXTS) // 5 <= len(comparable) < len(TEXTS)  # both kinds of outputs occur: not vacuous
    assert all(r == u for r, u in comparable)


def test_otherwise_greedy_follows_until_the_dropped_piece_then_writes_a_kept_one(mt5: Path) -> None:
    """Greedy decoding takes the best piece of each step: the map changes nothing until the unrestricted
    output writes a dropped piece; there the restricted one writes the best kept piece instead (so a real
    summary that needs a dropped piece spells it from kept ones or words it differently), and never a
    dropped one."""
    restricted, unrestricted, kept = _outputs(mt5, beams=1)
    affected = 0
    for r, u in zip(restricted, unrestricted, strict=True):
        assert set(r) <= kept
        outside = [i for i, piece in enumerate(u) if piece not in kept]
        if outside:
            affected += 1
            first = outside[0]
            assert r[:first] == u[:first] and r[first] != u[first]
    assert affected >= len(TEXTS) // 5


def test_beam_search_never_writes_a_dropped_piece(mt5: Path, tmp_path: Path) -> None:
    """With beams, scores are normalised over the kept pieces only, so beams can be ranked differently even
    when every piece is kept (on this random model, whose dropped pieces hold much of the probability, many
    outputs differ; a model fine-tuned on Arabic puts little mass there). Measure with ROUGE: README.
    Here the map also drops the piece the unrestricted beams write most: no output holds it any more."""
    folder = Path(shutil.copytree(mt5, tmp_path / "mt5"))
    _, unrestricted, kept = _outputs(folder, beams=4)
    victim = Counter(p for u in unrestricted for p in u if p not in {"</s>", "<pad>"}).most_common(1)[0][0]
    assert victim in kept
    vmap = converted_folder(folder, "float32") / VMAP_FILE
    vmap.write_text("\t" + " ".join(sorted(kept - {victim})) + "\n", encoding="utf-8")
    restricted, _, narrower = _outputs(folder, beams=4, map_given=True)
    assert victim not in narrower
    assert all(set(r) <= narrower for r in restricted)


# The translation role writes English: its map keeps Latin-script pieces and drops the Arabic half of a joint
# Arabic-English vocabulary such as opus-mt-ar-en's.


@pytest.mark.parametrize("piece", ["▁", "▁the", "▁Washington", "▁école", "ing", "▁2024", "▁$", ",", "’", "▁F-16"])
def test_kept_pieces_of_an_english_map(piece: str) -> None:
    assert keep_piece(piece, "latin")


@pytest.mark.parametrize("piece", ["▁الحكومة", "ية", "▁٢٠٢٤", "۱۲", "▁привет", "▁中国", "▁😀", "▁Aلـ"])
def test_dropped_pieces_of_an_english_map(piece: str) -> None:
    assert not keep_piece(piece, "latin")


def _biased_marian(folder: Path, bias: float) -> Path:
    """The tiny Marian (a joint Arabic-English vocabulary) with `bias` added to its Arabic output pieces."""
    import torch
    from transformers import MarianMTModel

    from tests.tiny_models import build_tiny_marian

    build_tiny_marian(folder)
    model = MarianMTModel.from_pretrained(folder)
    vocabulary = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    with torch.no_grad():
        for piece, index in vocabulary.items():
            if any("\u0600" <= ch <= "\u06ff" for ch in piece):
                model.final_logits_bias[0, index] += bias
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Marian as built for every test (it writes Arabic and Latin pieces alike)."""
    return _biased_marian(tmp_path_factory.mktemp("vmap") / "marian", 0.0)


def _translation_spec(folder: Path) -> ModelSpec:
    entry = make_settings(translation_model=str(folder)).models.roles["translation"]
    return dataclasses.replace(ModelSpec.from_entry("translation", entry), quantization="float32")


def test_the_translation_profile_asks_for_an_english_map_and_convert_writes_it(marian: Path) -> None:
    spec = _translation_spec(marian)
    assert spec.vocabulary_map and spec.vocabulary_map_script == "latin"
    out = convert(spec)
    kept = (out / VMAP_FILE).read_text(encoding="utf-8").split("\t", 1)[1].split()
    vocabulary = target_vocabulary(out)
    assert 0 < len(kept) < len(vocabulary) and {"</s>", "<unk>"} <= set(kept)
    arabic = [p for p in vocabulary if any("\u0600" <= ch <= "\u06ff" for ch in p)]
    assert arabic and not set(arabic) & set(kept)  # the Arabic pieces are the dropped ones
    # Long English pieces, which the summary's Arabic map drops, are kept here.
    assert any(p.removeprefix("▁").isascii() and len(p.removeprefix("▁")) > 3 for p in kept)


def test_english_outputs_are_unchanged_until_the_unrestricted_one_writes_an_arabic_piece(
    marian: Path, tmp_path: Path
) -> None:
    """Greedy: the English map changes nothing while the unrestricted output writes kept pieces; where it
    writes an Arabic piece the restricted one writes a Latin piece instead. Seen on the tiny Marian as built
    (it writes Arabic pieces into every output) and on one biased against Arabic like a trained ar→en model
    (it writes none: every output is unchanged)."""
    affected = unchanged = 0
    for folder in (marian, _biased_marian(tmp_path / "marian", -0.5)):
        spec = _translation_spec(folder)
        convert(spec)
        prompt = load_prompt(HOME / "prompts", spec.prompt)
        on = Seq2SeqModel(spec, prompt, 1)
        off = Seq2SeqModel(dataclasses.replace(spec, vocabulary_map=False), prompt, 1)
        assert "|vmap:" in on.identity and "|vmap:" not in off.identity
        kept = set((converted_folder(folder, "float32") / VMAP_FILE).read_text(encoding="utf-8").split())
        settings = {"num_beams": 1, "max_new_tokens": 6, "min_new_tokens": 1}
        for r, u in zip(on.generate_pieces(TEXTS, **settings), off.generate_pieces(TEXTS, **settings), strict=True):
            assert set(r) <= kept  # an Arabic piece is never written
            outside = [i for i, piece in enumerate(u) if piece not in kept]
            if outside:
                affected += 1
                assert r[: outside[0]] == u[: outside[0]] and r[outside[0]] != u[outside[0]]
            else:
                unchanged += 1
                assert r == u
    assert affected >= len(TEXTS) // 5 and unchanged >= len(TEXTS) // 5  # both cases seen: not vacuous


def test_a_role_computes_with_its_own_threads(tiny_models: dict[str, Path]) -> None:
    from tests.conftest import build_runtime, summarizer_of, translator_of

    runtime = build_runtime(
        summary_model=str(tiny_models["summary"]), translation_model=str(tiny_models["translation"]), models_threads="2"
    )
    runtime.settings.models.roles["summary"] = msgspec.structs.replace(
        runtime.settings.models.roles["summary"], threads=1
    )
    for role in ("summary", "translation"):
        runtime.models.ensure(role)
    assert summarizer_of(runtime).model.threads == 1
    assert translator_of(runtime).model.threads == 2
    runtime.models.close()


def test_threads_default_to_half_the_cores_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    entry = make_settings().models.roles["translation"]
    models = make_settings().models
    assert models.threads == 0 and entry.threads == 0  # the shipped defaults: automatic
    for cores, expected in ((2, 1), (8, 4), (1, 1)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)), raising=False)
        assert models.threads_for(entry) == expected
    assert make_settings(models_threads="3").models.threads_for(entry) == 3
    assert models.threads_for(msgspec.structs.replace(entry, threads=5)) == 5
