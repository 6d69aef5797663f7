"""A per-request deadline that blocking steps check, so a slow digest stops instead of holding its slot."""

from __future__ import annotations

import time

from service.errors import DigestTimeout


class Deadline:
    """Monotonic time by which a digest must be done; cancelled early when its caller goes away."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.cancelled: str | None = None

    def remaining(self) -> float:
        """Seconds left (never negative; zero once cancelled)."""
        return 0.0 if self.cancelled else max(0.0, self.at - time.monotonic())

    def cancel(self, reason: str) -> None:
        """Stop the work at its next check: the caller will not read the result."""
        self.cancelled = reason

    def check(self, step: str) -> None:
        """Raise DigestTimeout when the time is up (or the work was cancelled), naming the step."""
        if self.cancelled:
            raise DigestTimeout(f"the digest was stopped at: {step} ({self.cancelled})")
        if time.monotonic() >= self.at:
            raise DigestTimeout(
                f"the digest did not finish within {self.seconds:g} s (limits.request_timeout_seconds); it stopped "
                f"at: {step}. Retry later, shorten the article, or ask for less (options.translate)."
            )
