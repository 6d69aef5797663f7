"""The `khulasa` command as a user runs it: digest a file, serve, health, models pull, bad config."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli import _timestamp
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


# --- bad input: one line, exit 1, the file named ---------------------------------------------------------------


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    return lines[0]


def test_digest_bad_paths_are_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("مقال".encode() + b"\xff\xfe")
    assert "missing.txt" in one_error_line(khulasa("digest", str(tmp_path / "missing.txt"), KHULASA_MODELS_LOAD="off"))
    assert "is a directory" in one_error_line(khulasa("digest", str(tmp_path), KHULASA_MODELS_LOAD="off"))
    line = one_error_line(khulasa("digest", str(bad), KHULASA_MODELS_LOAD="off"))
    assert "latin1.txt" in line and "not UTF-8" in line
    assert "standard input" in one_error_line(_run_bytes("digest", "-", stdin=b"\xff\xfe"))


def _run_bytes(*args: str, stdin: bytes) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([KHULASA, *args], input=stdin, capture_output=True, timeout=120, env=clean_env())
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def test_models_convert_and_status_say_each_failure_once_in_whole_words() -> None:
    convert = khulasa("models", "convert")
    assert convert.returncode == 1 and "Traceback" not in convert.stderr
    failures = [line for line in convert.stderr.splitlines() if "cannot convert" in line]
    assert len(failures) == 2
    assert all(line.endswith("run `khulasa models pull` first") for line in failures)
    status = khulasa("models", "status")
    assert status.returncode == 1
    said = (status.stdout + status.stderr).splitlines()
    for role in ("summary", "translation"):
        assert sum(1 for line in said if f"{role}: failed" in line or f'"role":"{role}"' in line) == 1, said


def test_keys_hash_asks_on_a_terminal_instead_of_waiting_silently() -> None:
    import hashlib
    import pty
    import select

    key = "a-newsroom-key-of-some-length"
    pid, fd = pty.fork()
    if pid == 0:  # the child: khulasa with a terminal as stdin, as a person would run it
        os.execve(KHULASA, [KHULASA, "keys", "hash"], clean_env())
    seen = b""
    deadline = time.monotonic() + 60
    while b"API key" not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 1)[0]:
            seen += os.read(fd, 1024)
    assert b"API key" in seen, seen  # it says what it waits for
    os.write(fd, key.encode() + b"\n")
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 1)[0]:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert hashlib.sha256(key.encode()).hexdigest().encode() in seen and key.encode() not in seen  # not echoed


# --- jobs submit: a summary, failures named, the service's rate --------------------------------------------------


def test_jobs_submit_names_unreadable_and_failed_files_and_exits_1(server: int, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "good.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "cp1256.txt").write_bytes("خبر عاجل".encode("cp1256"))
    (folder / "english.txt").write_text("Just English text here, nothing Arabic at all.", encoding="utf-8")
    result = khulasa("jobs", "submit", str(folder), "--url", f"http://127.0.0.1:{server}")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    err = result.stderr.splitlines()
    assert any(line.startswith("skipped:") and "cp1256.txt" in line and "not UTF-8" in line for line in err)
    assert any(line.startswith("failed english.txt:") and "Arabic" in line for line in err)
    assert any(line.startswith("1 done, 1 failed, 1 skipped") for line in err)
    # stdout is a pipe here: the results as JSON lines, one per submitted article, in order
    results = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["ref"], r["status"]) for r in results] == [("english.txt", "failed"), ("good.txt", "done")]


def test_jobs_submit_rate_is_the_services_time_not_the_poll(server: int, tmp_path: Path) -> None:
    import httpx

    out = tmp_path / "results.jsonl"
    args = ("jobs", "submit", str(EXAMPLE), "--url", f"http://127.0.0.1:{server}", "--out", str(out))
    first = khulasa(*args, "--idempotency-key", "rate-check")
    again = khulasa(*args, "--idempotency-key", "rate-check")  # the same, already finished job
    assert first.returncode == 0 and again.returncode == 0 and result_lines(out) == 1
    job = re.search(r"job\(s\): ([0-9a-f]+)", again.stderr)
    assert job is not None and again.stdout == ""  # with --out, the results go to the file only
    view = httpx.get(f"http://127.0.0.1:{server}/v1/jobs/{job.group(1)}", params={"limit": 0}).json()
    finished, created = _timestamp(view["finished_at"]), _timestamp(view["created_at"])  # number or ISO 8601
    assert finished is not None and created is not None
    span = finished - created
    said = re.search(r"1 done, 0 failed, ([0-9.]+) s \(([0-9.]+) articles/min\)", again.stderr)
    assert said is not None, again.stderr
    assert abs(float(said.group(1)) - span) < 0.01  # the job's own time, though this run only polled it once
    assert abs(float(said.group(2)) - 60 / span) / (60 / span) < 0.02


def result_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())
