"""Loading and running any AutoModelForSeq2SeqLM checkpoint, by hub id or local folder."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, cast

import msgspec

from service.config import ModelEntry
from service.deadline import Deadline
from service.models.device import (
    Placement,
    choose_device,
    ct2_compute_type,
    ct2_cuda_devices,
    ct2_supported,
    torch_cuda_devices,
)
from service.models.pieces import PieceTokenizer, lean_tokenizer
from service.models.prompts import Prompt
from service.models.vocabulary import VMAP_FILE, model_vocabulary, vocabulary_map_identity, write_vocabulary_map


@dataclass(frozen=True)
class ModelSpec:
    """One role's checkpoint, prompt and generation settings, as config/models.toml gives them."""

    role: str
    model: str
    prompt: str
    revision: str = "main"
    licence: str = ""
    max_input_tokens: int = 512
    batch_size: int = 8
    generation: dict[str, Any] = field(default_factory=dict)
    backend: Literal["transformers", "ctranslate2"] = "transformers"
    # ctranslate2: "int8", "int8_float32", "float32"...; transformers: "none" or "dynamic-int8".
    quantization: str = "none"
    # Translation: longer sentences are split at clauses into pieces of at most this many tokens, so that
    # each piece's English fits in max_new_tokens (0: the model's input limit).
    max_piece_tokens: int = 0
    # CTranslate2: score only the pieces of the vocabulary map written by `convert` (see vocabulary.py).
    vocabulary_map: bool = False
    vocabulary_map_script: Literal["arabic", "latin"] = "arabic"
    threads: int = 0  # 0: the models' shared setting
    parallel_batches: int = 1  # CTranslate2's inter_threads

    @classmethod
    def from_entry(cls, role: str, entry: ModelEntry) -> ModelSpec:
        """The spec of a profile entry (validated when the settings were loaded)."""
        return cls(role=role, **msgspec.structs.asdict(entry))

    @property
    def is_local(self) -> bool:
        """A folder on disk rather than a hub id."""
        return self.model.startswith(("/", "./", "../", "~")) or Path(self.model).expanduser().is_dir()


def _folder_fingerprint(folder: Path) -> str:
    """Changes when the config or the weights in a folder change."""
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        if p.is_file():
            h.update(p.name.encode())
            stat = p.stat()
            # Size and modification time: retrained weights of the same shape are another model.
            h.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
            if p.suffix == ".json":
                h.update(p.read_bytes())
    return h.hexdigest()[:12]


class Checkpoint(Protocol):
    """What locates a checkpoint: a hub id (with a revision) or a local folder."""

    @property
    def model(self) -> str: ...

    @property
    def revision(self) -> str: ...

    @property
    def is_local(self) -> bool: ...


def source_folder(spec: Checkpoint) -> Path:
    """The folder holding the checkpoint (any role's): the given folder, or the hub snapshot already in the
    local cache."""
    if spec.is_local:
        folder = Path(spec.model).expanduser().resolve()
        if not folder.is_dir():
            raise FileNotFoundError(f"model folder {folder} does not exist")
        return folder
    from huggingface_hub import snapshot_download

    # Serving never downloads: `khulasa models pull` fills the cache beforehand.
    return Path(snapshot_download(spec.model, revision=spec.revision, local_files_only=True))


def converted_folder(source: Path, quantization: str) -> Path:
    """Where `khulasa models convert` puts the CTranslate2 model: next to the checkpoint it came from."""
    return source / f"ctranslate2-{quantization}"


def convert(spec: ModelSpec, force: bool = False) -> Path:
    """Convert a checkpoint to CTranslate2 with the spec's quantization, and write its vocabulary map when the
    spec asks for one (also for a model converted earlier without it); returns the output folder."""
    from ctranslate2.converters import TransformersConverter

    source = source_folder(spec)
    out = converted_folder(source, spec.quantization)
    if force or not (out / "model.bin").exists():
        TransformersConverter(str(source)).convert(str(out), quantization=spec.quantization, force=True)
    if spec.vocabulary_map:
        # Rewritten when the script asked for changed (the map's fingerprint is in the identity either way).
        write_vocabulary_map(out, _special_tokens(source), spec.vocabulary_map_script)
    return out


def vocabulary_map_size(folder: Path) -> int:
    """How many pieces the vocabulary map in a converted model's folder keeps (0: no map)."""
    path = folder / VMAP_FILE
    if not path.exists():
        return 0
    return len(path.read_text(encoding="utf-8").split("\t", 1)[-1].split())


def _special_tokens(source: Path) -> list[str]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source)
    return [str(t) for t in tokenizer.all_special_tokens]


class Seq2SeqModel:
    """A loaded tokenizer and model; one generate call at a time so inference does not oversubscribe cores.

    The backend (spec.backend) is transformers (fp32, or dynamic int8 with quantization = "dynamic-int8") or
    CTranslate2 (int8 by default, converted beforehand with `khulasa models convert`). When CTranslate2 is
    asked for but not installed or not converted, transformers runs instead and `notes` says why.
    """

    def __init__(self, spec: ModelSpec, prompt: Prompt, threads: int, device: str = "cpu") -> None:
        self.spec = spec
        self.prompt = prompt
        self.threads = threads  # what the backend computes with
        self.notes: list[str] = []
        folder = source_folder(spec)
        config = _read_config(folder)
        self.backend = "transformers"
        self.device = "cpu"
        self.model: Any = None  # the transformers model, when that backend runs
        self.tokenizer: Any = None  # transformers' tokenizer, unless CTranslate2 runs with a lean one
        self._pieces: PieceTokenizer | None = None
        self._ct2: Any = None  # the CTranslate2 translator, when that backend runs
        self._use_vmap = False
        self.parallel_batches = 1  # batches run at once (CTranslate2 only; transformers runs one at a time)
        vmap_key = ""
        # Only one backend's weights are ever loaded, and one tokenizer per model.
        if spec.backend == "ctranslate2":
            self._ct2 = self._load_ct2(folder, threads, device, str(config.get("model_type", "")))
            if self._ct2 is not None:
                vmap_key = self._vmap_key(folder)
                converted = converted_folder(folder, spec.quantization)
                self._pieces = lean_tokenizer(folder, config, model_vocabulary(converted, "source"))
        if self._pieces is None:
            from transformers import AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(folder)
        if self._ct2 is None:
            self.model = self._load_transformers(folder, threads, device)
        name, version = (str(folder), _folder_fingerprint(folder)) if spec.is_local else (spec.model, folder.name)
        settings_key = json.dumps(spec.generation, sort_keys=True) + str(spec.max_input_tokens)
        # The identity names what changes outputs: checkpoint, backend and number format (and the device when
        # it is not the CPU), the vocabulary map, the prompt and the generation settings.
        self.identity = (
            f"{name}@{version}|{self.backend}{'' if self.device == 'cpu' else '@' + self.device}{vmap_key}"
            f"|prompt:{prompt.identity}|gen:{hashlib.sha256(settings_key.encode()).hexdigest()[:8]}"
        )
        # Learned position tables (Marian) cap both input and output length; relative ones (T5) do not.
        positions = config.get("max_position_embeddings")
        limits = [spec.max_input_tokens, positions]
        tok_limit = getattr(self.tokenizer, "model_max_length", None) if self.tokenizer else _max_length(folder)
        if isinstance(tok_limit, int) and tok_limit < 10**6:
            limits.append(tok_limit)
        self.input_limit: int = min(x for x in limits if x)
        self.output_limit: int | None = (positions - 1) if positions else None
        # Fast (Rust) tokenizers may not be used from two threads at once ("Already borrowed").
        self._tokenizer_lock = threading.Lock()
        self._lock = threading.Lock()  # transformers: one generate call at a time (CTranslate2 queues its own)

    def _vmap_key(self, folder: Path) -> str:
        if not self.spec.vocabulary_map:
            return ""
        fingerprint = vocabulary_map_identity(converted_folder(folder, self.spec.quantization))
        if fingerprint is None:
            self.notes.append(
                "vocabulary_map is on but the converted model has no vmap.txt (run `khulasa models convert`): "
                "generating over the whole vocabulary"
            )
            return ""
        self._use_vmap = True
        return f"|vmap:{fingerprint}"

    def _place(self, setting: str, count: Any) -> Placement:
        placement = choose_device(setting, count)
        self.notes.extend(placement.notes)
        return placement

    def _load_transformers(self, folder: Path, threads: int, device: str) -> Any:
        import torch
        from transformers import AutoModelForSeq2SeqLM

        torch.set_num_threads(threads)
        model = AutoModelForSeq2SeqLM.from_pretrained(folder)
        model.eval()
        if self.spec.quantization == "dynamic-int8":
            # Torch's dynamic quantisation runs on the CPU only.
            model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
            self.backend = "transformers-dynamic-int8"
            return model
        # fp32 on a GPU too: T5-family activations overflow float16.
        self.device = self._place(device, torch_cuda_devices).device
        if self.device == "cuda":
            model = model.to("cuda")
        return model

    def _load_ct2(self, folder: Path, threads: int, device: str, model_type: str) -> Any:
        try:
            import ctranslate2
        except ImportError:
            self.notes.append("ctranslate2 is not installed (pip install 'khulasa[ct2]'): using transformers")
            return None
        out = converted_folder(folder, self.spec.quantization)
        if not (out / "model.bin").exists():
            self.notes.append(f"no CTranslate2 model in {out} (run `khulasa models convert`): using transformers")
            return None
        placement = self._place(device, ct2_cuda_devices)
        supported = ct2_supported(placement.device)
        compute = ct2_compute_type(placement.device, self.spec.quantization, model_type, supported)
        # inter_threads: batches at once, sharing one copy of the weights.
        translator = ctranslate2.Translator(
            str(out),
            device=placement.device,
            compute_type=compute,
            inter_threads=self.spec.parallel_batches,
            intra_threads=threads,
        )
        self.parallel_batches = self.spec.parallel_batches
        self.device, self.backend = placement.device, f"ctranslate2-{compute}"
        return translator

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text takes as model input, prompt and special tokens included."""
        if self._pieces is not None:
            return [len(p) for p in self._pieces.encode([self.prompt.render(t) for t in texts])]
        with self._tokenizer_lock:
            ids = self.tokenizer([self.prompt.render(t) for t in texts], add_special_tokens=True)["input_ids"]
        return [len(x) for x in ids]

    def generate(self, texts: Sequence[str], deadline: Deadline | None = None, **overrides: Any) -> list[str]:
        """Generate one output per input; callers keep inputs within `input_limit` (see count_tokens),
        so truncation is a guard that never cuts in practice. A generation the deadline cut short is
        refused (DigestTimeout), never returned."""
        settings = {**self.spec.generation, **overrides}
        if self.output_limit:
            for key in ("max_new_tokens", "max_length", "min_new_tokens"):
                if key in settings:
                    settings[key] = min(int(settings[key]), self.output_limit)
        if deadline is not None:
            deadline.check("model generation")
        if self.backend.startswith("ctranslate2"):
            # CTranslate2 runs concurrent calls on its own workers (inter_threads), queueing beyond them.
            out = self._generate_ct2(texts, settings)
        else:
            with self._lock:
                out = self._generate_transformers(texts, settings, deadline)
        if deadline is not None:
            deadline.check("model generation")
        return out

    def _generate_transformers(
        self, texts: Sequence[str], settings: dict[str, Any], deadline: Deadline | None
    ) -> list[str]:
        import torch

        if deadline is not None:
            settings["max_time"] = deadline.remaining()  # transformers stops generating at max_time
        with self._tokenizer_lock:
            batch = self.tokenizer(
                [self.prompt.render(t) for t in texts],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.input_limit,
            )
        if self.device != "cpu":
            batch = batch.to(self.device)
        with torch.inference_mode():
            out = self.model.generate(**batch, **settings)
        with self._tokenizer_lock:
            return [s.strip() for s in self.tokenizer.batch_decode(out, skip_special_tokens=True)]

    def _generate_ct2(self, texts: Sequence[str], settings: dict[str, Any]) -> list[str]:
        pieces = self._ct2_pieces(texts, settings)
        if self._pieces is not None:
            return self._pieces.decode(pieces)
        with self._tokenizer_lock:
            out_ids = [cast(list[int], self.tokenizer.convert_tokens_to_ids(p)) for p in pieces]
            return [s.strip() for s in self.tokenizer.batch_decode(out_ids, skip_special_tokens=True)]

    def generate_pieces(self, texts: Sequence[str], **overrides: Any) -> list[list[str]]:
        """The output pieces CTranslate2 chose for each text, before decoding (to inspect the vocabulary map)."""
        if self._ct2 is None:
            raise RuntimeError("generate_pieces needs the CTranslate2 backend")
        return self._ct2_pieces(texts, {**self.spec.generation, **overrides})

    def input_pieces(self, texts: Sequence[str]) -> list[list[str]]:
        """The pieces the model reads for each text (prompt and end-of-sequence included), within input_limit."""
        rendered = [self.prompt.render(t) for t in texts]
        if self._pieces is not None:
            return [p[: self.input_limit] for p in self._pieces.encode(rendered)]
        with self._tokenizer_lock:
            ids = self.tokenizer(rendered, add_special_tokens=True)["input_ids"]
            return [self.tokenizer.convert_ids_to_tokens(x[: self.input_limit]) for x in ids]

    def _ct2_pieces(self, texts: Sequence[str], settings: dict[str, Any]) -> list[list[str]]:
        tokens = self.input_pieces(texts)
        max_len = settings.get("max_new_tokens") or settings.get("max_length") or 256
        results = self._ct2.translate_batch(
            tokens,
            beam_size=int(settings.get("num_beams", 1)),
            max_decoding_length=int(max_len),
            min_decoding_length=int(settings.get("min_new_tokens", 1)),
            no_repeat_ngram_size=int(settings.get("no_repeat_ngram_size", 0)),
            length_penalty=float(settings.get("length_penalty", 1.0)),
            max_input_length=0,  # inputs are already within input_limit
            use_vmap=self._use_vmap,
        )
        return [list(r.hypotheses[0]) for r in results]


def _max_length(folder: Path) -> int | None:
    """The tokenizer's model_max_length from tokenizer_config.json, when the lean tokenizer runs."""
    try:
        value = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8")).get("model_max_length")
    except (OSError, ValueError, AttributeError):
        return None
    return int(value) if isinstance(value, (int, float)) else None


def _read_config(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder} has no readable config.json: {exc}") from None
    return data if isinstance(data, dict) else {}
