"""Background jobs: the embedded mode in-process, and real worker processes on a real redis-server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from service.app import create_app
from tests.conftest import KHULASA, RedisServer, clean_env, make_settings, served


def article(k: int, text: str) -> dict[str, object]:
    return {"text": text + f"\nوقال مصدر إن اللقاء رقم {k} انتهى مساء.", "ref": f"story-{k}"}


def wait_done(get: object, job_id: str, seconds: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        view = get(f"/v1/jobs/{job_id}").json()  # type: ignore[operator]
        if view["status"] in ("done", "failed"):
            return view  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {view}")


# -- embedded mode (no Redis server: an in-process Redis, workers inside the app) -------------------------


def test_embedded_batch_with_a_failing_article_and_idempotency(example_text: str) -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as client:
        batch = {
            "articles": [
                article(1, example_text),
                {"text": "English only, no Arabic at all.", "ref": "bad"},
                article(2, example_text),
            ]
        }
        r = client.post("/v1/jobs", json=batch, headers={"idempotency-key": "cms-42"})
        assert r.status_code == 202 and r.headers["location"] == f"/v1/jobs/{r.json()['id']}"
        job_id = r.json()["id"]
        again = client.post("/v1/jobs", json=batch, headers={"idempotency-key": "cms-42"})
        assert again.status_code == 202 and again.json()["id"] == job_id and again.json()["duplicate"] is True
        view = wait_done(client.get, job_id)
        assert view["status"] == "done" and view["progress"] == {"done": 2, "failed": 1, "total": 3, "cancelled": 0}
        by_ref = {a["ref"]: a for a in view["articles"]}  # type: ignore[union-attr]
        assert by_ref["bad"]["status"] == "failed" and by_ref["bad"]["error"]["status"] == 422
        assert by_ref["bad"]["digest"] is None
        good = by_ref["story-1"]["digest"]
        assert by_ref["story-1"]["status"] == "done" and good["summary"]["ar"]
        # The digest cache is shared with /v1/digest.
        direct = client.post("/v1/digest", json={"text": article(1, example_text)["text"]}).json()
        assert direct["id"] == good["id"] and direct["meta"]["cached"] is True


def test_single_article_job_and_refusals(example_text: str) -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as client:
        r = client.post("/v1/jobs", json={"text": example_text, "ref": "one"})
        assert r.status_code == 202 and r.json()["total"] == 1
        assert wait_done(client.get, r.json()["id"])["status"] == "done"
        for body, words in (
            ({"articles": []}, "empty"),
            ({}, "articles"),
            ({"text": "x", "articles": [{"text": "y"}]}, "not both"),
            ({"text": "مرحبا", "callback_url": "http://127.0.0.1:9/x"}, "callback_secret"),
        ):
            bad = client.post("/v1/jobs", json=body)
            assert bad.status_code == 422 and words in bad.json()["detail"], bad.text
        assert client.post("/v1/jobs", json={"text": "مرحبا", "callback_url": "ftp://x"}).status_code == 422
        missing = client.get("/v1/jobs/nope")
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


# -- real Redis, real worker processes ---------------------------------------------------------------------


def start_worker(redis_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = clean_env(
        KHULASA_REDIS_URL=redis_url,
        KHULASA_MODELS_LOAD="off",
        KHULASA_JOBS_HEARTBEAT_SECONDS="2",
        KHULASA_JOBS_SWEEP_SECONDS="1",
    )
    return subprocess.Popen(
        [KHULASA, "worker", "--concurrency", "1"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


@pytest.mark.redis
def test_two_workers_and_a_killed_one_complete_the_batch_exactly_once(
    redis_server: RedisServer, example_text: str, tmp_path: Path
) -> None:
    api_env = {
        "KHULASA_REDIS_URL": redis_server.url,
        "KHULASA_JOBS_WORKERS": "0",
        "KHULASA_MODELS_LOAD": "off",
        "KHULASA_RATE_LIMIT_REQUESTS_PER_MINUTE": "0",
    }
    workers = [start_worker(redis_server.url, tmp_path / f"w{k}.log") for k in range(2)]
    try:
        with served(**api_env) as (port, _):
            base = f"http://127.0.0.1:{port}"
            # Articles big enough to be mid-flight when the kill comes.
            batch = [article(k, example_text * 3) for k in range(30)]
            job_id = httpx.post(f"{base}/v1/jobs", json={"articles": batch}).json()["id"]
            deadline = time.monotonic() + 60
            # Kill the first worker mid-batch, once it has done some of the work.
            while (
                httpx.get(f"{base}/v1/jobs/{job_id}").json()["progress"]["done"] < 3
                or "job article" not in (tmp_path / "w0.log").read_text()
            ):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            os.kill(workers[0].pid, signal.SIGKILL)
            view = wait_done(lambda path: httpx.get(f"{base}{path}", params={"limit": 1000}), job_id, 180)
        assert view["status"] == "done" and view["progress"] == {"done": 30, "failed": 0, "total": 30, "cancelled": 0}
        articles = view["articles"]
        assert sorted(a["index"] for a in articles) == list(range(30))  # type: ignore[union-attr]
        assert len({a["digest"]["id"] for a in articles}) == 30  # type: ignore[union-attr,index]
        assert "job article" in (tmp_path / "w1.log").read_text()  # the survivor finished the batch
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(timeout=20)


@pytest.mark.redis
def test_jobs_survive_an_api_and_worker_restart(redis_server: RedisServer, example_text: str, tmp_path: Path) -> None:
    api_env = {"KHULASA_REDIS_URL": redis_server.url, "KHULASA_JOBS_WORKERS": "0", "KHULASA_MODELS_LOAD": "off"}
    with served(**api_env) as (port, _):
        job_id = httpx.post(
            f"http://127.0.0.1:{port}/v1/jobs", json={"articles": [article(k, example_text) for k in range(5)]}
        ).json()["id"]
    # No worker ran yet and the API is gone; the job waits in Redis.
    worker = start_worker(redis_server.url, tmp_path / "w.log")
    try:
        with served(**api_env) as (port, _):
            view = wait_done(lambda path: httpx.get(f"http://127.0.0.1:{port}{path}"), job_id)
        assert view["status"] == "done" and view["progress"]["done"] == 5
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_jobs_submit_cli_with_progress_and_json_lines(example_text: str, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    for k in range(4):
        (folder / f"story-{k}.txt").write_text(str(article(k, example_text)["text"]), encoding="utf-8")
    (folder / "notes.md").write_text("ignored")
    out = tmp_path / "results.jsonl"
    with served(KHULASA_MODELS_LOAD="off") as (port, _):
        result = subprocess.run(
            [
                KHULASA,
                "jobs",
                "submit",
                str(folder),
                "--url",
                f"http://127.0.0.1:{port}",
                "--out",
                str(out),
                "--poll",
                "0.2",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=clean_env(),
        )
    assert result.returncode == 0, result.stderr
    assert "4/4" in result.stderr and "articles/min" in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["ref"] for line in lines] == [f"story-{k}.txt" for k in range(4)]
    assert all(line["status"] == "done" and line["digest"]["summary"]["ar"] for line in lines)


def test_worker_refuses_to_start_without_redis() -> None:
    result = subprocess.run([KHULASA, "worker"], capture_output=True, text=True, timeout=60, env=clean_env())
    assert result.returncode != 0 and "Redis" in result.stderr
