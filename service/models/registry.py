"""The models a process holds, by role: loaded once (at start-up or on first use), shared by every request.

The registry knows no product roles: the composition root hands it a table of roles, each a name and a
loader that turns the profile's entry into an object typed by that role's protocol. Adding a role is one
entry in that table, not a branch here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import structlog

from service.config import ModelEntry, Settings
from service.metrics import MODEL_LOADS

log = structlog.get_logger(__name__)


class Identified(Protocol):
    """Anything a role loads names its model and version: part of every digest id."""

    @property
    def identity(self) -> str: ...


T = TypeVar("T", bound=Identified)


@dataclass(frozen=True)
class ModelRole(Generic[T]):
    """One model role: its name in config/models.toml, what it is for, and how its entry is loaded."""

    name: str
    purpose: str  # in an operator's words, for /health/ready and `khulasa models status`
    load: Callable[[ModelEntry, Settings], T]


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
    """Holds one loaded object per role; a load failure leaves that role degraded, never the process."""

    def __init__(self, settings: Settings, roles: Sequence[ModelRole[Any]]) -> None:
        self.settings = settings
        self.roles = {role.name: role for role in roles}
        self.status: dict[str, ModelStatus] = {}
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()
        for role in roles:
            entry = settings.models.roles.get(role.name)
            if entry is None:
                self.status[role.name] = ModelStatus(
                    "off", "", f"profile {settings.models.profile!r} names no {role.name} model"
                )
            elif settings.models.load == "off":
                self.status[role.name] = ModelStatus("off", entry.model, "models.load is off")
            else:
                self.status[role.name] = ModelStatus("not loaded yet", entry.model)

    def get(self, role: ModelRole[T]) -> T | None:
        """The role's loaded object, or None when it is not loaded (off, failed, or lazy and not yet used)."""
        loaded: T | None = self._loaded.get(role.name)
        return loaded

    def load_all(self) -> None:
        """Load every role now (blocking: call it from a worker thread)."""
        for name in self.roles:
            self.ensure(name)

    def ensure(self, name: str) -> None:
        """Load a role's model if it is not loaded and has not failed; safe from many threads."""
        if self.status[name].state != "not loaded yet":
            return
        with self._lock:
            if self.status[name].state != "not loaded yet":
                return
            role, entry = self.roles[name], self.settings.models.roles[name]
            try:
                loaded = role.load(entry, self.settings)
            except Exception as exc:  # any failure to load leaves the role degraded, with the reason
                self.status[name] = ModelStatus("failed", entry.model, _explain(name, entry, exc))
                MODEL_LOADS.labels(name, "failed").inc()
                log.warning("model not loaded", role=name, model=entry.model, reason=self.status[name].detail)
                return
            self._loaded[name] = loaded
            notes = getattr(loaded, "notes", [])
            self.status[name] = ModelStatus("loaded", entry.model, "; ".join([loaded.identity, *notes]))
            MODEL_LOADS.labels(name, "loaded").inc()
            log.info("model loaded", role=name, model=entry.model)

    def identities(self) -> dict[str, str | None]:
        """The loaded model identity of every role (None where a role has no model): part of the digest id."""
        return {name: (self._loaded[name].identity if name in self._loaded else None) for name in self.roles}

    def close(self) -> None:
        """Stop what the loaded models run in the background (micro-batcher threads)."""
        for loaded in self._loaded.values():
            close = getattr(loaded, "close", None)
            if callable(close):
                close()


def _explain(role: str, entry: ModelEntry, exc: Exception) -> str:
    from pathlib import Path

    local = entry.model.startswith(("/", "./", "../", "~")) or Path(entry.model).expanduser().is_dir()
    reason = " ".join(str(exc).split())[:300] or type(exc).__name__
    if not local and isinstance(exc, OSError):
        # transformers' own text talks of connecting to the hub; serving never connects.
        reason = "not in the local Hugging Face cache, and serving never downloads"
    if local:
        hint = f"check that the folder {entry.model} holds a saved checkpoint (config, weights, tokenizer)"
    else:
        hint = "run `khulasa models pull` (needs network to the model hub) or point the role at a local folder"
    env = f"KHULASA_{role.upper()}_MODEL"
    return f"{entry.model} could not be loaded ({type(exc).__name__}: {reason}); {hint}, e.g. with {env}"
