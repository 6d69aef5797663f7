"""The digest identity, computed in one place: what the id, both cache keys and `meta.models` are made of."""

from __future__ import annotations

import hashlib

import msgspec

from service.digest.schemas import DigestIdentity, DigestOptions, DigestRequest, OutputSettings
from service.text.segment import Article

# Bump when cleaning, segmentation, highlight rules or assembly change, so that no stale digest is served.
PIPELINE_VERSION = "9"


def digest_identity(
    models: dict[str, str | None], extractive: str, rules: str, settings: OutputSettings, glossary: str = ""
) -> DigestIdentity:
    """Everything besides the article and the options that a digest's content depends on (the glossary's
    version included: a changed glossary changes the English, so the id)."""
    return DigestIdentity(PIPELINE_VERSION, dict(sorted(models.items())), extractive, rules, settings, glossary)


def _hash(payload: object) -> str:
    return hashlib.sha256(msgspec.json.encode(payload, order="sorted")).hexdigest()[:32]


def digest_key(article: Article, options: DigestOptions, identity: DigestIdentity) -> str:
    """The digest id: the cleaned article (and what was taken out of it), the options and the identity."""
    return _hash(["digest", article.canonical_text(), article.removed, options, identity])


def request_key(request: DigestRequest, options: DigestOptions, identity: DigestIdentity) -> str:
    """The key of a request as sent (before cleaning), so a byte-identical request skips cleaning."""
    return _hash(["request", request.text, request.title, request.format, options, identity])
