"""The `khulasa` command as a user runs it: digest a file, serve, health, models pull, bad config."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from tests.conftest import EXAMPLE, KHULASA, clean_env, served


def khulasa(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KHULASA, *args], input=stdin, capture_output=True, text=True, timeout=180, env=clean_env(**env)
    )


def test_digest_a_file_prints_the_same_json_digest_as_the_api() -> None:
    result = khulasa("digest", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    digest = json.loads(result.stdout)  # stdout is the JSON alone: logs go to stderr
    assert digest["summary"]["method"] == "extractive"
    assert [s["ar"] for s in digest["sections"]] == ["دعوة للزيارة", "تنسيق مشترك", "ركائز المحور"]


def test_digest_from_stdin_and_a_refusal() -> None:
    ok = khulasa("digest", "-", stdin=EXAMPLE.read_text(encoding="utf-8"), KHULASA_MODELS_LOAD="off")
    assert ok.returncode == 0 and json.loads(ok.stdout)["title"]["ar"]
    bad = khulasa("digest", "-", stdin="Just English text here.", KHULASA_MODELS_LOAD="off")
    assert bad.returncode == 2 and json.loads(bad.stderr.strip().splitlines()[-1])["status"] == 422


def test_bad_config_value_stops_start_up_with_one_line() -> None:
    result = khulasa("serve", KHULASA_SERVER_PORT="eighty")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "server.port" in lines[0] and "Traceback" not in result.stderr


def test_unknown_setting_is_named() -> None:
    result = khulasa("serve", KHULASA_CACHE_TTL="5")
    assert result.returncode != 0 and "KHULASA_CACHE_TTL" in result.stderr


def test_models_pull_without_the_hub_fails_with_one_clear_line_per_model() -> None:
    result = khulasa("models", "pull", HF_HUB_OFFLINE="0")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(("summary:", "translation:"))]
    assert len(errors) == 2 and all("cannot pull" in line for line in errors)


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    """`khulasa serve` as the README and the Dockerfile start it (embedded store, no Redis)."""
    with served() as (port, _):
        yield port


def test_serve_and_the_container_healthcheck(server: int) -> None:
    live = khulasa("health", "--port", str(server))
    assert live.returncode == 0 and json.loads(live.stdout) == {"status": "alive"}
    ready = khulasa("health", "--port", str(server), "--ready")
    assert ready.returncode == 1 and json.loads(ready.stdout)["status"] == "degraded"


def test_served_digest_over_real_http(server: int) -> None:
    import httpx

    body = {"text": EXAMPLE.read_text(encoding="utf-8")}
    first = httpx.post(f"http://127.0.0.1:{server}/v1/digest", json=body, timeout=60).json()
    second = httpx.post(f"http://127.0.0.1:{server}/v1/digest", json=body, timeout=60).json()
    assert second["meta"]["cached"] is True and second["id"] == first["id"]


def test_health_of_nothing_listening_fails() -> None:
    assert khulasa("health", "--port", "1").returncode == 1


def test_keys_hash_prints_the_digest_the_service_accepts() -> None:
    import hashlib

    key = "a-newsroom-key-of-some-length"
    result = khulasa("keys", "hash", stdin=key + "\n")
    assert result.returncode == 0 and result.stdout.strip() == hashlib.sha256(key.encode()).hexdigest()
    assert khulasa("keys", "hash", "short").returncode != 0
