"""HTTP routes of the digest domain."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath

from service.config import HOME
from service.digest.schemas import Digest, DigestRequest
from service.digest.services import DigestService
from service.errors import DigestNotFound, UnsupportedMediaType

_EXAMPLE = (HOME / "config" / "examples" / "syria-iran-talks.ar.txt").read_text(encoding="utf-8")


def require_json(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """415 for a body sent as anything but JSON (a missing content type is read as JSON)."""
    media = connection.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(f"the body is {media!r}; send the article as application/json")


class DigestController(Controller):
    path = "/v1/digest"
    tags = ["digest"]

    @post(
        "/",
        guards=[require_json],
        status_code=200,
        summary="Digest an Arabic article",
        description="Arabic summary, English translation and highlights of one article, as one JSON document. "
        "A repeated request is answered from the cache with `meta.cached: true` and the same `id`.",
    )
    async def create_digest(
        self,
        data: Annotated[
            DigestRequest,
            Body(
                examples=[
                    Example(
                        summary="A news article with site furniture in its body",
                        value={"text": _EXAMPLE, "format": "text"},
                    )
                ]
            ),
        ],
        digest_service: NamedDependency[DigestService],
    ) -> Digest:
        return await digest_service.create(data)

    @get("/{digest_id:str}", summary="A stored digest by id")
    async def get_digest(self, digest_id: FromPath[str], digest_service: NamedDependency[DigestService]) -> Digest:
        digest = await digest_service.get(digest_id)
        if digest is None:
            raise DigestNotFound(f"no digest with id {digest_id!r} is stored (it may have expired)")
        return digest
