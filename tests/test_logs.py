"""The log pipeline: one JSON line per record and per request, libraries through the same renderer, short outage
warnings, and a handler that never raises (a failing stream drops the record and counts it on /metrics)."""

from __future__ import annotations

import io
import json
import logging
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from litestar.testing import TestClient
from redis.exceptions import ConnectionError as RedisConnectionError

from service import logs
from service.app import create_app
from tests.conftest import KHULASA, clean_env, make_settings, metric

DROPPED = "khulasa_log_records_dropped_total"


class TooManyOpenFiles(io.StringIO):
    """A stream that fails as stderr does when the process is out of file descriptors."""

    def write(self, s: str) -> int:
        raise OSError(24, "Too many open files")


@pytest.fixture
def buffer() -> Iterator[io.StringIO]:
    """Logs configured into a buffer for the test; back to stderr afterwards."""
    out = io.StringIO()
    logs.configure("info", out)
    yield out
    logs.configure("info")


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_every_source_renders_one_json_line(buffer: io.StringIO) -> None:
    structlog.get_logger("service.x").info("digest", id="abc", chars=10)
    logging.getLogger("saq").warning("Error processing job %s", "j1")
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET / HTTP/1.1" 200')  # replaced by the request line
    records = lines(buffer)
    assert [r["event"] for r in records] == ["digest", "Error processing job j1", "Started server process [42]"]
    assert [r["level"] for r in records] == ["info", "warning", "info"]
    assert all("timestamp" in r for r in records) and records[0]["id"] == "abc"


def test_an_expected_outage_is_one_short_warning_not_a_traceback(buffer: io.StringIO) -> None:
    try:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
    except RedisConnectionError:
        logging.getLogger("saq").exception("Upkeep task failed unexpectedly")
    try:
        raise ValueError("a real bug")
    except ValueError:
        structlog.get_logger("service.y").exception("unhandled error")
    outage, bug = lines(buffer)
    assert outage["level"] == "warning" and outage["error"].startswith("ConnectionError: Error 111")
    assert "exception" not in outage and "Traceback" not in buffer.getvalue().split("\n")[0]
    assert bug["level"] == "error" and "ValueError: a real bug" in bug["exception"]  # real errors keep theirs


def test_a_failing_stream_drops_records_counts_them_and_never_raises(capfd: pytest.CaptureFixture[str]) -> None:
    logs.configure("info", TooManyOpenFiles())
    try:
        before = metric(DROPPED)
        structlog.get_logger("service.z").info("digest", id="abc")
        logging.getLogger("saq").warning("Error processing job %s", "j1")
        logging.getLogger("uvicorn.error").error("bad %s %s", "too", "few", "args")  # a record that cannot format
        assert metric(DROPPED) == before + 3
    finally:
        logs.configure("info")
    captured = capfd.readouterr()
    assert "Logging error" not in captured.err and "Too many open files" not in captured.err


def test_a_failing_stream_under_the_app_still_answers_and_shows_on_metrics(example_text: str) -> None:
    with TestClient(create_app(make_settings())) as client:
        logs.configure("info", TooManyOpenFiles())
        try:
            before = metric(DROPPED)
            r = client.post("/v1/digest", json={"text": example_text})
            assert r.status_code == 200
            assert metric(DROPPED) >= before + 2  # the digest line and the request line
            exposed = client.get("/metrics").text
        finally:
            logs.configure("info")
    value = next(line for line in exposed.splitlines() if line.startswith(DROPPED + " "))
    assert float(value.split()[1]) >= before + 2


def test_one_request_line_with_status_latency_sizes_and_digest_id_never_text_or_keys(
    buffer: io.StringIO, example_text: str
) -> None:
    key = "a-newsroom-key-of-some-length"
    settings = make_settings(auth_api_key_hashes=__import__("hashlib").sha256(key.encode()).hexdigest())
    with TestClient(create_app(settings)) as client:
        logs.configure("info", buffer)  # the app's start-up configured logging again: keep the buffer
        buffer.truncate(0)
        buffer.seek(0)
        digest = client.post("/v1/digest?token=secret", json={"text": example_text}, headers={"x-api-key": key})
        assert digest.status_code == 200
        client.get("/health/ready")
        client.get("/health/live")
        client.get("/metrics")
        client.get("/nowhere", headers={"x-api-key": key})
        client.post("/v1/digest", json={"text": example_text})  # no key: 401 from the middleware
    requests = [r for r in lines(buffer) if r["event"] == "request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("POST", "/v1/digest", 200),
        ("GET", "/nowhere", 404),
        ("POST", "/v1/digest", 401),
    ]  # probes and /metrics are not logged at info
    first = requests[0]
    assert first["digest_id"] == digest.json()["id"] and first["ms"] > 0
    assert first["bytes_in"] == len(digest.request.content) and first["bytes_out"] == len(digest.content)
    text = buffer.getvalue()
    assert key not in text and "secret" not in text and example_text.splitlines()[0][:20] not in text


def test_khulasa_worker_logs_json(redis_server: Any) -> None:
    """`khulasa worker` on a real Redis: everything it writes to stderr is JSON, except its one start line."""
    proc = subprocess.Popen(
        [KHULASA, "worker"],
        env=clean_env(KHULASA_REDIS_URL=redis_server.url, KHULASA_MODELS_LOAD="off"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(6)
        redis_server.stop()  # an outage: warnings, not tracebacks
        time.sleep(4)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    other = [line for line in err.splitlines() if line.strip() and not line.startswith("khulasa worker:")]
    assert "Traceback" not in err, err[-2000:]
    records = [json.loads(line) for line in other]  # every line is one JSON object
    outage = [r for r in records if r["level"] == "warning" and str(r.get("error", "")).startswith("ConnectionError")]
    assert outage, records  # the outage is said, briefly
