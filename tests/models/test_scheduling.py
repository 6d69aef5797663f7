"""The critical path: the article's own text translated while the summary is written gives the same digest as
one stage after the other, says so in its timings, and a failure in the overlapped translation is the digest's
failure (tiny models)."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import msgspec
import pytest

from service.deadline import Deadline
from service.digest.schemas import DigestOptions, DigestRequest
from service.digest.stages import DigestPipeline
from service.errors import DigestTimeout
from service.runtime import Runtime
from tests.conftest import build_runtime, translator_of

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def runtime(tiny_models: dict[str, Path]) -> Runtime:
    rt = build_runtime(summary_model=str(tiny_models["summary"]), translation_model=str(tiny_models["translation"]))
    rt.models.load_all()
    return rt


def _pipeline(runtime: Runtime, overlap: bool) -> DigestPipeline:
    settings = runtime.settings
    models = msgspec.structs.replace(settings.models, overlap_translation=overlap)
    return DigestPipeline(msgspec.structs.replace(settings, models=models), runtime.models, runtime.resources)


def _digest(pipeline: DigestPipeline, text: str, **options: str) -> tuple[bytes, dict[str, float]]:
    run = pipeline.start(DigestRequest(text=text, options=msgspec.convert(options, DigestOptions)))
    pipeline.clean(run)
    digest = pipeline.complete(run)
    timings = dict(digest.meta.timings_ms)
    digest.meta.timings_ms = {}
    return msgspec.json.encode(digest), timings


def test_overlapped_and_sequential_digests_are_the_same(runtime: Runtime, example_text: str) -> None:
    translator_of(runtime).cache.max_entries = 0  # both runs translate for real
    overlapped, timings = _digest(_pipeline(runtime, True), example_text)
    sequential, plain_timings = _digest(_pipeline(runtime, False), example_text)
    assert overlapped == sequential
    assert "translation_ahead" in timings and "translation_ahead" not in plain_timings


def test_nothing_is_overlapped_without_a_summary_model_run_or_a_translation(
    runtime: Runtime, example_text: str
) -> None:
    pipeline = _pipeline(runtime, True)
    for options in ({"summary": "extractive"}, {"translate": "none"}):
        run = pipeline.start(DigestRequest(text=example_text, options=msgspec.convert(options, DigestOptions)))
        pipeline.clean(run)
        assert pipeline.translate_ahead(run) is None


def test_the_overlapped_translation_runs_in_its_own_thread_while_the_summary_is_written(
    runtime: Runtime, example_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = _pipeline(runtime, True)
    translator = translator_of(runtime)
    threads: list[str] = []
    original = translator.translate

    def spy(texts: list[str], deadline: Deadline | None = None, ahead: bool = False) -> list[str]:
        threads.append(threading.current_thread().name)
        kinds.append(ahead)
        return original(texts, deadline, ahead)

    kinds: list[bool] = []
    monkeypatch.setattr(translator, "translate", spy)
    _digest(pipeline, example_text)
    # The article's text, quotes and names are work ahead of need, in the translation's own thread; the
    # summary's English is urgent (it goes first), in the digest's thread.
    assert threads == ["khulasa-translate-ahead", "MainThread"]
    assert kinds == [True, False]


def test_a_failure_of_the_overlapped_translation_fails_the_digest(
    runtime: Runtime, example_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = _pipeline(runtime, True)

    def late(texts: list[str], deadline: Deadline | None = None, ahead: bool = False) -> list[str]:
        raise DigestTimeout("the digest took longer than limits.request_timeout_seconds (translation)")

    monkeypatch.setattr(translator_of(runtime), "translate", late)
    with pytest.raises(DigestTimeout):
        _digest(pipeline, example_text + "\nوأضاف المتحدث أن المحادثات ستستمر.")


class _SlowEcho:
    """A model whose batches take a while and record how many ran at once."""

    def __init__(self) -> None:
        import threading

        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t) for t in texts]

    def generate(self, texts: list[str], deadline: object = None) -> list[str]:
        import time

        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.2)
        with self._lock:
            self.running -= 1
        return [t.upper() for t in texts]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batcher_runs_as_many_batches_at_once_as_it_has_workers(workers: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from service.models.batching import MicroBatcher

    model = _SlowEcho()
    batcher = MicroBatcher(model, max_batch=1, window_ms=0, role="test", workers=workers)  # type: ignore[arg-type]
    try:
        with ThreadPoolExecutor(4) as pool:
            outputs = list(pool.map(lambda t: batcher.generate([t]), ["a", "b", "c", "d"]))
    finally:
        batcher.close()
    assert outputs == [["A"], ["B"], ["C"], ["D"]]
    assert model.most == workers


class _Recorder:
    """A model whose batches take a while and record when each started and ended, and what it held."""

    def __init__(self, seconds: float = 0.15) -> None:
        self.seconds = seconds
        self.calls: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t) for t in texts]

    def generate(self, texts: list[str], deadline: object = None) -> list[str]:
        import time

        start = time.monotonic()
        time.sleep(self.seconds)
        with self._lock:
            self.calls.append(("".join(texts), start, time.monotonic()))
        return [t.upper() for t in texts]


def _submit_ahead_then_urgent(workers: int) -> _Recorder:
    """Four batches of work ahead of need, then, while the first runs, one urgent text."""
    import time

    from service.models.batching import MicroBatcher

    model = _Recorder()
    batcher = MicroBatcher(model, max_batch=1, window_ms=0, role="test", workers=workers)  # type: ignore[arg-type]
    try:
        ahead = threading.Thread(target=lambda: batcher.generate(["a", "b", "c", "d"], ahead=True))
        ahead.start()
        time.sleep(0.05)
        assert batcher.generate(["u"]) == ["U"]
        ahead.join(timeout=10)
    finally:
        batcher.close()
    return model


def test_urgent_work_goes_before_work_ahead_of_need_already_queued() -> None:
    model = _submit_ahead_then_urgent(workers=1)
    # One worker: the batch running finishes, then the urgent text, then the rest of the work ahead.
    assert [text for text, _, _ in sorted(model.calls, key=lambda c: c[1])] == ["a", "u", "b", "c", "d"]


def test_with_two_workers_work_ahead_of_need_leaves_one_free_for_urgent_work() -> None:
    model = _submit_ahead_then_urgent(workers=2)
    calls = {text: (start, end) for text, start, end in model.calls}
    # The urgent text started while the first batch ahead still ran (a worker was kept free for it) ...
    assert calls["u"][0] < calls["a"][1]
    # ... and the work ahead never ran two batches at once, though two workers were there.
    ahead = sorted(calls[t] for t in "abcd")
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(ahead))


def test_work_ahead_of_need_alone_is_done_and_a_closed_batcher_stops() -> None:
    from service.models.batching import MicroBatcher

    model = _Recorder(seconds=0.01)
    batcher = MicroBatcher(model, max_batch=2, window_ms=1, role="test", workers=2)  # type: ignore[arg-type]
    assert batcher.generate(["x", "y", "z"], ahead=True) == ["X", "Y", "Z"]
    batcher.close()
    for thread in batcher._threads:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in batcher._threads)
