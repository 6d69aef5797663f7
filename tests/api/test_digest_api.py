"""The HTTP API with the default settings (no model weights on these machines), on both stores."""

from __future__ import annotations

from litestar.testing import TestClient

from service.app import runtime_of

Client = TestClient  # type: ignore[type-arg]


def test_example_digest_meets_the_newsroom_bar(client: Client, example_text: str) -> None:
    r = client.post("/v1/digest", json={"text": example_text})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["title"]["ar"].startswith("لقاءات متتابعة للصباغ")
    assert d["summary"]["method"] == "extractive" and d["summary"]["ar"]
    assert 2 <= d["summary"]["ar"].count(".") <= 4
    for furniture in ("فيسبوك", "هوكشتاين", "شاهد أيضاً"):
        assert furniture not in d["summary"]["ar"]
        assert all(furniture not in kp["ar"] for kp in d["highlights"]["key_points"])
    assert [s["ar"] for s in d["sections"]] == ["دعوة للزيارة", "تنسيق مشترك", "ركائز المحور"]
    assert d["removed"].count("تابعونا عبر فيسبوك") == 3 and len(d["removed"]) == 4
    people = {p["ar"] for p in d["highlights"]["entities"]["people"]}
    assert {"بسام الصباغ", "مسعود بزشكيان", "علي أكبر أحمديان", "علي أكبر ولايتي"} <= people
    places = {p["ar"] for p in d["highlights"]["entities"]["places"]}
    assert {"طهران", "سوريا", "إيران"} <= places
    speakers = {q["speaker"] for q in d["highlights"]["quotes"]}
    assert speakers == {"بسام الصباغ", "علي أكبر أحمديان", "علي أكبر ولايتي"}


def test_without_weights_missing_parts_are_null_with_actionable_warnings(client: Client, example_text: str) -> None:
    d = client.post("/v1/digest", json={"text": example_text}).json()
    assert d["translation"] is None and d["summary"]["en"] is None and d["title"]["en"] is None
    warnings = " ".join(w["message"] for w in d["meta"]["warnings"])
    assert {w["code"] for w in d["meta"]["warnings"]} == {"translation-unavailable", "summary-extractive"}
    assert "translation is unavailable" in warnings and "summary is extractive" in warnings
    # Short, the same for every article (a batch repeats them per article): the full reason is in /health/ready.
    assert all(len(w["message"]) <= 120 and "/health/ready" in w["message"] for w in d["meta"]["warnings"])
    assert "KHULASA_TRANSLATION_MODEL" in (runtime_of(client.app).models.status["translation"].detail or "")
    assert d["meta"]["models"]["models"]["translation"] is None


def test_second_identical_request_is_answered_from_the_cache(client: Client, example_text: str) -> None:
    first = client.post("/v1/digest", json={"text": example_text}).json()
    second = client.post("/v1/digest", json={"text": example_text}).json()
    assert first["meta"]["cached"] is False and second["meta"]["cached"] is True
    assert first["id"] == second["id"]
    assert second["summary"] == first["summary"] and second["highlights"] == first["highlights"]
    stored = client.get(f"/v1/digest/{first['id']}")
    assert stored.status_code == 200 and stored.json()["id"] == first["id"]


def test_options_change_the_id(client: Client, example_text: str) -> None:
    a = client.post("/v1/digest", json={"text": example_text}).json()["id"]
    b = client.post("/v1/digest", json={"text": example_text, "options": {"max_key_points": 2}}).json()
    assert b["id"] != a and len(b["highlights"]["key_points"]) == 2


def test_unknown_digest_is_a_404_problem(client: Client) -> None:
    r = client.get("/v1/digest/0123456789abcdef")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 404


def test_html_article(client: Client) -> None:
    html = (
        "<html><body><h1>عنوان الخبر</h1><script>alert('x')</script><p>قال الرئيس السوري إن الوضع مستقر في "
        "دمشق.</p><p>تابعونا عبر فيسبوك</p><h2>تفاصيل</h2><p>وأضاف أن الحكومة تعمل على خطة جديدة.</p></body></html>"
    )
    d = client.post("/v1/digest", json={"text": html, "format": "html"}).json()
    assert d["title"]["ar"] == "عنوان الخبر"
    assert [s["ar"] for s in d["sections"]] == ["تفاصيل"]
    assert d["removed"] == ["تابعونا عبر فيسبوك"]
    assert "alert" not in str(d)


def test_health(client: Client) -> None:
    assert client.get("/health/live").json() == {"status": "alive"}
    ready = client.get("/health/ready").json()
    assert ready["status"] == "degraded"
    caps = ready["capabilities"]
    assert caps["extractive_summary"]["available"] and caps["entities"]["available"] and caps["cache"]["available"]
    assert not caps["translation"]["available"] and not caps["abstractive_summary"]["available"]


def test_openapi_schema_has_the_example_article(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    body = schema["paths"]["/v1/digest"]["post"]["requestBody"]
    assert "تابعونا عبر فيسبوك" in str(body)
    assert "DigestRequest" in str(schema["components"]["schemas"])


def problem(r: object) -> dict[str, object]:
    response = r  # the TestClient's response
    assert response.headers["content-type"].startswith("application/problem+json"), response.text  # type: ignore[attr-defined]
    return response.json()  # type: ignore[attr-defined,no-any-return]


def test_bad_input_gets_problem_details(client: Client) -> None:
    cases = [
        ({"content": "not json", "headers": {"content-type": "application/json"}}, 400, "JSON"),
        ({"json": {"text": ""}}, 422, "empty"),
        ({"json": {"text": "   \n\t  "}}, 422, "empty"),
        ({"json": {"text": "!!! ... ؟؟"}}, 422, "no words"),
        ({"json": {"text": "This is an English article about the weather in London today."}}, 422, "are Arabic"),
        ({"json": {"text": "مرحبا", "options": {"summary": "magic"}}}, 422, "options.summary"),
        ({"json": {"text": "مرحبا", "colour": "red"}}, 422, "colour"),
        ({"json": {"title": "بلا نص"}}, 422, "text"),
        ({"json": {"text": "أ" * 60_001}}, 413, "60000"),
        ({"json": {"text": "مرحبا", "options": {"summary": "abstractive"}}}, 422, "abstractive"),
    ]
    for kwargs, status, words in cases:
        r = client.post("/v1/digest", **kwargs)  # type: ignore[arg-type]
        assert r.status_code == status, (kwargs, r.text)
        body = problem(r)
        assert body["status"] == status
        assert words in str(body), (words, body)


def test_furniture_only_article_is_refused_and_says_why(client: Client) -> None:
    r = client.post("/v1/digest", json={"text": "تابعونا عبر فيسبوك\nشاهد أيضاً: خبر آخر"})
    assert r.status_code == 422 and "furniture" in problem(r)["detail"]  # type: ignore[operator]


def test_body_over_the_byte_limit_is_413(client: Client) -> None:
    r = client.post(
        "/v1/digest",
        content=b'{"text": "' + "ب".encode() * 600_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413


def test_same_article_with_other_furniture_reports_its_own_removed_lines(client: Client, example_text: str) -> None:
    plain = example_text.replace("تابعونا عبر فيسبوك\n", "")
    first = client.post("/v1/digest", json={"text": example_text}).json()
    second = client.post("/v1/digest", json={"text": plain}).json()
    assert second["removed"] == [line for line in first["removed"] if "فيسبوك" not in line]
    assert second["meta"]["cached"] is False


def test_an_overlong_title_is_refused_not_cut(client: Client) -> None:
    r = client.post("/v1/digest", json={"text": "قال الوزير إن الاجتماع كان مثمرا.", "title": "عنوان " * 300})
    assert r.status_code == 422 and "title" in r.json()["detail"]


def test_key_points_do_not_repeat_an_extractive_summary(client: Client, example_text: str) -> None:
    d = client.post("/v1/digest", json={"text": example_text, "options": {"max_key_points": 3}}).json()
    assert d["summary"]["method"] == "extractive"
    in_summary = {i for s in d["summary"]["sentences"] for i in s["sources"]}
    key_points = [kp["sentence"] for kp in d["highlights"]["key_points"]]
    assert in_summary and len(key_points) == 3  # still as many key points as asked for, other sentences
    assert not in_summary & set(key_points)
    assert all(kp["ar"] not in d["summary"]["ar"] for kp in d["highlights"]["key_points"])
