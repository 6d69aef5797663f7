"""Admission: a bounded number of digests computed at once, each slot held until its work really ends.

A digest's blocking steps run in worker threads. A thread cannot be stopped from outside, so a caller that
gives up (deadline, disconnect) cancels the run's deadline (the thread stops at its next check) and the slot
comes back when the last thread of the lease ends, exactly once, whoever ends last.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
import anyio.to_thread

from service.deadline import Deadline
from service.errors import DigestTimeout, Overloaded
from service.metrics import DIGESTS_IN_FLIGHT

R = TypeVar("R")
A = TypeVar("A")

# A step that overruns its deadline is waited for this much longer before the caller answers 504.
GRACE_SECONDS = 5.0


class Slots:
    """A bounded count of digests being computed."""

    def __init__(self, size: int, retry_after_seconds: int) -> None:
        self.size = size
        self.retry_after = retry_after_seconds
        self.used = 0
        self._lock = threading.Lock()

    def _try_acquire(self) -> bool:
        with self._lock:
            if self.used >= self.size:
                return False
            self.used += 1
        DIGESTS_IN_FLIGHT.inc()
        return True

    def _release(self) -> None:
        with self._lock:
            self.used -= 1
        DIGESTS_IN_FLIGHT.dec()

    @asynccontextmanager
    async def admit(self, deadline: Deadline) -> AsyncIterator[Lease]:
        """A slot for one digest, or 503 (Overloaded) with Retry-After when all are taken."""
        if not self._try_acquire():
            raise Overloaded(
                f"{self.size} digests are already being computed (limits.max_in_flight); retry in {self.retry_after} s",
                headers={"Retry-After": str(self.retry_after)},
            )
        lease = Lease(self, deadline)
        try:
            yield lease
        finally:
            lease.close()


class Lease:
    """One admitted digest: runs its blocking steps in threads; gives the slot back once, when all is done."""

    def __init__(self, slots: Slots, deadline: Deadline) -> None:
        self._slots = slots
        self.deadline = deadline
        self._lock = threading.Lock()
        self._threads = 0
        self._closed = False
        self._released = False

    def _release_if_done(self) -> None:  # under self._lock
        if self._closed and self._threads == 0 and not self._released:
            self._released = True
            self._slots._release()

    def close(self) -> None:
        """The caller is done with the lease; the slot is freed now, or when its last thread ends."""
        with self._lock:
            self._closed = True
            self._release_if_done()

    async def run(self, step: Callable[[A], R], arg: A) -> R:
        """Run a blocking step in a worker thread within the deadline; 504 when it cannot finish."""
        state = {"started": False, "abandoned": False}
        with self._lock:
            self._threads += 1

        def work() -> R:
            with self._lock:
                if state["abandoned"]:
                    raise DigestTimeout("the digest was abandoned before it started")
                state["started"] = True
            try:
                return step(arg)
            finally:
                with self._lock:
                    self._threads -= 1
                    self._release_if_done()

        try:
            with anyio.fail_after(self.deadline.remaining() + GRACE_SECONDS):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except BaseException as exc:
            # The caller stops waiting: the thread stops at its next deadline check. One that never started
            # will not run at all, so its count is given back here (the lock decides who does it).
            self.deadline.cancel("the caller stopped waiting")
            with self._lock:
                if not state["started"]:
                    state["abandoned"] = True
                    self._threads -= 1
                    self._release_if_done()
            if isinstance(exc, TimeoutError):
                raise DigestTimeout(
                    f"the digest did not finish within {self.deadline.seconds:g} s "
                    "(limits.request_timeout_seconds); retry later or ask for less (options.translate)"
                ) from None
            raise
