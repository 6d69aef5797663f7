"""Who may call the API: optional API keys, rate-limit identity, CORS."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.middleware.rate_limit import get_remote_address

from service.config import Settings

# Paths anyone may reach: orchestrators probe health without keys.
OPEN_PATHS = ["^/health/"]


def hash_key(key: str) -> str:
    """The digest stored in config for an API key (the key itself is never stored or logged)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyMiddleware(AbstractAuthenticationMiddleware):
    """Accepts `Authorization: Bearer KEY` or `X-API-Key: KEY` when the key's digest is configured."""

    def __init__(self, app: Any, hashes: list[str], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._hashes = [h.lower() for h in hashes]

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else connection.headers.get("x-api-key", "")
        if not key:
            raise NotAuthorizedException(
                "an API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        digest = hash_key(key)
        if not any(hmac.compare_digest(digest, h) for h in self._hashes):
            raise NotAuthorizedException("the API key is not valid", headers={"WWW-Authenticate": "Bearer"})
        # The identity is a prefix of the digest: enough to tell keys apart in limits and logs.
        return AuthenticationResult(user=f"key:{digest[:12]}", auth=None)


def api_key_middleware(settings: Settings) -> DefineMiddleware | None:
    """The key check, or None when no keys are configured (local use)."""
    if not settings.auth.api_key_hashes:
        return None
    return DefineMiddleware(ApiKeyMiddleware, hashes=settings.auth.api_key_hashes, exclude=OPEN_PATHS)


def tenant_of(request: Request[Any, Any, Any]) -> str:
    """The newsroom: the API key's identity ("key:abc123...") when keys are on, else "public"."""
    user = request.scope.get("user")
    return user if isinstance(user, str) and user else "public"


def rate_limit_identity(request: Request[Any, Any, Any]) -> str:
    """Limit per API key when keys are on, else per client address."""
    user = request.scope.get("user")
    return user if isinstance(user, str) else f"ip:{get_remote_address(request)}"
