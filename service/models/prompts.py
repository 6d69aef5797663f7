"""Versioned task templates from prompts/: what each model family is given."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Prompt:
    """A template with a `{text}` slot; its version is part of every digest id."""

    name: str
    version: str
    template: str

    @property
    def identity(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, text: str) -> str:
        """The model input for one text."""
        return self.template.replace("{text}", text)


def load_prompt(root: Path, name: str) -> Prompt:
    """Read prompts/<name>.toml; raise ValueError naming the file when it is missing or malformed."""
    path = root / f"{name}.toml"
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
        version, template = str(data["version"]), str(data["template"])
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise ValueError(f"prompt {name!r} ({path}) is missing or malformed: {exc}") from None
    if "{text}" not in template:
        raise ValueError(f"prompt {name!r} ({path}) has no {{text}} slot")
    return Prompt(name, version, template)
