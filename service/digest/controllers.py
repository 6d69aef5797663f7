"""HTTP routes of the digest domain."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath

from service.config import HOME
from service.digest.schemas import Digest, DigestRequest
from service.digest.services import DigestService
from service.errors import DigestNotFound

_EXAMPLE = (HOME / "config" / "examples" / "syria-iran-talks.ar.txt").read_text(encoding="utf-8")


class DigestController(Controller):
    path = "/v1/digest"
    tags = ["digest"]

    @post(
        "/",
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
