"""The CTranslate2 backend on the tiny checkpoints: conversion, loading, fallback, and agreement with
transformers (greedy, unquantised: token for token)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.config import HOME
from service.models.prompts import load_prompt
from service.models.seq2seq import ModelSpec, Seq2SeqModel, convert
from service.runtime import Runtime
from tests.conftest import KHULASA, build_runtime, clean_env, make_settings, summarizer_of, translator_of

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def copies(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies, so that converting does not change what other tests load."""
    root = tmp_path_factory.mktemp("ct2")
    return {role: Path(shutil.copytree(folder, root / role)) for role, folder in tiny_models.items()}


def test_not_converted_falls_back_to_transformers_and_says_so(copies: dict[str, Path]) -> None:
    rt = build_runtime(summary_model=str(copies["summary"]), translation_model="/nope")
    rt.models.ensure("summary")
    assert summarizer_of(rt).model.backend == "transformers"
    assert "khulasa models convert" in rt.models.status["summary"].detail


def test_convert_command_then_the_service_runs_on_ctranslate2(copies: dict[str, Path], example_text: str) -> None:
    env = clean_env(KHULASA_SUMMARY_MODEL=str(copies["summary"]), KHULASA_TRANSLATION_MODEL=str(copies["translation"]))
    result = subprocess.run([KHULASA, "models", "convert"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    for folder in copies.values():
        assert (folder / "ctranslate2-int8" / "model.bin").exists()
    # Each role's vocabulary map (Arabic for the summary, English for the translation) is written beside it.
    assert (copies["summary"] / "ctranslate2-int8" / "vmap.txt").exists()
    assert (copies["translation"] / "ctranslate2-int8" / "vmap.txt").exists()
    assert "summary: vocabulary map keeps" in result.stdout and "translation: vocabulary map keeps" in result.stdout
    settings = make_settings(summary_model=str(copies["summary"]), translation_model=str(copies["translation"]))
    rt = Runtime.build(settings)
    rt.models.load_all()
    assert translator_of(rt).model.backend == "ctranslate2-int8"
    assert summarizer_of(rt).model.backend == "ctranslate2-int8"
    with TestClient(create_app(runtime=rt)) as client:
        d = client.post("/v1/digest", json={"text": example_text}).json()
    assert d["summary"]["method"] == "abstractive" and d["summary"]["ar"]
    assert len(d["translation"]["sentences"]) == 11 and all(s["en"] for s in d["translation"]["sentences"])
    assert "ctranslate2-int8" in d["meta"]["models"]["models"]["translation"]


def _pair(spec_model: Path, role: str, tmp: Path) -> tuple[Seq2SeqModel, Seq2SeqModel]:
    settings = make_settings(**{f"{role}_model": str(spec_model)})
    spec = ModelSpec.from_entry(role, settings.models.roles[role])
    greedy = {"num_beams": 1, "max_new_tokens": 12, "min_new_tokens": 12}
    # The same output layer on both sides (the vocabulary maps are tested in test_vocabulary_map.py).
    ct2 = dataclasses.replace(spec, quantization="float32", generation=greedy, vocabulary_map=False)
    convert(ct2)
    prompt = load_prompt(HOME / "prompts", spec.prompt)
    return (
        Seq2SeqModel(ct2, prompt, 1),
        Seq2SeqModel(dataclasses.replace(ct2, backend="transformers", quantization="none"), prompt, 1),
    )


def test_unquantised_greedy_output_matches_transformers(copies: dict[str, Path], tmp_path: Path) -> None:
    texts = ["مرحبا بالعالم", "أعلنت الحكومة عن خطة اقتصادية جديدة", "الكتاب على الطاولة"]
    ct2, hf = _pair(copies["summary"], "summary", tmp_path)
    assert ct2.backend == "ctranslate2-float32" and hf.backend == "transformers"
    outputs = ct2.generate(texts)
    assert all(outputs) and outputs == hf.generate(texts)
    ct2, hf = _pair(copies["translation"], "translation", tmp_path)
    # Marian: transformers forces </s> as the last token at the length limit, CTranslate2 does not.
    for a, b in zip(ct2.generate(texts), hf.generate(texts), strict=True):
        assert a.split()[:-1] == b.split()[:-1] or a.startswith(b) or b.startswith(a)
    assert json.loads((copies["translation"] / "ctranslate2-float32" / "config.json").read_text())


def test_parallel_batches_become_ctranslate2_workers_sharing_the_weights(copies: dict[str, Path]) -> None:
    settings = make_settings(translation_model=str(copies["translation"]))
    spec = dataclasses.replace(
        ModelSpec.from_entry("translation", settings.models.roles["translation"]), parallel_batches=2
    )
    convert(spec)
    model = Seq2SeqModel(spec, load_prompt(HOME / "prompts", spec.prompt), 1)
    assert model.backend.startswith("ctranslate2") and model.parallel_batches == 2
    assert model._ct2.num_translators == 2
    texts = ["مرحبا بالعالم", "أعلنت الحكومة عن خطة اقتصادية جديدة"]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda t: model.generate([t])[0], texts))
    assert together == model.generate(texts)  # concurrent calls give what one batch gives
