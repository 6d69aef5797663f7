"""A per-request deadline that blocking steps check, so a slow digest stops instead of holding its slot."""

from __future__ import annotations

import time

from service.errors import DigestTimeout


class Deadline:
    """Monotonic time by which a digest must be done."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.at - time.monotonic())

    def check(self, step: str) -> None:
        """Raise DigestTimeout when the time is up, naming the step that could not start or finish."""
        if time.monotonic() >= self.at:
            raise DigestTimeout(
                f"the digest did not finish within {self.seconds:g} s (limits.request_timeout_seconds); it stopped "
                f"at: {step}. Retry later, shorten the article, or ask for less (options.translate)."
            )
