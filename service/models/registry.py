"""The models a process holds: loaded once (at start-up or on first use), shared by every request."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import structlog

from service.config import Settings
from service.models.prompts import load_prompt
from service.models.seq2seq import ROLES, ModelSpec, Role, Seq2SeqModel, load_specs
from service.summary.abstractive import Seq2SeqSummarizer
from service.translation.seq2seq import Seq2SeqTranslator

log = structlog.get_logger(__name__)


@dataclass
class ModelStatus:
    """Where one role's model stands, in words an operator can act on."""

    state: str  # "loaded", "not loaded yet", "failed", "off"
    model: str
    detail: str = ""

    @property
    def available(self) -> bool:
        return self.state == "loaded"


class ModelRegistry:
    """Holds the summary and translation models; a load failure leaves that role degraded, never the app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.specs: dict[Role, ModelSpec] = load_specs(settings)
        self.summarizer: Seq2SeqSummarizer | None = None
        self.translator: Seq2SeqTranslator | None = None
        self.status: dict[Role, ModelStatus] = {}
        self.load_counts: dict[Role, int] = dict.fromkeys(ROLES, 0)
        self._lock = threading.Lock()
        for role, spec in self.specs.items():
            state = "off" if settings.models.load == "off" else "not loaded yet"
            self.status[role] = ModelStatus(state, spec.model, "models.load is off" if state == "off" else "")

    def load_all(self) -> None:
        """Load every role now (blocking: call it from a worker thread)."""
        for role in ROLES:
            self.ensure(role)

    def ensure(self, role: Role) -> None:
        """Load a role's model if it is not loaded and has not failed; safe from many threads."""
        if self.status[role].state != "not loaded yet":
            return
        with self._lock:
            if self.status[role].state != "not loaded yet":
                return
            spec = self.specs[role]
            try:
                prompt = load_prompt(self.settings.resolve(self.settings.models.prompts_dir), spec.prompt)
                model = Seq2SeqModel(spec, prompt, self.settings.models.threads)
            except Exception as exc:  # any failure to load leaves the role degraded, with the reason
                self.status[role] = ModelStatus("failed", spec.model, _explain(spec, exc))
                log.warning("model not loaded", role=role, model=spec.model, reason=self.status[role].detail)
                return
            self.load_counts[role] += 1
            if role == "summary":
                self.summarizer = Seq2SeqSummarizer(model, self.settings.models.batch_window_ms)
            else:
                self.translator = Seq2SeqTranslator(
                    model, self.settings.models.batch_window_ms, self.settings.models.translation_cache_entries
                )
            self.status[role] = ModelStatus("loaded", spec.model, "; ".join([model.identity, *model.notes]))
            log.info("model loaded", role=role, model=spec.model)

    def identities(self) -> dict[str, str | None]:
        """Loaded model identities by role (None where a role has no model): part of the digest id."""
        return {
            "summary": self.summarizer.identity if self.summarizer else None,
            "translation": self.translator.identity if self.translator else None,
        }


def _explain(spec: ModelSpec, exc: Exception) -> str:
    reason = " ".join(str(exc).split())[:300] or type(exc).__name__
    if not spec.is_local and isinstance(exc, OSError):
        # transformers' own text talks of connecting to the hub; serving never connects.
        reason = "not in the local Hugging Face cache, and serving never downloads"
    if spec.is_local:
        hint = f"check that the folder {spec.model} holds a saved seq2seq checkpoint (config, weights, tokenizer)"
    else:
        hint = "run `khulasa models pull` (needs network to the model hub) or point the role at a local folder"
    env = "KHULASA_SUMMARY_MODEL" if spec.role == "summary" else "KHULASA_TRANSLATION_MODEL"
    return f"{spec.model} could not be loaded ({type(exc).__name__}: {reason}); {hint}, e.g. with {env}"
