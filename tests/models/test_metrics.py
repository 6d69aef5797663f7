"""/metrics after digests: the service's own counters (cache levels, digests, in-flight) and, with models,
batch sizes, model call seconds, sentence-cache hits and model loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.app import create_app
from tests.conftest import make_settings


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_digests_and_cache_levels(example_text: str) -> None:
    with TestClient(create_app(make_settings(models_load="off", rate_limit_requests_per_minute="0"))) as c:
        before = c.get("/metrics").text
        c.post("/v1/digest", json={"text": example_text + "\nسطر جديد للمقياس."})
        c.post("/v1/digest", json={"text": example_text + "\nسطر جديد للمقياس."})
        after = c.get("/metrics").text
    assert (
        sample(after, "khulasa_digests_total", source="computed")
        - sample(before, "khulasa_digests_total", source="computed")
        == 1
    )
    assert (
        sample(after, "khulasa_digests_total", source="cached")
        - sample(before, "khulasa_digests_total", source="cached")
        == 1
    )
    for level, result in (("request", "miss"), ("request", "hit"), ("digest", "miss")):
        gained = sample(after, "khulasa_digest_cache_total", level=level, result=result) - sample(
            before, "khulasa_digest_cache_total", level=level, result=result
        )
        assert gained >= 1, (level, result)
    assert "khulasa_digests_in_flight 0.0" in after


@pytest.mark.models
def test_metrics_show_model_batches_calls_and_sentence_cache(tiny_models: dict[str, Path], example_text: str) -> None:
    settings = make_settings(
        summary_model=str(tiny_models["summary"]),
        translation_model=str(tiny_models["translation"]),
        rate_limit_requests_per_minute="0",
    )
    with TestClient(create_app(settings)) as c:
        before = c.get("/metrics").text
        c.post("/v1/digest", json={"text": example_text + "\nجملة أولى للمقياس."})
        # A second article that repeats the first's sentences: their translations come from the sentence cache.
        c.post("/v1/digest", json={"text": example_text + "\nجملة ثانية للمقياس."})
        after = c.get("/metrics").text
    for role in ("summary", "translation"):
        assert sample(after, "khulasa_model_batch_size_count", role=role) > sample(
            before, "khulasa_model_batch_size_count", role=role
        )
        assert sample(after, "khulasa_model_call_seconds_sum", role=role) > sample(
            before, "khulasa_model_call_seconds_sum", role=role
        )
        assert sample(after, "khulasa_model_loads_total", role=role, outcome="loaded") >= 1
    hits = sample(after, "khulasa_sentence_cache_total", result="hit") - sample(
        before, "khulasa_sentence_cache_total", result="hit"
    )
    assert hits >= 10  # the second article's repeated sentences
