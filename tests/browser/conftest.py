"""The real service on a loopback port, and Playwright driving Debian's chromium against it."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar

from service.app import create_app
from service.config import Settings
from service.web.controllers import WebController
from tests.conftest import _free_port, make_settings

CHROMIUM = Path(os.environ.get("KHULASA_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def with_page(app: Litestar) -> Litestar:
    """The app with the editors' page, whether or not the app factory registers it yet."""
    if not any(route.path == "/" for route in app.routes):
        app.register(WebController)
    return app


class LiveServer:
    """uvicorn serving the app in a thread on 127.0.0.1:<free port>, until stop()."""

    def __init__(self, settings: Settings, app: Litestar | None = None) -> None:
        self.settings = settings
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = app or with_page(create_app(settings))  # the lifespan loads the models
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            # Every app started here serves the page, so the page answering means the server is up.
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/", timeout=1).status_code == 200:
                    return
            if not self.thread.is_alive():
                break
            time.sleep(0.1)
        raise RuntimeError("the service did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def stream_endpoint_exists(self, headers: dict[str, str] | None = None) -> bool:
        """False while POST /v1/digest/stream is a routing 404/405 (the page then falls back to /v1/digest)."""
        r = httpx.post(f"{self.url}/v1/digest/stream", json={"text": "مرحبا"}, headers=headers, timeout=30)
        return r.status_code not in (404, 405)


@contextlib.contextmanager
def live_server(settings: Settings, app: Litestar | None = None) -> Iterator[LiveServer]:
    """Start the service (or `app`), yield it, stop it."""
    server = LiveServer(settings, app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def weight_free(**env: str) -> Settings:
    """No model weights, a rate limit no test reaches."""
    return make_settings(models_load="off", rate_limit_requests_per_minute="100000", **env)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server(weight_free()) as s:
        yield s


@pytest.fixture(scope="package")
def model_server(tiny_models: dict[str, Path]) -> Iterator[LiveServer]:
    """The service with tiny real checkpoints: the translation is gibberish, but real and sentence by sentence."""
    settings = make_settings(
        summary_model=str(tiny_models["summary"]),
        translation_model=str(tiny_models["translation"]),
        rate_limit_requests_per_minute="100000",
    )
    with live_server(settings) as s:
        yield s


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium fonts-noto-core` to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(chromium_path: Path) -> Iterator[Any]:
    try:
        from playwright import sync_api
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed: the `test` extra pins it")
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context per test (empty localStorage and sessionStorage), recording script errors and CSP refusals."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
    p = context.new_page()
    p.set_default_timeout(20_000)
    errors: list[str] = []
    # Failed requests (401, 422) are console errors too, and expected: keep script errors and CSP refusals.
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Refused" in m.text else None)
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.script_errors = errors
    yield p
    context.close()
