"""Loading and running any AutoModelForSeq2SeqLM checkpoint, by hub id or local folder."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import msgspec

from service.config import ModelEntry
from service.deadline import Deadline
from service.models.prompts import Prompt


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


def source_folder(spec: ModelSpec) -> Path:
    """The folder holding the checkpoint: the given folder, or the hub snapshot already in the local cache."""
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
    """Convert a checkpoint to CTranslate2 with the spec's quantization; returns the output folder."""
    from ctranslate2.converters import TransformersConverter

    source = source_folder(spec)
    out = converted_folder(source, spec.quantization)
    if out.is_dir() and (out / "model.bin").exists() and not force:
        return out
    TransformersConverter(str(source)).convert(str(out), quantization=spec.quantization, force=True)
    return out


class Seq2SeqModel:
    """A loaded tokenizer and model; one generate call at a time so inference does not oversubscribe cores.

    The backend (spec.backend) is transformers (fp32, or dynamic int8 with quantization = "dynamic-int8") or
    CTranslate2 (int8 by default, converted beforehand with `khulasa models convert`). When CTranslate2 is
    asked for but not installed or not converted, transformers runs instead and `notes` says why.
    """

    def __init__(self, spec: ModelSpec, prompt: Prompt, threads: int) -> None:
        from transformers import AutoTokenizer

        self.spec = spec
        self.prompt = prompt
        self.notes: list[str] = []
        folder = source_folder(spec)
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        config = _read_config(folder)
        self.backend = "transformers"
        self.model: Any = None  # the transformers model, when that backend runs
        if spec.backend == "ctranslate2":
            self._ct2 = self._load_ct2(folder, threads)
            if self._ct2 is not None:
                self.backend = f"ctranslate2-{spec.quantization}"
        if self.backend == "transformers":
            self.model = self._load_transformers(folder, threads)
        name, version = (str(folder), _folder_fingerprint(folder)) if spec.is_local else (spec.model, folder.name)
        settings_key = json.dumps(spec.generation, sort_keys=True) + str(spec.max_input_tokens)
        self.identity = (
            f"{name}@{version}|{self.backend}|prompt:{prompt.identity}"
            f"|gen:{hashlib.sha256(settings_key.encode()).hexdigest()[:8]}"
        )
        # Learned position tables (Marian) cap both input and output length; relative ones (T5) do not.
        positions = config.get("max_position_embeddings")
        limits = [spec.max_input_tokens, positions]
        tok_limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_limit, int) and tok_limit < 10**6:
            limits.append(tok_limit)
        self.input_limit: int = min(x for x in limits if x)
        self.output_limit: int | None = (positions - 1) if positions else None
        # Fast (Rust) tokenizers may not be used from two threads at once ("Already borrowed").
        self._tokenizer_lock = threading.Lock()
        self._lock = threading.Lock()

    def _load_transformers(self, folder: Path, threads: int) -> Any:
        import torch
        from transformers import AutoModelForSeq2SeqLM

        torch.set_num_threads(threads)
        model = AutoModelForSeq2SeqLM.from_pretrained(folder)
        model.eval()
        if self.spec.quantization == "dynamic-int8":
            model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
            self.backend = "transformers-dynamic-int8"
        return model

    def _load_ct2(self, folder: Path, threads: int) -> Any:
        try:
            import ctranslate2
        except ImportError:
            self.notes.append("ctranslate2 is not installed (pip install 'khulasa[ct2]'): using transformers")
            return None
        out = converted_folder(folder, self.spec.quantization)
        if not (out / "model.bin").exists():
            self.notes.append(f"no CTranslate2 model in {out} (run `khulasa models convert`): using transformers")
            return None
        return ctranslate2.Translator(
            str(out), device="cpu", compute_type=self.spec.quantization, inter_threads=1, intra_threads=threads
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text takes as model input, prompt and special tokens included."""
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
        with self._lock:
            if self.backend.startswith("ctranslate2"):
                out = self._generate_ct2(texts, settings)
            else:
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
        with torch.inference_mode():
            out = self.model.generate(**batch, **settings)
        with self._tokenizer_lock:
            return [s.strip() for s in self.tokenizer.batch_decode(out, skip_special_tokens=True)]

    def _generate_ct2(self, texts: Sequence[str], settings: dict[str, Any]) -> list[str]:
        with self._tokenizer_lock:
            ids = self.tokenizer([self.prompt.render(t) for t in texts], add_special_tokens=True)["input_ids"]
            tokens = [self.tokenizer.convert_ids_to_tokens(x[: self.input_limit]) for x in ids]
        max_len = settings.get("max_new_tokens") or settings.get("max_length") or 256
        results = self._ct2.translate_batch(
            tokens,
            beam_size=int(settings.get("num_beams", 1)),
            max_decoding_length=int(max_len),
            min_decoding_length=int(settings.get("min_new_tokens", 1)),
            no_repeat_ngram_size=int(settings.get("no_repeat_ngram_size", 0)),
            length_penalty=float(settings.get("length_penalty", 1.0)),
            max_input_length=0,  # inputs are already within input_limit
        )
        with self._tokenizer_lock:
            out_ids = [cast(list[int], self.tokenizer.convert_tokens_to_ids(r.hypotheses[0])) for r in results]
            return [s.strip() for s in self.tokenizer.batch_decode(out_ids, skip_special_tokens=True)]


def _read_config(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder} has no readable config.json: {exc}") from None
    return data if isinstance(data, dict) else {}
