"""Cross-request micro-batching and a sentence-level translation cache.

Concurrent digests each bring a few sentences; one model call over all of them costs little more than a
call over one digest's, so sentences wait a few milliseconds for company before the model runs.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Protocol

from service.deadline import Deadline
from service.metrics import MODEL_BATCH_SIZE, MODEL_CALL_SECONDS, SENTENCE_CACHE


class Generator(Protocol):
    def generate(self, texts: Sequence[str], deadline: Deadline | None = None) -> list[str]: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


@dataclass
class _Item:
    text: str
    length: int
    deadline: Deadline | None
    future: Future[str] = field(default_factory=Future)


class MicroBatcher:
    """Worker threads feed the model batches of up to `max_batch` texts, gathered from every caller for at
    most `window_ms`, sorted by length so padding stays small. With `workers` > 1 that many batches run at
    once (the model must allow it: CTranslate2 with as many `inter_threads`), so a short request that arrives
    while a long batch runs need not wait for it.

    Work is urgent (someone waits for it now: the default) or ahead of need (`ahead=True`: a digest
    translating its article while its summary is written). Urgent work always goes first, and with `workers`
    > 1 work ahead of need holds at most `workers - 1` of them, so one is free the moment urgent work comes."""

    def __init__(
        self, model: Generator, max_batch: int, window_ms: float, role: str = "model", workers: int = 1
    ) -> None:
        self.model = model
        self.max_batch = max(1, max_batch)
        self.window = max(0.0, window_ms) / 1000
        self.role = role  # the metrics label: batch sizes and call seconds per role
        workers = max(1, workers)
        self._urgent: deque[_Item] = deque()
        self._ahead: deque[_Item] = deque()
        self._ahead_cap = max(1, workers - 1)
        self._ahead_running = 0
        self._closed = False
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(target=self._run, name=f"khulasa-batcher-{role}-{k}", daemon=True) for k in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        """Stop the worker threads once the batches already queued are done."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def generate(self, texts: Sequence[str], deadline: Deadline | None = None, ahead: bool = False) -> list[str]:
        """Outputs for `texts`, in order; raises DigestTimeout if the deadline passes while waiting. `ahead`:
        nobody waits for these yet (see the class)."""
        if not texts:
            return []
        lengths = self.model.count_tokens(texts)
        items = [_Item(t, n, deadline) for t, n in zip(texts, lengths, strict=True)]
        with self._changed:
            (self._ahead if ahead else self._urgent).extend(items)
            self._changed.notify_all()
        out = []
        for item in items:
            try:
                out.append(item.future.result(timeout=deadline.remaining() + 1 if deadline else None))
            except FutureTimeout:
                assert deadline is not None
                deadline.check("waiting for the translation model")
                raise
        return out

    def _lane(self) -> deque[_Item] | None:
        """The queue a free worker takes from now (called with the condition held): urgent first."""
        if self._urgent:
            return self._urgent
        if self._ahead and self._ahead_running < self._ahead_cap:
            return self._ahead
        return None

    def _take(self) -> tuple[list[_Item], bool] | None:
        """The next batch and whether it is work ahead of need; None once closed and nothing is left."""
        with self._changed:
            while (lane := self._lane()) is None:
                if self._closed and not self._urgent and not self._ahead:
                    return None
                self._changed.wait()
            batch = [lane.popleft()]
            ahead = lane is self._ahead
            if ahead:  # counted from the first item taken, so no other worker passes the cap meanwhile
                self._ahead_running += 1
            until = time.monotonic() + self.window
            # A few milliseconds for company: concurrent callers share the call.
            while len(batch) < self.max_batch:
                if lane:
                    batch.append(lane.popleft())
                    continue
                remaining = until - time.monotonic()
                if remaining <= 0 or self._closed:
                    break
                self._changed.wait(remaining)
            return batch, ahead

    def _run(self) -> None:
        while (taken := self._take()) is not None:
            batch, ahead = taken
            try:
                self._process(batch)
            finally:
                if ahead:
                    with self._changed:
                        self._ahead_running -= 1
                        self._changed.notify_all()

    def _process(self, batch: list[_Item]) -> None:
        live = []
        for item in batch:
            if item.deadline is not None and item.deadline.remaining() <= 0:
                try:
                    item.deadline.check("waiting for the translation model")
                except Exception as exc:
                    item.future.set_exception(exc)
                continue
            live.append(item)
        if not live:
            return
        live.sort(key=lambda item: item.length)
        MODEL_BATCH_SIZE.labels(self.role).observe(len(live))
        started = time.perf_counter()
        # The batch may run until its most patient caller's deadline (generate's max_time).
        deadlines = [item.deadline for item in live]
        latest = None if any(d is None for d in deadlines) else max(deadlines, key=lambda d: d.at)  # type: ignore[union-attr]
        try:
            outputs = self.model.generate([item.text for item in live], latest)
        except Exception as exc:  # every caller of this batch learns of the failure
            for item in live:
                item.future.set_exception(exc)
            return
        finally:
            MODEL_CALL_SECONDS.labels(self.role).observe(time.perf_counter() - started)
        for item, output in zip(live, outputs, strict=True):
            item.future.set_result(output)


class SentenceCache:
    """Thread-safe LRU of translations (datelines, quotes reported twice, furniture that slipped through)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, texts: Sequence[str]) -> dict[str, str]:
        found = {}
        with self._lock:
            for text in texts:
                if text in self._data:
                    self._data.move_to_end(text)
                    found[text] = self._data[text]
        SENTENCE_CACHE.labels("hit").inc(len(found))
        SENTENCE_CACHE.labels("miss").inc(len(texts) - len(found))
        return found

    def put_many(self, pairs: dict[str, str]) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            for text, translation in pairs.items():
                self._data[text] = translation
                self._data.move_to_end(text)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
