"""Serves the editors' page and its static files from the package: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath

STATIC = Path(__file__).parent / "static"

# Only these files are served, so no path from a URL ever reaches the file system.
ASSETS: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}

# Strict: scripts and styles only from files of this origin (no inline code), calls only to this origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate each time: a new release must not leave an old app.js next to a new index.html.
    "Cache-Control": "no-cache",
}


def web_enabled(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """404 when `web.enabled` is false; an app without a `web` section serves the page."""
    settings = connection.app.state.get("settings")
    if not getattr(getattr(settings, "web", None), "enabled", True):
        raise NotFoundException("the editors' page is switched off (web.enabled = false)")


def _file(name: str, media_type: str) -> Response[bytes]:
    return Response((STATIC / name).read_bytes(), media_type=media_type, headers=HEADERS)


class WebController(Controller):
    """`GET /`: the page; `GET /web/{name}`: its script, style sheet and icon."""

    path = "/"
    tags = ["web"]
    include_in_schema = False
    guards = [web_enabled]
    # The page must load before a key is known (it asks for one after a 401); the API it calls stays guarded.
    opt = {"exclude_from_auth": True, "exclude_from_rate_limit": True}

    @get("/", sync_to_thread=False)
    def index(self) -> Response[bytes]:
        """The page."""
        return _file("index.html", "text/html; charset=utf-8")

    @get("/web/{name:str}", sync_to_thread=False)
    def asset(self, name: FromPath[str]) -> Response[bytes]:
        """One of the page's static files."""
        media_type = ASSETS.get(name)
        if media_type is None:
            raise NotFoundException(f"no file {name!r} in the editors' page")
        return _file(name, media_type)
