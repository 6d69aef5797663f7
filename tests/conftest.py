"""Shared fixtures: settings, the example article, tiny real checkpoints, app clients, a real redis-server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from prometheus_client import REGISTRY

from service.app import create_app
from service.config import HOME, Settings, load_settings
from service.runtime import Runtime
from service.summary.abstractive import SUMMARY_ROLE, Seq2SeqSummarizer
from service.translation.seq2seq import TRANSLATION_ROLE, Seq2SeqTranslator

sys.path.insert(0, str(Path(__file__).parent))
from tiny_models import build_tiny_marian, build_tiny_mt5

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

EXAMPLE = HOME / "config" / "examples" / "syria-iran-talks.ar.txt"


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def make_settings(**env: str) -> Settings:
    """Settings from the defaults and these KHULASA_* values only (the test's environment is ignored)."""
    return load_settings(environ={f"KHULASA_{k.upper()}": v for k, v in env.items()})


def build_runtime(**env: str) -> Runtime:
    """The process as `khulasa serve` builds it, from these settings (nothing loaded yet)."""
    return Runtime.build(make_settings(**env))


def metric(name: str, **labels: str) -> float:
    """A sample of the process's Prometheus metrics (what /metrics shows), 0 when not yet recorded."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def summarizer_of(runtime: Runtime) -> Seq2SeqSummarizer:
    """The loaded abstractive summariser (fails the test when the role did not load)."""
    summarizer = runtime.models.get(SUMMARY_ROLE)
    assert isinstance(summarizer, Seq2SeqSummarizer), runtime.models.status["summary"]
    return summarizer


def translator_of(runtime: Runtime) -> Seq2SeqTranslator:
    """The loaded translator (fails the test when the role did not load)."""
    translator = runtime.models.get(TRANSLATION_ROLE)
    assert isinstance(translator, Seq2SeqTranslator), runtime.models.status["translation"]
    return translator


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny MarianMT (64 positions, so long sentences must be split) and a tiny mT5, built once."""
    root = tmp_path_factory.mktemp("tiny-models")
    return {"translation": build_tiny_marian(root / "marian"), "summary": build_tiny_mt5(root / "mt5")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A real redis-server on loopback that a test can stop and start again on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("redis-server is not installed: .ci/run must install it")
            pytest.skip("redis-server is not installed here")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(_free_port())
    server.start()
    yield server
    server.stop()


KHULASA = str(Path(sys.executable).parent / "khulasa")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without KHULASA_* settings, offline, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHULASA_")}
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra)
    return env


@contextlib.contextmanager
def served(**env: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """`khulasa serve` in a subprocess on a free loopback port, until it answers /health/live."""
    port = _free_port()
    proc = subprocess.Popen(
        [KHULASA, "serve", "--port", str(port)],
        env=clean_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while subprocess.run([KHULASA, "health", "--port", str(port)], capture_output=True).returncode:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"khulasa serve did not start: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.3)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(params=["memory", "redis"])
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """The app with default settings (no model weights here), on the embedded store and on real Redis:
    the server .ci/run started (REDIS_TEST_URL), else one started for the test."""
    if request.param == "redis":
        url = os.environ.get("REDIS_TEST_URL") or request.getfixturevalue("redis_server").url
        # A namespace per test keeps one test's cached digests from answering another's requests.
        settings = make_settings(redis_url=url, cache_namespace=f"test-{uuid.uuid4().hex[:8]}")
    else:
        settings = make_settings()
    with TestClient(create_app(settings)) as c:
        yield c
