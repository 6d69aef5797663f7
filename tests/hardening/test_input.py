"""Anything an editor can paste or a CMS can send gets a clear 4xx problem, never a 500 or a hang."""

from __future__ import annotations

import json

import pytest
from litestar.testing import TestClient

from service.app import create_app
from tests.conftest import make_settings

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def api() -> Client:
    with TestClient(create_app(make_settings(models_load="off"))) as c:
        yield c


def problem_of(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body.get("title")
    return body


def test_wrong_content_type_is_415(api: Client) -> None:
    r = api.post("/v1/digest", content="text=مرحبا", headers={"content-type": "application/x-www-form-urlencoded"})
    assert "application/json" in str(problem_of(r, 415)["detail"])
    r = api.post("/v1/digest", content="مرحبا", headers={"content-type": "text/plain; charset=utf-8"})
    problem_of(r, 415)


def test_json_with_a_charset_or_a_json_suffix_is_accepted(api: Client) -> None:
    body = json.dumps({"text": "قال الوزير إن الاجتماع كان مثمرا."}).encode()
    for media in ("application/json; charset=utf-8", "application/vnd.khulasa+json"):
        assert api.post("/v1/digest", content=body, headers={"content-type": media}).status_code == 200


def test_invalid_utf8_is_400(api: Client) -> None:
    r = api.post("/v1/digest", content=b'{"text": "\xff\xfe\xd8"}', headers={"content-type": "application/json"})
    assert "UTF-8" in str(problem_of(r, 400)["title"])


def test_lone_surrogate_escape_is_400(api: Client) -> None:
    r = api.post(
        "/v1/digest",
        content=b'{"text": "\\ud800 \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"}',
        headers={"content-type": "application/json"},
    )
    problem_of(r, 400)


def test_html_with_script_style_comments_and_entities(api: Client) -> None:
    html = (
        "<style>.x{}</style><p>قال الوزير &laquo;إن الحوار مستمر&raquo; &amp; أكد أن الاجتماع مثمر.</p>"
        "<!-- <p>نص مخفي</p> --><script>document.write('نص خبيث')</script>"
    )
    d = api.post("/v1/digest", json={"text": html, "format": "html"}).json()
    # A one-sentence article: its sentence is the (extractive) summary, so no key point repeats it.
    sentences = " ".join([d["summary"]["ar"], *(k["ar"] for k in d["highlights"]["key_points"])])
    assert "«إن الحوار مستمر»" in sentences and "&" in sentences
    assert "مخفي" not in json.dumps(d, ensure_ascii=False) and "خبيث" not in json.dumps(d, ensure_ascii=False)


def test_a_20000_character_sentence_without_punctuation_is_digested(api: Client) -> None:
    text = ("كلمة عربية طويلة " * 1200)[:20_000]
    r = api.post("/v1/digest", json={"text": text})
    assert r.status_code == 200
    assert r.json()["meta"]["input"]["sentences"] == 1


def test_mixed_arabic_and_english_is_accepted_while_mostly_arabic(api: Client) -> None:
    text = "قال الرئيس التنفيذي لشركة Apple تيم كوك إن الشركة ستفتتح مكتبا في الرياض العام المقبل."
    assert api.post("/v1/digest", json={"text": text}).status_code == 200
    english = "Apple CEO Tim Cook said the company will open an office in Riyadh next year. " * 3 + "مرحبا"
    body = problem_of(api.post("/v1/digest", json={"text": english}), 422)
    assert "Latin" in str(body["detail"]) and body["arabic_ratio"] < 0.5  # type: ignore[operator]


def test_unknown_option_value_names_the_field(api: Client) -> None:
    body = problem_of(api.post("/v1/digest", json={"text": "مرحبا", "options": {"translate": "fr"}}), 422)
    assert "options.translate" in str(body["detail"])


def test_wrong_types_are_422(api: Client) -> None:
    for payload in (
        {"text": 42},
        {"text": ["مرحبا"]},
        {"text": "مرحبا", "format": "pdf"},
        {"text": "مرحبا", "options": {"max_key_points": -1}},
        {"text": "مرحبا", "options": "all"},
    ):
        problem_of(api.post("/v1/digest", json=payload), 422)


def test_html_limit_allows_markup_but_not_a_huge_article(api: Client) -> None:
    markup = "<p>" + "نص قصير. " + "</p>" + "<div class='ad'></div>" * 20_000  # ~440 KB of markup, little text
    assert api.post("/v1/digest", json={"text": markup, "format": "html"}).status_code in (200, 413)
    big = "<p>" + "كلمة " * 70_000 + "</p>"
    problem_of(api.post("/v1/digest", json={"text": big, "format": "html"}), 413)
