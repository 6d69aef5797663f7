"""The page's Server-Sent Events client, fed the documented event contract byte by byte.

The events are built from a real digest of the real service (tiny real models, so there are sentence pairs) and
sent by a small loopback app in awkward pieces: CRLF line ends, chunks that cut lines and UTF-8 characters,
keep-alive comments, an event the page does not know, translation batches out of order, and a pause between the
summary and the rest. What is under test is the page: that it shows the summary while the rest is still coming.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, post
from litestar.response import Stream

from service.web.controllers import WebController
from tests.browser.conftest import LiveServer, live_server, weight_free
from tests.conftest import EXAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.models]

PAUSE_AFTER_SUMMARY_S = 0.5
CHUNK = 333  # bytes: cuts lines, CRLF pairs and two-byte Arabic letters


def sse(name: str, data: Any) -> bytes:
    lines = json.dumps(data, ensure_ascii=False).split("\n")
    return (f"event: {name}\r\n" + "".join(f"data: {line}\r\n" for line in lines) + "\r\n").encode()


def events_of(doc: dict[str, Any]) -> list[bytes | float]:
    """The contract's events for one digest, with a pause (a float) where a model would be working."""
    pairs = [{"index": i, **pair} for i, pair in enumerate(doc["translation"]["sentences"])]
    article = {
        "title": doc["title"],
        "sections": doc["sections"],
        "removed": doc["removed"],
        "sentences": len(pairs),
        "warnings": [{"code": "summary-model-missing", "message": "no abstractive model is loaded"}],
    }
    return [
        b": keep-alive\r\n\r\n",
        sse("article", article),
        sse("summary", doc["summary"]),
        PAUSE_AFTER_SUMMARY_S,
        b": keep-alive\r\n\r\n",
        sse("highlights", doc["highlights"]),
        sse("progress", {"done": 0.5}),  # not in the contract: ignored
        sse("translation", {"sentences": pairs[6:]}),  # a later batch first
        sse("translation", {"sentences": pairs[:6]}),
        sse("digest", doc),
    ]


def scripted_app(script: list[bytes | float], status: dict[str, Any]) -> Litestar:
    """The page plus a POST /v1/digest/stream that plays `script` in small chunks."""

    @post("/v1/digest/stream", status_code=200)
    async def stream(request: Request[Any, Any, Any]) -> Stream:
        status["body"] = await request.json()

        async def play() -> AsyncIterator[bytes]:
            for item in script:
                if isinstance(item, float):
                    await asyncio.sleep(item)
                    continue
                for start in range(0, len(item), CHUNK):
                    yield item[start : start + CHUNK]
                    await asyncio.sleep(0.002)

        return Stream(play(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    return Litestar(route_handlers=[WebController, stream])


@pytest.fixture(scope="module")
def real_digest(model_server: LiveServer) -> dict[str, Any]:
    r = httpx.post(f"{model_server.url}/v1/digest", json={"text": EXAMPLE.read_text(encoding="utf-8")}, timeout=60)
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    assert doc["translation"] and len(doc["translation"]["sentences"]) == 11
    return doc


def test_summary_shows_while_the_rest_is_streaming(page: Any, real_digest: dict[str, Any]) -> None:
    status: dict[str, Any] = {}
    with live_server(weight_free(), app=scripted_app(events_of(real_digest), status)) as server:
        page.goto(server.url + "/")
        page.fill("#article", EXAMPLE.read_text(encoding="utf-8"))
        page.click("#submit")
        page.wait_for_selector("#summary-ar:not(:empty)")
        # The summary is on screen; the digest has not arrived; highlights not yet shown.
        results = page.locator("#results")
        assert page.inner_text("#summary-ar") == real_digest["summary"]["ar"]
        assert results.get_attribute("data-state") == "loading"
        assert results.get_attribute("data-t-digest-arrived") is None
        assert not page.is_visible("#highlights")
        assert page.inner_text("#article-title") == real_digest["title"]["ar"]
        page.wait_for_selector("#results[data-state='done']")
        assert results.get_attribute("data-source") == "stream"
        rendered = float(results.get_attribute("data-t-summary-rendered"))
        arrived = float(results.get_attribute("data-t-digest-arrived"))
        assert rendered + PAUSE_AFTER_SUMMARY_S * 1000 * 0.8 <= arrived
        # The request was the plain endpoint's body.
        assert status["body"]["format"] == "text" and status["body"]["options"]["translate"] == "full"
        # Pairs in sentence order although the batches came out of order, each with its own English.
        en = page.locator("#pairs .pair-cell.en").all_inner_texts()
        assert en == [s["en"] for s in real_digest["translation"]["sentences"]]
        assert page.locator("#people .chip").count() == len(real_digest["highlights"]["entities"]["people"])
        assert page.get_attribute("#results", "data-digest-id") == real_digest["id"]
        assert page.locator("#warnings-list li").count() == len(real_digest["meta"]["warnings"])
        assert page.script_errors == []


def test_error_event_mid_stream(page: Any, real_digest: dict[str, Any]) -> None:
    problem = {
        "type": "https://khulasa.dev/problems/timeout",
        "title": "The digest did not finish in time",
        "status": 504,
        "detail": "the digest did not finish in 120 s",
    }
    script: list[bytes | float] = [events_of(real_digest)[1], sse("error", problem), sse("digest", real_digest)]
    with live_server(weight_free(), app=scripted_app(script, {})) as server:
        page.goto(server.url + "/")
        page.fill("#article", EXAMPLE.read_text(encoding="utf-8"))
        page.click("#submit")
        page.wait_for_selector("#error:not([hidden])")
        assert page.inner_text("#error-title") == problem["title"]
        assert page.inner_text("#error-detail") == problem["detail"]
        assert "أقصر" in page.inner_text("#error-advice")  # what to do: a shorter article
        assert page.get_attribute("#results", "data-state") == "error"
        assert page.get_attribute("#results", "data-digest-id") is None  # the later digest event is not read


def test_stream_cut_before_the_digest(page: Any, real_digest: dict[str, Any]) -> None:
    script = events_of(real_digest)[:3]  # article and summary, then the connection ends
    with live_server(weight_free(), app=scripted_app(script, {})) as server:
        page.goto(server.url + "/")
        page.fill("#article", EXAMPLE.read_text(encoding="utf-8"))
        page.click("#submit")
        page.wait_for_selector("#error:not([hidden])")
        assert page.inner_text("#error-title") == "انقطع الاتصال"
        assert page.inner_text("#summary-ar") == real_digest["summary"]["ar"]  # what arrived stays
