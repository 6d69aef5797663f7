"""Where a model runs (CPU or a CUDA GPU) and in which number format, per backend.

`models.device = "auto"` picks CUDA when the backend sees a GPU, else the CPU; "cuda" asks for a GPU and
falls back to the CPU, with a note, when none is visible (a role that runs slowly is better than none).

Compute types: int8 on the CPU. On CUDA, int8 weights with 16-bit activations: float16 for most models,
but bfloat16 for the T5 family (T5, mT5, umT5 were trained in bfloat16 and their activations overflow
float16's range: NaNs or a decoder that emits only pad tokens are the known symptoms), falling back to
float32 activations on GPUs without bfloat16 (compute capability below 8.0).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Literal

Device = Literal["cpu", "cuda"]
T5_FAMILY = frozenset({"t5", "mt5", "umt5", "longt5"})


@dataclass(frozen=True)
class Placement:
    """The device chosen for one model and why, in an operator's words when it is not what was asked."""

    device: Device
    notes: list[str] = field(default_factory=list)


def choose_device(setting: str, cuda_devices: Callable[[], int]) -> Placement:
    """The device for `models.device` ("auto", "cpu" or "cuda") given a count of visible CUDA devices."""
    if setting == "cpu":
        return Placement("cpu")
    try:
        count = cuda_devices()
    except Exception:  # a CUDA runtime that cannot even count its devices is no GPU to use
        count = 0
    if count > 0:
        return Placement("cuda")
    if setting == "cuda":
        return Placement("cpu", ["models.device is 'cuda' but no CUDA device is visible: running on the CPU"])
    return Placement("cpu")


def ct2_cuda_devices() -> int:
    """CUDA devices CTranslate2 can use (0 without a GPU or without its CUDA build)."""
    import ctranslate2

    return int(ctranslate2.get_cuda_device_count())


def torch_cuda_devices() -> int:
    """CUDA devices torch can use (0 with the CPU-only wheel the image installs)."""
    import torch

    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def ct2_compute_type(device: Device, quantization: str, model_type: str, supported: Collection[str]) -> str:
    """CTranslate2's compute type for a model converted with `quantization`, on `device`."""
    if device == "cpu":
        return quantization
    t5 = model_type in T5_FAMILY
    if quantization.startswith("int8"):
        wanted = ["int8_bfloat16", "int8_float32"] if t5 else ["int8_float16", "int8_float32"]
    elif quantization in ("float16", "bfloat16"):
        wanted = ["bfloat16", "float32"] if t5 else [quantization, "float32"]
    else:
        wanted = [quantization]
    for compute in wanted:
        if compute in supported:
            return compute
    return wanted[-1]


def ct2_supported(device: Device) -> set[str]:
    """The compute types CTranslate2 supports on this machine's `device`."""
    import ctranslate2

    return set(ctranslate2.get_supported_compute_types(device))
