"""`khulasa jobs status|results|cancel JOB` against a served Khulasa: one line on error, exit 1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx

from tests.conftest import KHULASA, clean_env, served


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KHULASA, "jobs", *args], capture_output=True, text=True, timeout=60, env=clean_env())


def test_status_results_and_cancel(example_text: str, tmp_path: Path) -> None:
    with served(KHULASA_MODELS_LOAD="off") as (port, _):
        url = f"http://127.0.0.1:{port}"
        job = httpx.post(f"{url}/v1/jobs", json={"articles": [{"text": example_text, "ref": "r1"}]}).json()["id"]
        for _ in range(200):
            status = run("status", job, "--url", url)
            if " done:" in status.stdout:
                break
        assert status.returncode == 0 and status.stdout.startswith(f"{job} done: 1 done, 0 failed"), status
        out = tmp_path / "r.jsonl"
        results = run("results", job, "--url", url, "--out", str(out))
        assert results.returncode == 0, results.stderr
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert [(a["ref"], a["status"]) for a in lines] == [("r1", "done")] and lines[0]["digest"]["summary"]["ar"]
        cancel = run("cancel", job, "--url", url)
        assert cancel.returncode == 0 and cancel.stdout.strip() == f"{job} done: 0 articles cancelled"
        for command in ("status", "results", "cancel"):
            missing = run(command, "0" * 32, "--url", url)
            assert missing.returncode == 1 and missing.stderr.count("\n") == 1, missing.stderr
            assert "404" in missing.stderr and "Traceback" not in missing.stderr
    down = run("status", job, "--url", url)
    assert down.returncode == 1 and down.stderr.startswith("Error: cannot reach") and down.stderr.count("\n") == 1
