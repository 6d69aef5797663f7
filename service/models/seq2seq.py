"""Loading and running any AutoModelForSeq2SeqLM checkpoint, by hub id or local folder."""

from __future__ import annotations

import hashlib
import json
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from service.config import Settings
from service.deadline import Deadline
from service.models.prompts import Prompt

Role = Literal["summary", "translation"]
ROLES: tuple[Role, ...] = ("summary", "translation")


@dataclass(frozen=True)
class ModelSpec:
    """One role's checkpoint, prompt and generation settings, as config/models.toml gives them."""

    role: Role
    model: str
    prompt: str
    revision: str = "main"
    licence: str = ""
    max_input_tokens: int = 512
    batch_size: int = 8
    generation: dict[str, Any] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        """A folder on disk rather than a hub id."""
        return self.model.startswith(("/", "./", "../", "~")) or Path(self.model).expanduser().is_dir()


def load_specs(settings: Settings) -> dict[Role, ModelSpec]:
    """The chosen profile's specs, with KHULASA_SUMMARY_MODEL / KHULASA_TRANSLATION_MODEL applied."""
    path = settings.resolve(settings.models.profiles_file)
    with path.open("rb") as f:
        profiles = tomllib.load(f).get("profiles", {})
    if settings.models.profile not in profiles:
        raise ValueError(f"models.profile {settings.models.profile!r} is not in {path}: {', '.join(profiles)}")
    specs: dict[Role, ModelSpec] = {}
    for role in ROLES:
        raw = dict(profiles[settings.models.profile][role])
        override = getattr(settings.models, role)
        if override:
            raw["model"] = override
            raw["revision"] = "main"
        specs[role] = ModelSpec(role=role, **raw)
    return specs


def _folder_fingerprint(folder: Path) -> str:
    """Changes when the config or the weights in a folder change."""
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        if p.is_file():
            h.update(p.name.encode())
            h.update(str(p.stat().st_size).encode())
            if p.suffix == ".json":
                h.update(p.read_bytes())
    return h.hexdigest()[:12]


class Seq2SeqModel:
    """A loaded tokenizer and model; one generate call at a time so torch does not oversubscribe cores."""

    def __init__(self, spec: ModelSpec, prompt: Prompt, threads: int) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        torch.set_num_threads(threads)
        self.spec = spec
        self.prompt = prompt
        source: str | Path = spec.model
        kwargs: dict[str, Any] = {}
        if spec.is_local:
            source = Path(spec.model).expanduser().resolve()
            if not source.is_dir():
                raise FileNotFoundError(f"model folder {source} does not exist")
        else:
            # Serving never downloads: `khulasa models pull` fills the cache beforehand.
            kwargs = {"revision": spec.revision, "local_files_only": True}
        self.tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(source, **kwargs)
        self.model.eval()
        config = self.model.config
        if isinstance(source, Path):
            version = _folder_fingerprint(source)
            name = str(source)
        else:
            version = getattr(config, "_commit_hash", None) or spec.revision
            name = spec.model
        settings_key = json.dumps(spec.generation, sort_keys=True) + str(spec.max_input_tokens)
        self.identity = (
            f"{name}@{version}|prompt:{prompt.identity}|gen:{hashlib.sha256(settings_key.encode()).hexdigest()[:8]}"
        )
        # Learned position tables (Marian) cap both input and output length; relative ones (T5) do not.
        positions = getattr(config, "max_position_embeddings", None)
        limits = [spec.max_input_tokens, positions]
        tok_limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_limit, int) and tok_limit < 10**6:
            limits.append(tok_limit)
        self.input_limit = min(x for x in limits if x)
        self.output_limit = (positions - 1) if positions else None
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text takes as model input, prompt and special tokens included."""
        ids = self.tokenizer([self.prompt.render(t) for t in texts], add_special_tokens=True)["input_ids"]
        return [len(x) for x in ids]

    def generate(self, texts: Sequence[str], deadline: Deadline | None = None, **overrides: Any) -> list[str]:
        """Generate one output per input; callers keep inputs within `input_limit` (see count_tokens),
        so the tokenizer's truncation is a guard that never cuts in practice."""
        import torch

        settings = {**self.spec.generation, **overrides}
        if deadline is not None:
            deadline.check("model generation")
            # transformers stops generating at max_time; a cut-off output is then refused, never returned.
            settings["max_time"] = deadline.remaining()
        if self.output_limit:
            for key in ("max_new_tokens", "max_length"):
                if key in settings:
                    settings[key] = min(int(settings[key]), self.output_limit)
        with self._lock, torch.inference_mode():
            batch = self.tokenizer(
                [self.prompt.render(t) for t in texts],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.input_limit,
            )
            out = self.model.generate(**batch, **settings)
        if deadline is not None:
            deadline.check("model generation")
        return [s.strip() for s in self.tokenizer.batch_decode(out, skip_special_tokens=True)]
