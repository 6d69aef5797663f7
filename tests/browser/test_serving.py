"""The page's HTTP side, without a browser: served from the package, strict CSP, switchable, open under keys."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from service.access import hash_key
from service.app import create_app
from service.web.controllers import ASSETS, STATIC
from tests.browser.conftest import weight_free, with_page


def test_page_and_assets_are_served_with_a_strict_policy() -> None:
    with TestClient(with_page(create_app(weight_free()))) as c:
        r = c.get("/")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        html = r.text
        assert '<html lang="ar" dir="rtl">' in html
        # Every script is a file of this origin: no inline code, no CDN, no external font.
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/web/app.js" defer>']
        assert not re.search(r"https?://", html.replace('href="/schema"', ""))
        for name, media in ASSETS.items():
            a = c.get(f"/web/{name}")
            assert a.status_code == 200, name
            assert a.headers["content-type"].split(";")[0] == media.split(";")[0]
            assert a.content == (STATIC / name).read_bytes()
            # Nothing is fetched from elsewhere (an SVG's xmlns is a name, not a request).
            assert not re.search(r"https?://", a.text.replace("http://www.w3.org/2000/svg", "")), name
        assert c.get("/web/index.html").status_code == 404  # only the listed files
        assert c.get("/web/..%2Fcontrollers.py").status_code == 404


def test_the_css_never_breaks_arabic_words() -> None:
    css = re.sub(r"/\*.*?\*/", "", (STATIC / "app.css").read_text(encoding="utf-8"), flags=re.S)
    assert "break-all" not in css and "hyphens: auto" not in css
    assert "Noto Naskh Arabic" in css and "Tahoma" in css
    # overflow-wrap: anywhere only on Latin (left-to-right) runs, never on the page or Arabic text.
    for rule in re.findall(r"([^{}]+)\{[^}]*overflow-wrap:\s*anywhere", css):
        assert all("ltr" in sel or "latin" in sel or "code" in sel for sel in rule.split(",")), rule


def test_page_is_off_when_web_enabled_is_false() -> None:
    with TestClient(with_page(create_app(weight_free(web_enabled="false")))) as c:
        r = c.get("/")
        assert r.status_code == 404
        assert "web.enabled" in r.json()["detail"]
        assert c.get("/web/app.js").status_code == 404
        assert c.get("/health/live").status_code == 200


def test_page_loads_without_a_key_while_the_api_needs_one() -> None:
    settings = weight_free(auth_api_key_hashes=hash_key("editor-key"))
    with TestClient(with_page(create_app(settings))) as c:
        assert c.get("/").status_code == 200
        assert c.get("/web/app.js").status_code == 200
        assert c.post("/v1/digest", json={"text": "مرحبا بالعالم"}).status_code == 401
        assert "/" not in c.get("/schema/openapi.json", headers={"X-API-Key": "editor-key"}).json()["paths"]
