"""GET /v1/usage: what a tenant has used and may use (shaped after DeepL's /v2/usage)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta


class Usage(msgspec.Struct):
    """The caller's counts and limits now; a limit of null means none is set."""

    tenant: Annotated[str, Meta(description="Your tenant: a named tenant, `key:<prefix of the key's hash>`, or public")]
    character_count: Annotated[int, Meta(description="Article characters sent this minute")]
    character_limit: Annotated[
        int | None, Meta(description="Characters allowed per minute (rate_limit.chars_per_minute)")
    ]
    character_reset_seconds: Annotated[int, Meta(description="Seconds until the character count starts again")]
    queued_articles: Annotated[int, Meta(description="Your articles queued or running")]
    queued_limit: Annotated[int | None, Meta(description="Articles you may have queued or running")]
    queued_ttl_seconds: Annotated[int, Meta(description="How long an article may wait before it expires")]
    requests_per_minute_limit: Annotated[int | None, Meta(description="Requests allowed per minute")]
    max_articles_per_job: Annotated[int, Meta(description="Articles one job may hold")]
    server_queued_articles: Annotated[int, Meta(description="Articles queued or running for all tenants")]
    server_queued_limit: Annotated[int | None, Meta(description="The server's whole queue limit")]
