"""POST /v1/digest/stream: events in order, each part once, the same digest as the plain endpoint, a cache
hit at once, refusals as problems, failures as an error event, and a client that goes away frees its slot."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app, runtime_of
from tests.conftest import _free_port, make_settings


def parse_events(body: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of a text/event-stream body; comments (keep-alives) are skipped."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if name:
            events.append((name, json.loads("\n".join(data))))
    return events


def stream(client: TestClient, body: dict[str, Any]) -> list[tuple[str, Any]]:  # type: ignore[type-arg]
    r = client.post("/v1/digest/stream", json=body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    return parse_events(r.text)


def _comparable(digest: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in digest["meta"].items() if k not in ("timings_ms", "cached")}
    return {**digest, "meta": meta}


def test_events_arrive_in_order_and_end_with_the_plain_digest(example_text: str) -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as c:
        events = stream(c, {"text": example_text})
        names = [n for n, _ in events]
        assert names == ["article", "summary", "highlights", "digest"]
        article, summary, highlights, digest = (d for _, d in events)
        assert article["sentences"] == 11 and article["title"]["ar"] and len(article["removed"]) == 4
        assert summary["ar"] == digest["summary"]["ar"] and summary["method"] == "extractive"
        assert highlights["entities"] == digest["highlights"]["entities"]
        assert digest["meta"]["cached"] is False
        plain = c.post("/v1/digest", json={"text": example_text}).json()
        assert plain["meta"]["cached"] is True and _comparable(plain) == _comparable(digest)


def test_a_cached_digest_streams_every_event_at_once(example_text: str) -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as c:
        first = c.post("/v1/digest", json={"text": example_text}).json()
        events = stream(c, {"text": example_text})
    assert [n for n, _ in events] == ["article", "summary", "highlights", "digest"]
    assert events[-1][1]["id"] == first["id"] and events[-1][1]["meta"]["cached"] is True


def test_a_refusal_before_any_work_is_an_ordinary_problem() -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as c:
        r = c.post("/v1/digest/stream", json={"text": "English only, no Arabic in this article at all."})
        assert r.status_code == 422 and r.json()["type"].endswith("/not-arabic")
        r = c.post("/v1/digest/stream", content=b"text=x", headers={"content-type": "text/plain"})
        assert r.status_code == 415


@pytest.mark.models
def test_translation_batches_cover_every_sentence_once_in_order(
    tiny_models: dict[str, Path], example_text: str
) -> None:
    settings = make_settings(
        summary_model=str(tiny_models["summary"]), translation_model=str(tiny_models["translation"])
    )
    with TestClient(create_app(settings)) as c:
        events = stream(c, {"text": example_text * 2})
    names = [n for n, _ in events]
    assert names[:3] == ["article", "summary", "highlights"] and names[-1] == "digest"
    assert set(names[3:-1]) == {"translation"} and len(names[3:-1]) >= 2
    indexes = [s["index"] for _, d in events[3:-1] for s in d["sentences"]]
    digest = events[-1][1]
    assert indexes == list(range(len(digest["translation"]["sentences"])))
    streamed = [s["en"] for _, d in events[3:-1] for s in d["sentences"]]
    assert streamed == [p["en"] for p in digest["translation"]["sentences"]]


@pytest.mark.models
def test_a_failure_after_the_first_event_is_an_error_event(tiny_models: dict[str, Path], example_text: str) -> None:
    settings = make_settings(
        summary_model=str(tiny_models["summary"]),
        translation_model=str(tiny_models["translation"]),
        limits_request_timeout_seconds="0.05",
    )
    with TestClient(create_app(settings)) as c:
        events = stream(c, {"text": example_text * 4})
        assert events[0][0] == "article" and events[-1][0] == "error"
        assert events[-1][1]["status"] == 504 and events[-1][1]["type"].endswith("/timeout")
        deadline = time.monotonic() + 20
        while runtime_of(c.app).digests.slots.used and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime_of(c.app).digests.slots.used == 0


@pytest.fixture
def live_app(tiny_models: dict[str, Path]) -> Iterator[tuple[Litestar, int]]:
    """The app under uvicorn on a loopback port, so a client can really go away."""
    settings = make_settings(
        summary_model=str(tiny_models["summary"]), translation_model=str(tiny_models["translation"]), models_threads="1"
    )
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield app, port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.mark.models
def test_a_client_that_goes_away_frees_its_slot(live_app: tuple[Litestar, int], example_text: str) -> None:
    app, port = live_app
    slots = runtime_of(app).digests.slots
    long_article = "\n".join(f"{line} ({k})" for k in range(12) for line in example_text.splitlines() if line)
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
        http.stream("POST", "/v1/digest/stream", json={"text": long_article}) as r,
    ):
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("event: summary"):
                break  # the work is under way: hang up
        assert slots.used == 1
    deadline = time.monotonic() + 30
    while slots.used and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slots.used == 0
