"""The process's logs: one JSON line per record on stderr, from structlog, the stdlib (SAQ, uvicorn, Litestar)
and the request log alike, through one handler that never raises.

- `configure(level)` routes structlog through the stdlib root logger and gives the root one `SafeStreamHandler`
  with structlog's JSON renderer; uvicorn's, SAQ's and Litestar's loggers lose their own handlers and propagate.
- `SafeStreamHandler` drops a record it cannot format or write (EMFILE, a closed stream, a broken pipe) and
  counts it on `khulasa_log_records_dropped_total`, instead of printing a "--- Logging error ---" block per
  record, which at "Too many open files" turns one fault into megabytes of log.
- Expected outages (Redis or a socket unreachable) are logged as one short warning, not a traceback.
- `RequestLog` writes one line per HTTP request: method, path, status, latency, sizes and the digest id when
  there is one. Never the query string, body, headers or keys. Probes and /metrics are logged at debug.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TextIO

import structlog
from litestar.logging.config import StructLoggingConfig
from litestar.plugins.structlog import StructlogConfig
from prometheus_client import Counter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

LOG_RECORDS_DROPPED = Counter(
    "khulasa_log_records_dropped",
    "Log records dropped because the log handler could not format or write them (e.g. too many open files).",
)

# Loggers of the libraries under the service: their records go to the root handler, rendered as JSON.
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "saq", "litestar")
# Paths polled by orchestrators and Prometheus: logged at debug so that info logs hold real traffic.
QUIET_PATHS = ("/health/", "/metrics")
# An outage the service is built to survive (Redis away, a peer refusing): a warning line, not a traceback.
EXPECTED_OUTAGES: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionRefusedError,
    ConnectionResetError,
)
_DIGEST_ID = re.compile(rb'^\{"id":"([0-9a-f]{8,64})"')


class SafeStreamHandler(logging.StreamHandler[TextIO]):
    """A stream handler that never raises and never prints a logging-error block: a record it cannot format or
    write is dropped and counted. Without a stream it writes to whatever `sys.stderr` is at the time."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        """Format and write one record; on any failure drop it and count it."""
        try:
            line = self.format(record)
            stream = self.fixed if self.fixed is not None else sys.stderr
            stream.write(line + self.terminator)
            stream.flush()
        except Exception:
            self.handleError(record)

    def flush(self) -> None:
        """Flush, never raising (the stdlib calls this at exit too)."""
        with contextlib.suppress(Exception):
            super().flush()

    def handleError(self, record: logging.LogRecord) -> None:
        """Count the dropped record (the stdlib default prints a traceback to stderr for each one)."""
        # The counter is a lock and an add; still, nothing here may escape into the caller.
        with contextlib.suppress(Exception):
            LOG_RECORDS_DROPPED.inc()


def _short_outage(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """An expected outage becomes `{"level": "warning", "error": "ConnectionError: …"}` without the traceback."""
    exc_info = event.get("exc_info")
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    if isinstance(exc, BaseException):
        outage = exc if isinstance(exc, EXPECTED_OUTAGES) else exc.__cause__ or exc.__context__
        if isinstance(outage, EXPECTED_OUTAGES):
            event.pop("exc_info")
            event["level"] = "warning"
            event["error"] = f"{type(outage).__name__}: {' '.join(str(outage).split())[:160]}"
    return event


def _drop_colour(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """uvicorn adds an ANSI-coloured copy of its message for terminals: noise in a JSON line."""
    event.pop("color_message", None)
    return event


def _pre_chain() -> list[Any]:
    """Processors for every record, structlog's and the stdlib's: context, level, logger, time."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter() -> logging.Formatter:
    """The one renderer: a JSON object per line, exceptions as one `exception` string (or a short outage)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_pre_chain(), structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _short_outage,
            _drop_colour,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False, default=str, separators=(",", ":")),
        ],
    )


def configure(level: str | int = "info", stream: TextIO | None = None) -> SafeStreamHandler:
    """Send every log of the process (structlog, uvicorn, SAQ, Litestar) as JSON lines to `stream` (default:
    the current sys.stderr), at `level` and above. Idempotent: a second call replaces the handler."""
    numeric = level if isinstance(level, int) else logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_pre_chain(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,  # a later configure() (tests, the CLI) must take effect everywhere
    )
    handler = SafeStreamHandler(stream)
    handler.setFormatter(formatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, SafeStreamHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
        library.setLevel(logging.NOTSET)
    # uvicorn's access line is replaced by RequestLog's; silence it whatever uvicorn was told.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.disabled = True
    # httpx logs every request's full URL at info (a callback URL may carry a token): warnings only.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    # SAQ is noisy at info (every job) and warns on every shutdown with a grace period of 0.
    logging.getLogger("saq").setLevel(max(numeric, logging.WARNING))
    logging.raiseExceptions = False  # belt and braces: a handler we do not own prints no error block either
    return handler


def current_stream() -> TextIO | None:
    """The stream the configured handler writes to (None: sys.stderr at the time of each record)."""
    return next((h.fixed for h in logging.getLogger().handlers if isinstance(h, SafeStreamHandler)), None)


class RequestLog:
    """ASGI wrapper: one `request` line per HTTP request with method, path, status, ms, bytes in and out, and
    the digest `id` (read from the first bytes of a digest answer). Never the query, body, headers or keys."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.log = structlog.get_logger("khulasa.request")

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        """Pass the request through, measuring it; log once it is answered (or failed)."""
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        seen: dict[str, Any] = {"status": None, "bytes_in": 0, "bytes_out": 0, "id": None}

        async def counting_receive() -> Any:
            message = await receive()
            if message.get("type") == "http.request":
                seen["bytes_in"] += len(message.get("body", b""))
            return message

        async def watching_send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if seen["bytes_out"] == 0 and body[:1] == b"{" and (match := _DIGEST_ID.match(body[:64])):
                    seen["id"] = match.group(1).decode()
                seen["bytes_out"] += len(body)
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        finally:
            self._write(scope, seen, start)

    def _write(self, scope: MutableMapping[str, Any], seen: dict[str, Any], start: float) -> None:
        path = str(scope.get("path", ""))
        fields: dict[str, Any] = {
            "method": scope.get("method"),
            "path": path,
            "status": seen["status"] if seen["status"] is not None else 500,
            "ms": round((time.perf_counter() - start) * 1000, 1),
            "bytes_in": seen["bytes_in"],
            "bytes_out": seen["bytes_out"],
        }
        if seen["id"]:
            fields["digest_id"] = seen["id"]
        quiet = path.startswith(QUIET_PATHS) and fields["status"] < 500
        try:
            (self.log.debug if quiet else self.log.info)("request", **fields)
        except Exception:  # the request is answered; a log failure must not turn it into an error
            LOG_RECORDS_DROPPED.inc()


def log_requests(app: Any) -> None:
    """Wrap a Litestar app's ASGI handler in RequestLog, so unrouted 404/405s and middleware answers (401,
    429) are logged too, not only what reaches a route."""
    app.asgi_handler = RequestLog(app.asgi_handler)


@dataclass
class _LitestarLogging(StructLoggingConfig):
    """Litestar's structlog config, made to call `configure` instead of installing its own renderer and stdlib
    handlers (which printed each record twice, in two formats)."""

    level: str = "info"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.standard_lib_logging_config = None  # configure() owns the stdlib root

    def configure(self) -> Callable[..., Any]:
        """Route everything through the one JSON handler; return structlog's logger getter."""
        configure(self.level, current_stream())  # an app built later keeps the stream chosen before it
        return structlog.get_logger  # type: ignore[no-any-return]

    @staticmethod
    def set_level(logger: Any, level: int) -> None:
        """Litestar's debug mode lowers the level: on the root logger, not by replacing structlog's wrapper."""
        logging.getLogger().setLevel(level)


def litestar_config(level: str = "info") -> StructlogConfig:
    """The StructlogPlugin config: our JSON pipeline, and no Litestar request/response lines (RequestLog's
    one line replaces them)."""
    return StructlogConfig(structlog_logging_config=_LitestarLogging(level=level), enable_middleware_logging=False)
