"""Guards for slow and greedy clients around the ASGI app, and the uvicorn settings `khulasa serve` uses.

uvicorn times out idle keep-alive connections and refuses work past `limit_concurrency`, but it waits forever
for a request head sent a byte at a time, and for a body trickling in: one slow client holds a connection, a
file descriptor and, for the body, a request slot. Here the head must arrive within
`server.header_timeout_seconds` of the connection (or of its first byte after a response) and the whole body
within `server.body_timeout_seconds` of the head; either answers 408 and closes the connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import msgspec
from litestar.exceptions import HTTPException
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.config import Settings

Scope = dict[str, Any]
Message = dict[str, Any]


def _problem(title: str, detail: str) -> bytes:
    return msgspec.json.encode(
        {"type": "https://khulasa.dev/problems/request-timeout", "title": title, "status": 408, "detail": detail}
    )


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the request head (slowloris)."""

    header_timeout: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def data_received(self, data: bytes) -> None:
        # The first byte of a next request on a kept-alive connection starts its head's clock.
        if self._head_timer is None and self.conn.their_state is h11.IDLE:
            self._arm()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the head is in: the body has its own deadline (BodyDeadline)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        # A request that never came gets a plain 408 and the connection closes (nginx's client_header_timeout).
        body = _problem(
            "The request head was too slow", f"the request line and headers must arrive within {self.header_timeout} s"
        )
        head = (
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\nconnection: close\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        self.transport.write(head + body)
        self.transport.close()


def head_timeout_protocol(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class for uvicorn's `http=` with this head deadline."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": seconds})


class BodyTimeout(HTTPException):
    """The request body did not arrive in time: an HTTP error, so the framework's problem handler answers 408
    (an app that lets it through gets the same answer from BodyDeadline)."""

    status_code = 408


class BodyDeadline:
    """ASGI middleware: the whole request body must arrive within `seconds` of the request head.

    It wraps `receive` only: one timeout context per chunk, nothing buffered, so it costs the same for any body.
    Past the deadline the app's read fails; if no response has started, the client gets 408 problem+json with
    `connection: close`, else the connection is dropped.
    """

    def __init__(self, app: Any, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                message: Message = await receive()  # after the body: only a disconnect is left to wait for
                return message
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(
                    detail=f"the whole request body must arrive within {self.seconds} s",
                    headers={"connection": "close"},
                ) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, watched_send)
        except BodyTimeout:
            if started:
                raise
            await self._answer_408(send)
        except Exception as exc:
            # Frameworks may wrap the read error; a late body is still a 408, never a 500.
            if started or not _caused_by_timeout(exc):
                raise
            await self._answer_408(send)

    async def _answer_408(self, send: Any) -> None:
        body = _problem("The request body was too slow", f"the whole body must arrive within {self.seconds} s")
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"connection", b"close"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 408, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _caused_by_timeout(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 16:  # bounded: exception chains can loop
        if isinstance(exc, BodyTimeout):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def guarded(app: Any, settings: Settings) -> BodyDeadline:
    """The app as `khulasa serve` runs it: behind the body deadline."""
    return BodyDeadline(app, settings.server.body_timeout_seconds)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run keyword arguments for the server settings (timeouts, concurrency ceiling, head size)."""
    server = settings.server
    return {
        "http": head_timeout_protocol(server.header_timeout_seconds),
        "timeout_keep_alive": server.timeout_keep_alive,
        "limit_concurrency": server.limit_concurrency,
        "h11_max_incomplete_event_size": server.h11_max_incomplete_event_size,
        "log_level": server.log_level,
    }
