"""Job callbacks (webhooks): where they may go, what they carry, how they are signed and sent.

Targets are checked twice. At submission the URL must be http(s) with a plain host (no `user@`), and every
address its host stands for must be public. At delivery the host is resolved again and vetted again, and
the connection goes to exactly the address that was vetted: the network backend below refuses to dial any
other, so a DNS answer that changes between the check and the connect (rebinding) cannot redirect it. The
URL keeps its host name, so the Host header and, for https, SNI and certificate checks use the name.

Signatures follow Stripe's scheme: `X-Khulasa-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." +
body)>`; receivers check the HMAC and reject timestamps older than a few minutes (`verify_signature`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import re
import socket
import ssl
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx
import msgspec

from service.digest.schemas import Digest
from service.errors import ProblemDocument
from service.jobs.schemas import ArticleStatus, JobStatus, JobView, Progress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

EVENT_JOB_FINISHED = "job.finished"
SIGNATURE_HEADER = "X-Khulasa-Signature"
DELIVERY_HEADER = "X-Khulasa-Delivery"
EVENT_HEADER = "X-Khulasa-Event"
JOB_HEADER = "X-Khulasa-Job"
MIN_SECRET_BYTES = 32
# The receiver's answer is read up to this many bytes and discarded: only its status matters.
MAX_RESPONSE_BYTES = 4096
DEFAULT_TOLERANCE_SECONDS = 300

# What a job's `callback.last_error` may say: a fixed vocabulary, never exception text, addresses or ports
# (free text made the job view a port scanner).
REFUSED = "refused: target not allowed"
UNRESOLVED = "host could not be resolved"
TIMEOUT = "timeout"
CONNECTION_FAILED = "connection failed"
REDIRECT = "redirect not followed"
ERROR_STATUS = "receiver answered an error status"
NO_SECRET = "not sent: no signing secret (jobs.callback_secret)"
FAILURES = (REFUSED, UNRESOLVED, TIMEOUT, CONNECTION_FAILED, REDIRECT, ERROR_STATUS, NO_SECRET)

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_HOSTNAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
# Legacy IPv4 spellings that resolvers accept without asking DNS: 127.1, 2130706433, 0x7f000001, 017700000001.
_NUMERIC_V4 = re.compile(r"[0-9a-fx.]+")
_DELIVERY_NS = uuid.UUID("6f1d9a52-3c1e-4e0b-9b8e-5a4f0c2d7e11")


class TargetRefused(Exception):
    """The callback URL may not be used; `reason` completes "callback_url …" for the client."""

    def __init__(self, reason: str, *, unresolved: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unresolved = unresolved


@dataclass(frozen=True)
class Policy:
    """Where callbacks may go and how long a delivery may take."""

    allow_networks: tuple[IPNetwork, ...] = ()
    connect_timeout: float = 5.0
    read_timeout: float = 10.0


def policy_from(allow_networks: Iterable[str], connect_timeout: float, read_timeout: float) -> Policy:
    """A Policy from the `jobs.callback_*` settings (checked at start-up, so the CIDRs parse)."""
    nets = tuple(ipaddress.ip_network(n, strict=False) for n in allow_networks)
    return Policy(nets, connect_timeout, read_timeout)


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    host: str  # as sent in the URL: an IDNA name, or an IP literal without brackets
    port: int


def parse_target(url: str) -> Target:
    """Check the URL's form: http(s), a host, no user information, a valid port."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise TargetRefused("is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise TargetRefused("must start with http:// or https://")
    if parsed.userinfo:
        raise TargetRefused("must not contain user information (user@host)")
    host = parsed.raw_host.decode("ascii").lower()
    if not host:
        raise TargetRefused("has no host")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise TargetRefused("has a malformed IPv6 address") from None
    elif not _HOSTNAME.fullmatch(host):
        raise TargetRefused("has a host with characters a host name cannot have")
    port = parsed.port if parsed.port is not None else (443 if parsed.scheme == "https" else 80)
    if not 1 <= port <= 65535:
        raise TargetRefused("has a port outside 1..65535")
    return Target(parsed, host, port)


def literal_address(host: str) -> IPAddress | None:
    """The address a host names without DNS: an IP literal, or a legacy IPv4 spelling (127.1, 0x7f000001)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_V4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    # IPv6 forms that carry an IPv4 address the packet may end up at: ::ffff:a.b.c.d, 6to4, NAT64.
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _category(ip: IPAddress) -> str | None:
    if ip.is_unspecified:
        return "an unspecified"
    if ip.is_loopback:
        return "a loopback"
    if ip.is_link_local:
        return "a link-local (or cloud metadata)"
    if ip.is_multicast:
        return "a multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a shared (carrier-grade NAT)"
    if ip.is_private:
        return "a private"
    if ip.is_reserved:
        return "a reserved"
    if not ip.is_global:
        return "a non-public"
    return None


def refusal(ip: IPAddress, allow: Iterable[IPNetwork] = ()) -> str | None:
    """Why a callback may not go to this address ("a loopback", …), or None when it may."""
    inner = _embedded_v4(ip)
    candidates = [ip] if inner is None else [ip, inner]
    allowed = list(allow)
    if any(c.version == net.version and c in net for c in candidates for net in allowed):
        return None
    for candidate in candidates:
        why = _category(candidate)
        if why:
            return why
    return None


async def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, off the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def vetted_addresses(target: Target, policy: Policy) -> list[IPAddress]:
    """Every address the target's host stands for, each allowed; TargetRefused when any is not."""
    literal = literal_address(target.host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            # Looked up through the module attribute so tests can stand in a resolver.
            found = await asyncio.wait_for(system_resolve(target.host, target.port), policy.connect_timeout)
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
        except (OSError, TimeoutError, ValueError, UnicodeError):
            addresses = []
        if not addresses:
            raise TargetRefused("has a host that could not be resolved", unresolved=True)
    for ip in addresses:
        why = refusal(ip, policy.allow_networks)
        if why:
            noun = "is" if literal is not None else "resolves to"
            raise TargetRefused(
                f"{noun} {why} address, which callbacks may not reach (an operator can allow a network in "
                "jobs.callback_allow_networks)"
            )
    return addresses


async def check_target(url: str, policy: Policy) -> None:
    """Submission-time check of a callback URL: its form and every address it resolves to now."""
    await vetted_addresses(parse_target(url), policy)


# -- payload and signature --------------------------------------------------------------------------------


class CallbackArticle(msgspec.Struct, omit_defaults=True):
    """One article in a callback: always index, ref and status; digest and error only when asked for."""

    index: int
    ref: str | None
    status: ArticleStatus
    digest: Digest | None = None
    error: ProblemDocument | None = None


class CallbackJob(msgspec.Struct):
    id: str
    status: JobStatus
    progress: Progress
    created_at: str  # ISO 8601, as the job view
    finished_at: str | None
    results_url: str


class CallbackPayload(msgspec.Struct):
    """The body POSTed to callback_url when a job finishes."""

    event: str
    delivery_id: str
    job: CallbackJob
    articles: list[CallbackArticle]


def delivery_id(job_id: str, event: str = EVENT_JOB_FINISHED) -> str:
    """One id per (job, event): the same on every retry and on a duplicate enqueue, so receivers can dedupe."""
    return str(uuid.uuid5(_DELIVERY_NS, f"{job_id}:{event}"))


def payload(view: JobView, delivery: str, include_digests: bool = False) -> bytes:
    """The callback body: compact (per-article index, ref, status), or with digests and errors when asked."""
    articles = [
        CallbackArticle(a.index, a.ref, a.status, a.digest, a.error)
        if include_digests
        else CallbackArticle(a.index, a.ref, a.status)
        for a in view.articles
    ]
    job = CallbackJob(view.id, view.status, view.progress, view.created_at, view.finished_at, f"/v1/jobs/{view.id}")
    return msgspec.json.encode(CallbackPayload(EVENT_JOB_FINISHED, delivery, job, articles))


def _mac(secret: str | bytes, timestamp: int, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature(secret: str | bytes, body: bytes, timestamp: int | None = None) -> str:
    """The X-Khulasa-Signature value: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_mac(secret, t, body)}"


def verify_signature(
    secret: str | bytes,
    header: str,
    body: bytes,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` signs exactly `body` with `secret` and its timestamp is within the tolerance."""
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdecimal() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1":
            macs.append(value)
    if timestamp is None or not macs:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False  # a replay of an old delivery, or a clock far off
    expected = _mac(secret, timestamp, body)
    # Every v1 is compared (several appear while a secret is rotated), each in constant time.
    return any(hmac.compare_digest(expected.encode(), mac.encode("ascii", "replace")) for mac in macs)


def headers(secret: str, job_id: str, delivery: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers of one delivery attempt (signed afresh each attempt, so the timestamp is current)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "Khulasa-Webhooks/1",
        SIGNATURE_HEADER: signature(secret, body, timestamp),
        DELIVERY_HEADER: delivery,
        EVENT_HEADER: EVENT_JOB_FINISHED,
        JOB_HEADER: job_id,
    }


# -- delivery ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One delivery attempt: ok, the HTTP status when there was an answer, a FAILURES phrase otherwise."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    permanent: bool = False  # retrying cannot help (the target is refused)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Dials only the vetted address, for the target's own host and port; anything else is refused."""

    def __init__(self, host: str, port: int, address: IPAddress) -> None:
        self._host, self._port, self._address = host, port, str(address)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if host.lower() != self._host or port != self._port:
            raise httpcore.ConnectError("not the vetted target")
        return await self._inner.connect_tcp(self._address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not callback targets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


async def deliver(url: str, body: bytes, request_headers: dict[str, str], policy: Policy) -> Outcome:
    """POST `body` to the callback URL once: re-vetted, pinned, no redirects, answer capped and discarded."""
    try:
        # The per-operation timeouts do not bound a slow resolver or a receiver that trickles bytes; this
        # bounds the whole attempt.
        async with asyncio.timeout(policy.connect_timeout + policy.read_timeout):
            target = parse_target(url)
            addresses = await vetted_addresses(target, policy)
            status = await _post_pinned(target, addresses, body, request_headers, policy)
    except TargetRefused as exc:
        return Outcome(False, error=UNRESOLVED) if exc.unresolved else Outcome(False, error=REFUSED, permanent=True)
    except (TimeoutError, httpcore.TimeoutException):
        return Outcome(False, error=TIMEOUT)
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError, ssl.SSLError):
        return Outcome(False, error=CONNECTION_FAILED)
    if 200 <= status < 300:
        return Outcome(True, status_code=status)
    if 300 <= status < 400:
        return Outcome(False, status_code=status, error=REDIRECT)
    return Outcome(False, status_code=status, error=ERROR_STATUS)


async def _post_pinned(
    target: Target, addresses: list[IPAddress], body: bytes, request_headers: dict[str, str], policy: Policy
) -> int:
    """The answer's status; each vetted address is tried in turn until one accepts the connection."""
    core_url = httpcore.URL(
        scheme=target.url.raw_scheme, host=target.url.raw_host, port=target.url.port, target=target.url.raw_path
    )
    extensions = {
        "timeout": {
            "connect": policy.connect_timeout,
            "read": policy.read_timeout,
            "write": policy.read_timeout,
            "pool": policy.connect_timeout,
        }
    }
    unique = list(dict.fromkeys(addresses))
    for n, address in enumerate(unique):
        # httpcore rather than httpx: it follows no redirects, reads no proxy settings from the environment,
        # and takes a network backend, which is where the pin lives.
        pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(),
            network_backend=_PinnedBackend(target.host, target.port, address),
            retries=0,
        )
        try:
            async with (
                pool,
                pool.stream(
                    "POST", core_url, headers=list(request_headers.items()), content=body, extensions=extensions
                ) as response,
            ):
                received = 0
                async for chunk in response.aiter_stream():
                    received += len(chunk)
                    if received >= MAX_RESPONSE_BYTES:
                        break  # leaving the stream unread closes the connection: nothing more is taken in
                return response.status
        except httpcore.ConnectError:
            if n == len(unique) - 1:
                raise
    raise httpcore.ConnectError("no address")  # unreachable: vetted_addresses never returns an empty list
