"""Job callbacks: targets vetted at submission and at connect time, pinned connections, no redirects, capped
answers, Stripe-style signatures. Every receiver here is a real HTTP server on loopback started by the test;
no test sends anything to any other address (refusals happen before any connection)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.config import HOME, ConfigError
from service.jobs import webhooks
from tests.conftest import make_settings

SECRET = "k" * 24 + "-32bytes"  # exactly 32 bytes
assert len(SECRET.encode()) == 32
BIG = 50 * 1024 * 1024


class Receiver:
    """A loopback HTTP receiver; answers each POST with the next of `answers` (the last one repeats).

    An answer is a status code, ("redirect", status) or "big" (200 with a 50 MB body, streamed)."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, bytes, dict[str, str]]] = []
        self.big_sent = 0
        self.big_broken = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append((self.path, body, dict(self.headers)))
                answer = receiver.answers[min(len(receiver.requests), len(receiver.answers)) - 1]
                if answer == "big":
                    self._big()
                    return
                if isinstance(answer, tuple):
                    self.send_response(answer[1])
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                else:
                    self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _big(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(BIG))
                self.end_headers()
                chunk = b"x" * 65536
                try:
                    while receiver.big_sent < BIG:
                        self.wfile.write(chunk)
                        receiver.big_sent += len(chunk)
                except OSError:  # the client hung up: what we want
                    receiver.big_broken = True
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for r in made:
        r.close()


def receiver(made: list[Receiver], *answers: Any) -> Receiver:
    r = Receiver(list(answers))
    made.append(r)
    return r


def article(text: str, k: int = 1) -> dict[str, object]:
    return {"text": text + f"\nوقال مصدر إن اللقاء رقم {k} انتهى مساء.", "ref": f"story-{k}"}


def wait_callback(client: TestClient, job_id: str, seconds: float = 60) -> dict[str, Any]:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        view: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if view["callback"]["status"] in ("delivered", "failed"):
            return view
        time.sleep(0.1)
    raise AssertionError(f"callback of {job_id} neither delivered nor failed: {view}")


def app(**env: str) -> TestClient:  # type: ignore[type-arg]
    return TestClient(create_app(make_settings(models_load="off", jobs_callback_secret=SECRET, **env)))


# -- submission ---------------------------------------------------------------------------------------------


def test_internal_targets_are_refused_at_submission(receivers: list[Receiver], example_text: str) -> None:
    # The loopback ones point at a live receiver: had any been accepted, it would have heard from us.
    live = receiver(receivers, 200)
    p = live.port
    urls = [
        f"http://127.0.0.1:{p}/hook",
        f"http://localhost:{p}/hook",
        f"http://LOCALHOST.:{p}/hook",
        f"http://127.1:{p}/hook",
        f"http://2130706433:{p}/hook",
        f"http://0x7f000001:{p}/hook",
        f"http://x@127.0.0.1:{p}/hook",
        f"http://[::1]:{p}/hook",
        f"http://[::ffff:127.0.0.1]:{p}/hook",
        f"https://[64:ff9b::7f00:1]:{p}/hook",
        f"http://[2002:7f00:1::]:{p}/hook",
        f"http://0.0.0.0:{p}/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/hook",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "http://[fe80::1]/hook",
        "http://[fd00:ec2::254]/hook",
        "http://%3127.0.0.1/hook",
        "http:///hook",
        "https://cms.example.org:0/hook",
    ]
    with app() as client:
        for url in urls:
            r = client.post("/v1/jobs", json={**article(example_text), "callback_url": url})
            problem = r.json()
            assert r.status_code == 422, (url, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert problem["detail"].startswith("callback_url ") and problem["field"] == "callback_url", problem
        detail = client.post("/v1/jobs", json={**article(example_text), "callback_url": urls[0]}).json()["detail"]
        assert "loopback" in detail and "jobs.callback_allow_networks" in detail
        metadata = client.post("/v1/jobs", json={**article(example_text), "callback_url": urls[13]}).json()
        assert "link-local" in metadata["detail"]
        userinfo = client.post("/v1/jobs", json={**article(example_text), "callback_url": urls[6]}).json()
        assert "user information" in userinfo["detail"]
        lonely = client.post("/v1/jobs", json={**article(example_text), "callback_include_digests": True})
        assert lonely.status_code == 422 and "callback_url" in lonely.json()["detail"]
    assert live.requests == []


def test_every_resolved_address_must_be_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return ["198.51.200.7", "10.1.2.3"]  # one public, one private: refused (never contacted)

    monkeypatch.setattr(webhooks, "system_resolve", mixed)
    with pytest.raises(webhooks.TargetRefused, match="private"):
        asyncio.run(webhooks.check_target("https://cms.example.org/hook", webhooks.Policy()))
    allowed = webhooks.Policy(allow_networks=(ipaddress.ip_network("10.0.0.0/8"),))
    asyncio.run(webhooks.check_target("https://cms.example.org/hook", allowed))


def test_address_rules() -> None:
    refused = ["127.0.0.1", "::1", "::ffff:10.0.0.1", "169.254.169.254", "100.100.1.1", "ff02::1", "240.0.0.1"]
    for text in refused:
        assert webhooks.refusal(ipaddress.ip_address(text)) is not None, text
    assert webhooks.refusal(ipaddress.ip_address("198.51.200.7")) is None
    loopback_ok = (ipaddress.ip_network("127.0.0.0/8"),)
    assert webhooks.refusal(ipaddress.ip_address("127.0.0.5"), loopback_ok) is None
    assert webhooks.refusal(ipaddress.ip_address("::ffff:127.0.0.5"), loopback_ok) is None
    assert webhooks.refusal(ipaddress.ip_address("10.0.0.1"), loopback_ok) == "a private"
    assert webhooks.literal_address("0x7f000001") == ipaddress.ip_address("127.0.0.1")
    assert webhooks.literal_address("127.1") == ipaddress.ip_address("127.0.0.1")
    assert webhooks.literal_address("cafe.example") is None


# -- delivery -----------------------------------------------------------------------------------------------


def test_rebinding_is_refused_at_connect_time(
    monkeypatch: pytest.MonkeyPatch, receivers: list[Receiver], example_text: str
) -> None:
    live = receiver(receivers, 200)
    answers: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        # A public answer while the job is checked, loopback when the worker connects. The public address is
        # never contacted: submission does not connect.
        answer = "198.51.200.7" if not answers else "127.0.0.1"
        answers.append(answer)
        return [answer]

    monkeypatch.setattr(webhooks, "system_resolve", rebinding)
    with app(jobs_callback_attempts="3") as client:
        r = client.post(
            "/v1/jobs", json={**article(example_text), "callback_url": f"http://hooks.example.org:{live.port}/h"}
        )
        assert r.status_code == 202, r.text
        callback = wait_callback(client, r.json()["id"])["callback"]
    assert answers[:2] == ["198.51.200.7", "127.0.0.1"]
    # Refused for good on the first attempt (retrying would only keep probing), with no network details.
    assert callback["status"] == "failed" and callback["attempts"] == 1
    assert callback["last_error"] == webhooks.REFUSED and callback["last_status_code"] is None
    assert live.requests == []


def test_connection_is_pinned_to_the_vetted_address(monkeypatch: pytest.MonkeyPatch, receivers: list[Receiver]) -> None:
    live = receiver(receivers, 204)

    async def to_loopback(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    monkeypatch.setattr(webhooks, "system_resolve", to_loopback)
    policy = webhooks.Policy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),), connect_timeout=3, read_timeout=3)
    url = f"http://hooks.example.org:{live.port}/h?token=1"
    outcome = asyncio.run(webhooks.deliver(url, b"{}", {"Content-Type": "application/json"}, policy))
    assert outcome == webhooks.Outcome(True, status_code=204)
    path, _, headers = live.requests[0]
    # The name stays in the request (Host header; SNI for https); only the dialled address is pinned.
    assert headers["Host"] == f"hooks.example.org:{live.port}" and path == "/h?token=1"


def test_allowed_delivery_is_signed_compact_and_keeps_its_delivery_id(
    receivers: list[Receiver], example_text: str
) -> None:
    flaky = receiver(receivers, 500, 200)
    full = receiver(receivers, 200)
    with app(jobs_callback_allow_networks="127.0.0.0/8") as client:
        job_id = client.post("/v1/jobs", json={**article(example_text), "callback_url": flaky.url}).json()["id"]
        view = wait_callback(client, job_id)
        with_digests = client.post(
            "/v1/jobs",
            json={"articles": [article(example_text, 2)], "callback_url": full.url, "callback_include_digests": True},
        ).json()["id"]
        wait_callback(client, with_digests)
    callback = view["callback"]
    assert callback["status"] == "delivered" and callback["attempts"] == 2
    assert callback["last_status_code"] == 200 and callback["last_error"] is None
    assert len(flaky.requests) == 2
    ids = set()
    for _, body, headers in flaky.requests:
        assert webhooks.verify_signature(SECRET, headers["X-Khulasa-Signature"], body)
        assert not webhooks.verify_signature(SECRET, headers["X-Khulasa-Signature"], body + b" ")
        assert headers["X-Khulasa-Event"] == "job.finished" and headers["X-Khulasa-Job"] == job_id
        ids.add(headers["X-Khulasa-Delivery"])
        sent = json.loads(body)
        assert sent["delivery_id"] == headers["X-Khulasa-Delivery"] and sent["event"] == "job.finished"
    assert len(ids) == 1  # the retry is the same delivery
    assert sent["job"]["id"] == job_id and sent["job"]["status"] == "done"
    assert sent["job"]["results_url"] == f"/v1/jobs/{job_id}" and sent["job"]["finished_at"] is not None
    assert sent["job"]["progress"] == {"done": 1, "failed": 0, "total": 1, "cancelled": 0}
    assert sent["articles"] == [{"index": 0, "ref": "story-1", "status": "done"}]
    big = json.loads(full.requests[0][1])
    assert big["articles"][0]["digest"]["summary"]["ar"] and big["delivery_id"] != sent["delivery_id"]


def test_a_50_mb_answer_is_not_read(receivers: list[Receiver]) -> None:
    huge = receiver(receivers, "big")
    policy = webhooks.Policy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),), connect_timeout=3, read_timeout=5)
    started = time.monotonic()
    outcome = asyncio.run(webhooks.deliver(huge.url, b"{}", {}, policy))
    assert outcome.ok and outcome.status_code == 200
    deadline = time.monotonic() + 10
    while not huge.big_broken and time.monotonic() < deadline:
        time.sleep(0.05)
    # The worker hung up after its 4 KiB: the receiver's writes failed long before 50 MB (what it did get
    # out sat in the kernel's socket buffers, never in the worker).
    assert huge.big_broken and huge.big_sent < BIG // 4, huge.big_sent
    assert time.monotonic() - started < 8


def test_a_redirect_is_not_followed(receivers: list[Receiver], example_text: str) -> None:
    mover = receiver(receivers, ("redirect", 302))
    with app(jobs_callback_allow_networks="127.0.0.0/8", jobs_callback_attempts="1") as client:
        job_id = client.post("/v1/jobs", json={**article(example_text), "callback_url": mover.url}).json()["id"]
        callback = wait_callback(client, job_id)["callback"]
    assert [path for path, _, _ in mover.requests] == ["/hook"]
    assert callback["status"] == "failed" and callback["last_status_code"] == 302
    assert callback["last_error"] == webhooks.REDIRECT


def test_failures_are_reported_in_fixed_words() -> None:
    policy = webhooks.Policy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),), connect_timeout=1, read_timeout=1)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, not listening: connections are refused
        refused = asyncio.run(webhooks.deliver(f"http://127.0.0.1:{port}/", b"{}", {}, policy))
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts (in the kernel) and never answers
        started = time.monotonic()
        timed_out = asyncio.run(webhooks.deliver(f"http://127.0.0.1:{silent.getsockname()[1]}/", b"{}", {}, policy))
        assert time.monotonic() - started < 2.5
    assert refused == webhooks.Outcome(False, error=webhooks.CONNECTION_FAILED)
    assert timed_out == webhooks.Outcome(False, error=webhooks.TIMEOUT)
    not_allowed = asyncio.run(webhooks.deliver(f"http://127.0.0.1:{port}/", b"{}", {}, webhooks.Policy()))
    assert not_allowed == webhooks.Outcome(False, error=webhooks.REFUSED, permanent=True)
    assert {refused.error, timed_out.error, not_allowed.error} <= set(webhooks.FAILURES)


# -- signatures and settings --------------------------------------------------------------------------------


def test_verify_signature() -> None:
    body = b'{"event":"job.finished"}'
    header = webhooks.signature(SECRET, body, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert webhooks.verify_signature(SECRET, header, body, now=1_700_000_100)
    assert not webhooks.verify_signature(SECRET, header, body, now=1_700_000_301)  # older than 5 minutes: a replay
    assert not webhooks.verify_signature(SECRET, header, body, now=1_699_999_000)  # from the future
    assert not webhooks.verify_signature(SECRET.upper(), header, body, now=1_700_000_000)
    assert not webhooks.verify_signature(SECRET, header, body + b"\n", now=1_700_000_000)
    forged = header.replace("t=1700000000", "t=1700000200")  # a fresh timestamp on an old MAC
    assert not webhooks.verify_signature(SECRET, forged, body, now=1_700_000_200)
    for bad in ("", "v1=abc", "t=1700000000", "t=x,v1=" + "0" * 64, "t=²,v1=ab", header.replace("v1=", "v0=")):
        assert not webhooks.verify_signature(SECRET, bad, body, now=1_700_000_000), bad
    # A receiver rotating secrets sees two v1 values; either may match.
    rotated = header + ",v1=" + webhooks.signature("o" * 32, body, 1_700_000_000).split("v1=")[1]
    assert webhooks.verify_signature("o" * 32, rotated, body, now=1_700_000_000)


def test_short_secrets_and_bad_networks_stop_start_up() -> None:
    with pytest.raises(ConfigError, match="callback_secret is 31 bytes; use at least 32") as short:
        make_settings(jobs_callback_secret="s" * 31)
    assert "\n" not in str(short.value)
    with pytest.raises(ConfigError, match="callback_secret is 20 bytes"):
        make_settings(jobs_callback_secret="ض" * 10)  # 10 characters, 20 bytes
    assert make_settings(jobs_callback_secret=SECRET).jobs.callback_secret == SECRET
    with pytest.raises(ConfigError, match="callback_allow_networks: 'intranet'"):
        make_settings(jobs_callback_allow_networks="10.0.0.0/8,intranet")
    with pytest.raises(ConfigError, match="callback_read_timeout_seconds"):
        make_settings(jobs_callback_read_timeout_seconds="0")
    with pytest.raises(ConfigError, match="50 s at most"):
        make_settings(jobs_callback_read_timeout_seconds="45", jobs_callback_connect_timeout_seconds="10")


def test_the_readme_receiver_code_accepts_our_signatures_and_rejects_replays() -> None:
    readme = (HOME / "README.md").read_text(encoding="utf-8")
    start = readme.index("```python\nimport hashlib, hmac, time")
    code = readme[start + len("```python\n") : readme.index("```", start + 10)]
    assert len(code.strip().splitlines()) <= 6
    scope: dict[str, Any] = {}
    exec(code, scope)  # the receiver code exactly as the README shows it
    verified = scope["verified"]
    body = b'{"event":"job.finished"}'
    assert verified(SECRET.encode(), webhooks.signature(SECRET, body), body)
    assert not verified(SECRET.encode(), webhooks.signature(SECRET, body), body + b" ")
    assert not verified(SECRET.encode(), webhooks.signature(SECRET, body, int(time.time()) - 301), body)
    assert not verified(SECRET.encode(), "t=é,v1=é", body)
