"""The service's own Prometheus metrics, beside the per-request ones of Litestar's middleware (`/metrics`).

Defined once per process at import: every app, worker and test in the process shares them.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MODEL_LOADS = Counter("khulasa_model_loads_total", "Models loaded, by role and outcome", ["role", "outcome"])
MODEL_BATCH_SIZE = Histogram(
    "khulasa_model_batch_size",
    "Texts per model call (cross-request micro-batches)",
    ["role"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
MODEL_CALL_SECONDS = Histogram(
    "khulasa_model_call_seconds",
    "Seconds per model call",
    ["role"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32),
)
DIGEST_CACHE = Counter(
    "khulasa_digest_cache_total",
    "Digest cache look-ups by level (request: the bytes as sent; digest: the cleaned article) and result",
    ["level", "result"],
)
SENTENCE_CACHE = Counter(
    "khulasa_sentence_cache_total", "Translation sentence-cache look-ups by result (hit, miss)", ["result"]
)
DIGESTS_IN_FLIGHT = Gauge("khulasa_digests_in_flight", "Digests being computed now (admission slots in use)")
DIGESTS = Counter("khulasa_digests_total", "Digests answered, by how (computed, cached) ", ["source"])
