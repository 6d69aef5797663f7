"""The API docs pages (Swagger UI at /schema and /schema/swagger, Redoc at /schema/redoc), served with their
assets from the package: no CDN, no web fonts, a strict CSP, CSS that keeps Arabic examples readable.

Vendored from the npm registry (see VERSIONS.md): swagger-ui-dist 5.35.0 (Apache-2.0) and redoc 2.5.1 (MIT).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath

ASSETS_DIR = Path(__file__).parent / "assets"
ASSETS_PATH = "/schema/assets"

# Only these files are served, so no path from a URL reaches the file system.
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "swagger-init.js": "text/javascript",
    "redoc.standalone.js": "text/javascript",
    "khulasa-docs.css": "text/css",
}

# Scripts only from this origin's files; styles may be inline (both UIs set style attributes and Redoc injects
# its style sheet); Redoc's search runs in a worker made from a blob.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


class _Page(OpenAPIRenderPlugin):
    """An HTML page that loads its UI from the package's assets."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()

    def body(self, spec_url: str) -> str:
        raise NotImplementedError

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The page (the schema is fetched by the UI from /schema/openapi.json, which is finished there)."""
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        links = "".join(f'<link rel="stylesheet" href="{ASSETS_PATH}/{name}">' for name in self.styles)
        scripts = "".join(f'<script src="{ASSETS_PATH}/{name}"></script>' for name in self.scripts)
        spec_url = escape(self.get_openapi_json_route(request), quote=True)
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{links}</head>'
            f"<body>{self.body(spec_url)}{scripts}</body></html>"
        ).encode()


class SwaggerPage(_Page):
    """Swagger UI: try the API from the browser (Authorize takes the key)."""

    styles = ("swagger-ui.css", "khulasa-docs.css")
    scripts = ("swagger-ui-bundle.js", "swagger-init.js")

    def body(self, spec_url: str) -> str:
        return f'<div id="swagger-ui" data-spec="{spec_url}"></div>'


class RedocPage(_Page):
    """Redoc: the contract to read."""

    styles = ("khulasa-docs.css",)
    scripts = ("redoc.standalone.js",)

    def body(self, spec_url: str) -> str:
        return f'<redoc spec-url="{spec_url}" hide-download-button="false" native-scrollbars="true"></redoc>'


def docs_pages() -> list[OpenAPIRenderPlugin]:
    """The docs pages: Swagger UI at /schema and /schema/swagger, Redoc at /schema/redoc."""
    return [SwaggerPage(path=["/", "/swagger"]), RedocPage(path="/redoc")]


class DocsAssetsController(Controller):
    """`GET /schema/assets/{name}`: the docs pages' scripts and style sheets."""

    path = ASSETS_PATH
    include_in_schema = False
    opt = {"exclude_from_auth": True, "exclude_from_rate_limit": True}

    @get("/{name:str}", sync_to_thread=False)
    def asset(self, name: FromPath[str]) -> Response[bytes]:
        """One of the docs pages' files (cached for a day: the names change with the version only)."""
        media_type = ASSETS.get(name)
        if media_type is None:
            raise NotFoundException(f"no file {name!r} among the docs assets")
        return Response(
            (ASSETS_DIR / name).read_bytes(),
            media_type=media_type,
            headers={**HEADERS, "Cache-Control": "public, max-age=86400"},
        )
