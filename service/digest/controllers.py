"""HTTP routes of the digest domain."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from service.access import tenant_of
from service.config import HOME
from service.digest.schemas import Digest, DigestRequest
from service.digest.services import DigestEvent, DigestService
from service.errors import DigestNotFound, UnsupportedMediaType

KEEP_ALIVE_SECONDS = 10.0  # a comment line this often while a model works, so proxies keep the stream open
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
        request: Request[Any, Any, Any],
    ) -> Digest:
        return await digest_service.create(data, tenant=tenant_of(request))

    @post(
        "/stream",
        guards=[require_json],
        status_code=200,
        summary="Digest an Arabic article, each part as soon as it is ready (server-sent events)",
        description="The same request as POST /v1/digest. Events, in order: `article`, `summary`, `highlights`, "
        "zero or more `translation` batches, then `digest` (the same document POST /v1/digest returns) — or "
        "`error` (a problem document). Refusals before any work are answered as POST /v1/digest answers them.",
    )
    async def stream_digest(
        self,
        data: Annotated[DigestRequest, Body()],
        digest_service: NamedDependency[DigestService],
        request: Request[Any, Any, Any],
    ) -> ServerSentEvent:
        events = digest_service.stream(data, tenant=tenant_of(request))
        first = await anext(events)  # a refusal before the first event is an ordinary problem answer
        return ServerSentEvent(
            _messages(first, events), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )

    @get("/{digest_id:str}", summary="A stored digest by id")
    async def get_digest(self, digest_id: FromPath[str], digest_service: NamedDependency[DigestService]) -> Digest:
        digest = await digest_service.get(digest_id)
        if digest is None:
            raise DigestNotFound(f"no digest with id {digest_id!r} is stored (it may have expired)")
        return digest


async def _messages(first: DigestEvent, events: AsyncGenerator[DigestEvent]) -> AsyncIterator[ServerSentEventMessage]:
    """Events as SSE messages, with a keep-alive comment whenever none came for a while."""
    pending: asyncio.Future[DigestEvent] | None = None
    try:
        yield _message(first)
        while True:
            pending = asyncio.ensure_future(anext(events))
            while not (await asyncio.wait({pending}, timeout=KEEP_ALIVE_SECONDS))[0]:
                yield ServerSentEventMessage(comment="keep-alive")
            try:
                event = pending.result()
            except StopAsyncIteration:
                return
            yield _message(event)
    finally:
        # A client that went away: stop waiting, close the stream; the run's deadline is cancelled and its
        # slot comes back when its thread stops.
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        await events.aclose()


def _message(event: DigestEvent) -> ServerSentEventMessage:
    name, payload = event
    return ServerSentEventMessage(event=name, data=msgspec.json.encode(payload).decode())
