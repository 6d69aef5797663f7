"""Cross-request micro-batching and a sentence-level translation cache.

Concurrent digests each bring a few sentences; one model call over all of them costs little more than a
call over one digest's, so sentences wait a few milliseconds for company before the model runs.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
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
    while a long batch runs need not wait for it."""

    def __init__(
        self, model: Generator, max_batch: int, window_ms: float, role: str = "model", workers: int = 1
    ) -> None:
        self.model = model
        self.max_batch = max(1, max_batch)
        self.window = max(0.0, window_ms) / 1000
        self.role = role  # the metrics label: batch sizes and call seconds per role
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._run, name=f"khulasa-batcher-{role}-{k}", daemon=True)
            for k in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        """Stop the worker threads once the batches already queued are done."""
        for _ in self._threads:
            self._queue.put(None)

    def generate(self, texts: Sequence[str], deadline: Deadline | None = None) -> list[str]:
        """Outputs for `texts`, in order; raises DigestTimeout if the deadline passes while waiting."""
        if not texts:
            return []
        lengths = self.model.count_tokens(texts)
        items = [_Item(t, n, deadline) for t, n in zip(texts, lengths, strict=True)]
        for item in items:
            self._queue.put(item)
        out = []
        for item in items:
            try:
                out.append(item.future.result(timeout=deadline.remaining() + 1 if deadline else None))
            except FutureTimeout:
                assert deadline is not None
                deadline.check("waiting for the translation model")
                raise
        return out

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            until = time.monotonic() + self.window
            stop = False
            while len(batch) < self.max_batch:
                remaining = until - time.monotonic()
                try:
                    item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._process(batch)
            if stop:
                return

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
