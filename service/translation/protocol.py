"""What every translator offers: Arabic texts in, English texts out, one for one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from service.deadline import Deadline


class Translator(Protocol):
    """Translates Arabic to English; returns exactly one translation per input, in order."""

    @property
    def identity(self) -> str:
        """Names the model and version: part of the digest id."""
        ...

    def translate(self, texts: Sequence[str], deadline: Deadline | None = None, ahead: bool = False) -> list[str]:
        """Translate each text; blocking, so callers run it off the event loop; stops at the deadline.
        `ahead`: translated before anyone waits for it (urgent work goes first)."""
        ...
