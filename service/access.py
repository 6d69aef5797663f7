"""Who may call the API: API keys and the tenants they belong to, rate-limit identity, windowed meters."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import structlog
from litestar.connection import ASGIConnection, Request
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.middleware.rate_limit import get_remote_address

from service.config import Settings
from service.errors import TooManyFailedKeys

log = structlog.get_logger(__name__)

# Paths anyone may reach: orchestrators probe health without keys.
OPEN_PATHS = ["^/health/"]
# The one tenant of a server without API keys.
PUBLIC = "public"


def hash_key(key: str) -> str:
    """The digest stored in config for an API key (the key itself is never stored or logged)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _per_key(hashes: list[str]) -> dict[str, str]:
    return {h.lower(): f"key:{h.lower()[:12]}" for h in hashes}


def tenant_table(settings: Settings) -> dict[str, str]:
    """Key digest → tenant id: a named tenant for keys listed under [auth.tenants], else one per key
    (`key:` and a prefix of its digest: enough to tell keys apart, never the key)."""
    table = _per_key(settings.auth.api_key_hashes)
    for name, hashes in settings.auth.tenants.items():
        table.update({h.lower(): name for h in hashes})
    return table


def _address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    # The peer's address (a proxy in front must be trusted to pass X-Forwarded-For; see the README).
    client = connection.client
    return client.host if client else "unknown"


def tenant_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The caller's tenant, as the key check set it; "public" when keys are off."""
    user = connection.scope.get("user")
    return user if isinstance(user, str) else PUBLIC


class Meter:
    """Counts per subject in fixed one-minute windows (characters sent, failed keys): in Redis when the
    server has one, so every process counts together; in the process when Redis is absent or failing, so a
    Redis outage never turns a limit off."""

    WINDOW = 60

    def __init__(self, redis: Any | None, namespace: str) -> None:
        self.redis = redis
        self.prefix = f"{namespace}:meter"
        self._local: dict[str, int] = {}
        self._local_window = 0

    def seconds_left(self) -> int:
        """Seconds until the current window ends (a Retry-After)."""
        return self._window()[1]

    def _window(self) -> tuple[int, int]:
        now = time.time()
        window = int(now // self.WINDOW)
        return window, max(1, int((window + 1) * self.WINDOW - now) + 1)

    def _local_add(self, key: str, amount: int, window: int) -> int:
        if window != self._local_window:
            self._local, self._local_window = {}, window  # the old window's counts are done with
        self._local[key] = self._local.get(key, 0) + amount
        return self._local[key]

    async def add(self, name: str, subject: str, amount: int) -> tuple[int, int]:
        """Add to the subject's count in this window; (the count now, seconds until the window ends)."""
        window, retry_after = self._window()
        key = f"{self.prefix}:{name}:{subject}:{window}"
        if self.redis is not None:
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.incrby(key, amount)
                    pipe.expire(key, self.WINDOW * 2)
                    count, _ = await pipe.execute()
                return int(count), retry_after
            except Exception as exc:  # Redis away or full: keep counting here
                log.warning("meter store unavailable, counting in the process", error=type(exc).__name__)
        return self._local_add(key, amount, window), retry_after

    async def take(self, name: str, subject: str, amount: int, limit: int) -> int | None:
        """Count `amount` if it fits under `limit` in this window; else leave the count as it was and return the
        seconds until the window ends (when to retry)."""
        count, retry_after = await self.add(name, subject, amount)
        if count <= limit:
            return None
        await self.add(name, subject, -amount)  # a refused request uses nothing
        return retry_after

    async def count(self, name: str, subject: str) -> int:
        """The subject's count in this window."""
        return (await self.add(name, subject, 0))[0]


class ApiKeyMiddleware(AbstractAuthenticationMiddleware):
    """Accepts `Authorization: Bearer KEY` or `X-API-Key: KEY` when the key's digest is configured; the
    request's user is the key's tenant. Wrong or missing keys are counted per client address: past
    `rate_limit.failed_auth_per_minute` the address gets 429 for the rest of the minute, good key or not,
    so keys cannot be guessed at speed."""

    def __init__(
        self,
        app: Any,
        hashes: list[str] | None = None,
        tenants: dict[str, str] | None = None,
        meter: Meter | None = None,
        failed_per_minute: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(app, **kwargs)
        self._tenants = {**_per_key(hashes or []), **(tenants or {})}
        self._hashes = list(self._tenants)
        self._meter = meter
        self._failed_per_minute = failed_per_minute

    async def _refuse(self, connection: ASGIConnection[Any, Any, Any, Any], detail: str) -> NotAuthorizedException:
        if self._meter is not None and self._failed_per_minute:
            count, retry_after = await self._meter.add("failed-key", _address(connection), 1)
            if count > self._failed_per_minute:
                raise TooManyFailedKeys(
                    f"more than {self._failed_per_minute} requests with a wrong or missing API key from this "
                    f"address this minute (rate_limit.failed_auth_per_minute); retry in {retry_after} s",
                    headers={"Retry-After": str(retry_after)},
                )
        return NotAuthorizedException(detail, headers={"WWW-Authenticate": "Bearer"})

    async def _blocked(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        if self._meter is None or not self._failed_per_minute:
            return
        count = await self._meter.count("failed-key", _address(connection))
        if count >= self._failed_per_minute:
            retry_after = self._meter.seconds_left()
            raise TooManyFailedKeys(
                f"more than {self._failed_per_minute} requests with a wrong or missing API key from this address "
                f"this minute (rate_limit.failed_auth_per_minute); retry in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        # A blocked address is refused before its key is looked at: a guess cannot be confirmed.
        await self._blocked(connection)
        header = connection.headers.get("authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else connection.headers.get("x-api-key", "")
        if not key:
            raise await self._refuse(
                connection, "an API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY`"
            )
        digest = hash_key(key)
        # Every configured digest is compared (constant time each), so timing tells nothing about which matched.
        matched = [h for h in self._hashes if hmac.compare_digest(digest, h)]
        if not matched:
            raise await self._refuse(connection, "the API key is not valid")
        return AuthenticationResult(user=self._tenants[matched[0]], auth=None)


def api_key_middleware(settings: Settings, meter: Meter | None = None) -> DefineMiddleware | None:
    """The key check, or None when no keys are configured (local use)."""
    if not settings.auth.enabled:
        return None
    return DefineMiddleware(
        ApiKeyMiddleware,
        tenants=tenant_table(settings),
        meter=meter,
        failed_per_minute=settings.rate_limit.failed_auth_per_minute,
        exclude=OPEN_PATHS,
    )


def rate_limit_identity(request: Request[Any, Any, Any]) -> str:
    """Limit per tenant when keys are on, else per client address."""
    user = request.scope.get("user")
    return f"tenant:{user}" if isinstance(user, str) else f"ip:{get_remote_address(request)}"
