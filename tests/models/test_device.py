"""Device selection: auto, cpu and cuda, the compute type per device and model family, and the CPU fallback
when no GPU is visible (no GPU here: the device counts are monkeypatched)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.config import HOME
from service.models import device as device_module
from service.models.device import choose_device, ct2_compute_type
from service.models.prompts import load_prompt
from service.models.seq2seq import ModelSpec, Seq2SeqModel, convert
from tests.conftest import build_runtime, make_settings, summarizer_of

CPU_TYPES = {"int8", "int8_float32", "float32"}
GPU_TYPES = {"int8", "int8_float32", "int8_float16", "int8_bfloat16", "float16", "bfloat16", "float32"}


@pytest.mark.parametrize(
    ("setting", "count", "expected", "noted"),
    [
        ("auto", 0, "cpu", False),
        ("auto", 2, "cuda", False),
        ("cpu", 2, "cpu", False),
        ("cuda", 1, "cuda", False),
        ("cuda", 0, "cpu", True),
    ],
)
def test_choose_device(setting: str, count: int, expected: str, noted: bool) -> None:
    placement = choose_device(setting, lambda: count)
    assert placement.device == expected
    assert bool(placement.notes) == noted


def test_a_cuda_runtime_that_cannot_count_is_no_gpu() -> None:
    def broken() -> int:
        raise RuntimeError("CUDA driver version is insufficient")

    assert choose_device("auto", broken).device == "cpu"


def test_compute_types() -> None:
    assert ct2_compute_type("cpu", "int8", "mt5", CPU_TYPES) == "int8"
    assert ct2_compute_type("cpu", "int8", "marian", CPU_TYPES) == "int8"
    # T5 family: bfloat16 activations (float16 overflows); without bfloat16 support, float32 activations.
    assert ct2_compute_type("cuda", "int8", "mt5", GPU_TYPES) == "int8_bfloat16"
    assert ct2_compute_type("cuda", "int8", "mt5", GPU_TYPES - {"int8_bfloat16"}) == "int8_float32"
    assert ct2_compute_type("cuda", "float16", "t5", GPU_TYPES) == "bfloat16"
    assert ct2_compute_type("cuda", "int8", "marian", GPU_TYPES) == "int8_float16"
    assert ct2_compute_type("cuda", "float32", "marian", GPU_TYPES) == "float32"


@pytest.fixture
def converted(tiny_models: dict[str, Path], tmp_path: Path) -> Path:
    folder = Path(shutil.copytree(tiny_models["summary"], tmp_path / "mt5"))
    spec = ModelSpec.from_entry("summary", make_settings(summary_model=str(folder)).models.roles["summary"])
    convert(spec)
    return folder


def _load(folder: Path, device: str) -> Seq2SeqModel:
    spec = ModelSpec.from_entry("summary", make_settings(summary_model=str(folder)).models.roles["summary"])
    return Seq2SeqModel(spec, load_prompt(HOME / "prompts", spec.prompt), 1, device)


@pytest.mark.models
def test_auto_without_a_gpu_runs_on_the_cpu_in_int8(converted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(device_module, "ct2_cuda_devices", lambda: calls.append(1) or 0)
    monkeypatch.setattr("service.models.seq2seq.ct2_cuda_devices", device_module.ct2_cuda_devices)
    model = _load(converted, "auto")
    assert calls and model.device == "cpu" and model.backend == "ctranslate2-int8" and not model.notes
    assert "@cuda" not in model.identity and model.generate(["مرحبا بالعالم"])[0]


@pytest.mark.models
def test_cuda_asked_without_a_gpu_falls_back_to_the_cpu_and_says_so(
    converted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("service.models.seq2seq.ct2_cuda_devices", lambda: 0)
    model = _load(converted, "cuda")
    assert model.device == "cpu" and any("no CUDA device" in n for n in model.notes)
    assert model.generate(["مرحبا بالعالم"])[0]


@pytest.mark.models
def test_a_visible_gpu_is_chosen_with_the_t5_compute_type(converted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a CUDA host would get: the translator is asked for device cuda and int8_bfloat16 (mT5)."""
    import ctranslate2

    asked: dict[str, object] = {}

    class Recorder:
        def __init__(self, path: str, **kwargs: object) -> None:
            asked.update(kwargs, path=path)

    monkeypatch.setattr("service.models.seq2seq.ct2_cuda_devices", lambda: 1)
    monkeypatch.setattr("service.models.seq2seq.ct2_supported", lambda device: GPU_TYPES)
    monkeypatch.setattr(ctranslate2, "Translator", Recorder)
    model = _load(converted, "auto")
    assert asked["device"] == "cuda" and asked["compute_type"] == "int8_bfloat16"
    assert model.backend == "ctranslate2-int8_bfloat16" and "@cuda" in model.identity


@pytest.mark.models
def test_the_setting_reaches_the_model_through_the_runtime(converted: Path) -> None:
    rt = build_runtime(summary_model=str(converted), translation_model="/nope", models_device="cpu")
    assert rt.settings.models.device == "cpu"
    rt.models.ensure("summary")
    assert summarizer_of(rt).model.device == "cpu"
