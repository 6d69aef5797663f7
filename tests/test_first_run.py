"""A newcomer's first run: the Makefile's torch choice, `make run`'s degraded line, the start-up banner, and the
README's quickstart commands run in order, exactly as written (against a server on a free loopback port)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from service.config import HOME
from tests.conftest import KHULASA, _free_port, clean_env

MAKE = shutil.which("make")
README = (HOME / "README.md").read_text(encoding="utf-8")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make_n(target: str, path: str, *args: str) -> list[str]:
    """The commands `make -n TARGET` would run, with PATH limited to `path` (to show or hide nvidia-smi)."""
    assert MAKE is not None
    env = {"PATH": path, "HOME": os.environ.get("HOME", "/tmp")}
    out = subprocess.run(
        [MAKE, "-n", "-C", str(HOME), target, "VENV=/nonexistent-venv", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return out.splitlines()


@pytest.fixture
def bare_path(tmp_path: Path) -> str:
    """A PATH with only what the Makefile's probes need: uname and python3 (no nvidia-smi)."""
    for tool in ("uname", "python3"):
        found = shutil.which(tool)
        assert found is not None
        (tmp_path / tool).symlink_to(found)
    return str(tmp_path)


def torch_line(lines: list[str]) -> str:
    return next(line for line in lines if re.search(r"pip install .*torch==", line))


@needs_make
def test_without_a_gpu_the_cpu_build_is_installed_with_progress(bare_path: str) -> None:
    reachable = torch_line(make_n("install", bare_path, "CPU_INDEX_UP=yes"))
    assert "torch==2.13.0+cpu" in reachable and "--extra-index-url https://download.pytorch.org/whl/cpu" in reachable
    # An index that does not answer is left out (pip would retry it for every package) and the +cpu pin stays,
    # so pip finds the wheel on a mirror or in its find-links, never the CUDA build.
    unreachable = torch_line(make_n("install", bare_path, "CPU_INDEX_UP="))
    assert "torch==2.13.0+cpu" in unreachable and "download.pytorch.org" not in unreachable
    installs = [line for line in make_n("install", bare_path, "CPU_INDEX_UP=yes") if " install " in line]
    big = [line for line in installs if "torch" in line or "-e " in line]
    assert big and not any(" -q" in line for line in big)  # the big downloads show pip's progress


@needs_make
def test_with_a_gpu_or_an_explicit_index_the_plain_pin_is_used(bare_path: str) -> None:
    fake = Path(bare_path) / "nvidia-smi"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    line = torch_line(make_n("install", bare_path))
    assert line.rstrip().endswith("torch==2.13.0") and "+cpu" not in line and "index-url" not in line
    fake.unlink()
    chosen = torch_line(make_n("install", bare_path, "TORCH_INDEX=https://example.invalid/whl/cu128"))
    assert "--index-url https://example.invalid/whl/cu128 torch==2.13.0" in chosen and "+cpu" not in chosen


@needs_make
def test_make_run_says_degraded_in_one_line_and_starts_anyway(bare_path: str) -> None:
    run = make_n("run", bare_path)
    pull = next(line for line in run if "models pull" in line)
    assert "--degraded-ok" in pull and pull.rstrip().endswith("|| true")  # no make "Error 1 (ignored)"
    assert any("khulasa serve" in line for line in run)
    result = subprocess.run(
        [KHULASA, "models", "pull", "--degraded-ok"], capture_output=True, text=True, timeout=120, env=clean_env()
    )
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(said) == 1, result.stderr
    assert said[0].startswith("serving in degraded mode: extractive summary, no English")
    assert "see /health/ready" in said[0]


def _serve(port: int, **env: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [KHULASA, "serve", "--port", str(port)],
        env=clean_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"khulasa serve did not start: {proc.communicate()[1][-2000:]}")


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        return proc.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[1]


def test_serve_prints_a_short_banner_then_only_json_lines() -> None:
    port = _free_port()
    proc = _serve(port)
    try:
        for path in ("/", "/schema/swagger", "/health/ready", "/nowhere"):
            with contextlib.suppress(OSError):  # /nowhere is a 404: it must be logged, once
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).close()
    finally:
        err = _stop(proc)
    text = [line for line in err.splitlines() if line.strip()]
    banner = [line for line in text if not line.startswith("{")]
    assert 3 <= len(banner) <= 8, err[-3000:]
    assert "embedded mode" in banner[0]
    assert any("extractive summary" in line and "no English" in line for line in banner)
    assert [line for line in banner if "khulasa" in line and "pull" in line] == [
        "  to fix: khulasa models pull   (then restart)"
    ]
    for path in ("/", "/schema/swagger", "/health/ready"):
        assert any(line.rstrip().endswith(f"http://127.0.0.1:{port}{path}") for line in banner), banner
    records = [json.loads(line) for line in text if line.startswith("{")]
    requests = [r for r in records if r.get("event") == "request"]
    assert [(r["path"], r["status"]) for r in requests if r["path"] != "/"] == [
        ("/schema/swagger", 200),
        ("/nowhere", 404),
    ]  # the readiness probe is not logged at info, and uvicorn's access line is gone
    assert not any("HTTP/1.1" in line for line in text)


def _shell_blocks(section: str) -> list[str]:
    """The ```sh blocks of a README section (from its heading to the next heading of the same level)."""
    start = README.index(section)
    end = README.find("\n## ", start + len(section))
    body = README[start : end if end != -1 else None]
    return re.findall(r"```sh\n(.*?)```", body, flags=re.S)


def test_readme_quickstart_runs_in_order_as_written(tmp_path: Path) -> None:
    """The 'Set up' commands after `make run`, verbatim, against a server on a free loopback port: `.venv` is
    this test's environment and `localhost:8000` that server (the only two substitutions)."""
    setup, then = _shell_blocks("## Set up")
    assert [line.split("#")[0].split() for line in setup.strip().splitlines()] == [["make", "run"], ["make", "test"]]
    commands = [line for line in then.strip().splitlines() if line.strip()]
    assert commands[0] == ". .venv/bin/activate"
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "activate").write_text(f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    (tmp_path / "config").symlink_to(HOME / "config")
    port = _free_port()
    proc = _serve(port)
    try:
        script = "set -e\n" + "\n".join(commands).replace("localhost:8000", f"127.0.0.1:{port}")
        out = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=180, env=clean_env()
        )
    finally:
        _stop(proc)
    assert out.returncode == 0, out.stderr[-2000:]
    decoder = json.JSONDecoder()
    served, end = decoder.raw_decode(out.stdout)  # curl's answer, then `khulasa digest`'s
    local, _ = decoder.raw_decode(out.stdout[end:].lstrip())
    assert served["id"] == local["id"] and served["summary"]["ar"] == local["summary"]["ar"]


def test_readme_batch_and_load_examples_do_not_collide_with_make_run() -> None:
    """The batch example's server is on a port of its own, and its submit goes there; the load example turns
    the rate limit off (else most of its 1,000 requests are 429) and does not use make run's port either."""
    batch = next(b for b in _shell_blocks("## Background jobs and batches") if "khulasa worker" in b)
    ports = re.findall(r"khulasa serve .*--port (\d+)", batch)
    assert ports and ports[0] != "8000"
    assert f"--url http://127.0.0.1:{ports[0]}" in batch
    load = next(b for b in _shell_blocks("## Operating Khulasa") if "scripts/load.py" in b)
    assert "KHULASA_RATE_LIMIT_REQUESTS_PER_MINUTE=0 khulasa serve" in load
    served_port = re.search(r"khulasa serve --port (\d+)", load)
    assert served_port and served_port.group(1) != "8000" and f"127.0.0.1:{served_port.group(1)}" in load


def test_the_load_example_as_written_gets_no_429() -> None:
    """The README's load test against a server started as it says, with fewer requests (150, still over the
    default 120 a minute): no 429."""
    load = next(b for b in _shell_blocks("## Operating Khulasa") if "scripts/load.py" in b)
    serve_line, load_line = (line for line in load.strip().splitlines() if line.strip())
    settings = dict(re.findall(r"(KHULASA_\w+)=(\S+)", serve_line))
    written = re.search(r"--port (\d+)", serve_line)
    assert written is not None
    port = _free_port()
    proc = _serve(port, **settings)
    try:
        argv = load_line.replace("python ", "", 1).replace(f":{written.group(1)}", f":{port}")
        argv = argv.replace("--requests 1000", "--requests 150")
        out = subprocess.run(
            [sys.executable, *argv.split()], cwd=HOME, capture_output=True, text=True, timeout=300, env=clean_env()
        )
    finally:
        _stop(proc)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["requests"] == 150 and "429" not in report["statuses"], report
