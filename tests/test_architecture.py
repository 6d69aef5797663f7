"""The shape of the code: one composition root, layers that import only downwards, and the defects that the
old seams let through (a stale digest after a settings change, a job request schema that drifted, a bad model
profile printing a traceback)."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import msgspec
from litestar.testing import TestClient

from service.app import create_app, runtime_of
from service.config import HOME
from service.runtime import Runtime
from tests.conftest import EXAMPLE, make_settings
from tests.test_cli import khulasa

# Lowest first. A module may import from its own layer or any lower one, never from a higher one.
LAYERS: list[tuple[str, ...]] = [
    ("service.config", "service.errors", "service.deadline", "service.metrics", "service"),
    ("service.text", "service.stores", "service.access"),
    ("service.models",),
    ("service.summary", "service.translation", "service.highlights", "service.trust"),
    ("service.digest",),
    ("service.jobs", "service.glossary"),
    ("service.health", "service.web", "service.usage", "service.capabilities"),
    ("service.runtime",),
    ("service.app", "service.server"),
    ("service.cli",),
]


def _layer(module: str) -> int:
    best, depth = -1, -1
    for k, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and prefix.count(".") > depth:
                best, depth = k, prefix.count(".")
    return best


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
    return [m for m in out if m == "service" or m.startswith("service.")]


def test_no_module_imports_from_a_higher_layer() -> None:
    root = HOME / "service"
    upward = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(HOME).with_suffix("").parts).removesuffix(".__init__")
        own = _layer(module)
        assert own >= 0, f"{module} is in no layer: add it to LAYERS"
        upward += [f"{module} (layer {own}) imports {m} (layer {_layer(m)})" for m in _imports(path) if _layer(m) > own]
    assert upward == []


def test_the_model_machinery_knows_no_product_roles() -> None:
    for path in (HOME / "service" / "models").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("service.summary", "service.translation", "service.highlights", "service.digest"):
            assert word not in text, f"{path.name} imports {word}"
        assert '"summary"' not in text and '"translation"' not in text, f"{path.name} names a product role"


def test_changing_the_summary_length_changes_the_id_and_serves_no_stale_digest() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    before = Runtime.build(make_settings(models_load="off"))
    # A restart with other summary bounds, over the same cache (as with Redis).
    after = Runtime.build(
        make_settings(models_load="off", pipeline_summary_min_sentences="1", pipeline_summary_max_sentences="2")
    )
    after.digests.cache.store = before.digests.cache.store
    with TestClient(create_app(runtime=before)) as c:
        old = c.post("/v1/digest", json={"text": text}).json()
    with TestClient(create_app(runtime=after)) as c:
        new = c.post("/v1/digest", json={"text": text}).json()
    assert len(old["summary"]["ar"]) > len(new["summary"]["ar"])
    assert new["id"] != old["id"] and new["meta"]["cached"] is False
    assert new["meta"]["models"]["extractive"].endswith(":1-2")
    assert new["meta"]["models"]["settings"] == {"summary_min_sentences": 1, "summary_max_sentences": 2}


def test_the_id_covers_the_rule_files_that_were_read(tmp_path: Path) -> None:
    names = tmp_path / "names.toml"
    names.write_text((HOME / "config" / "names.toml").read_text(encoding="utf-8") + "\n# another version\n")
    base = Runtime.build(make_settings(models_load="off")).digests.pipeline.identity()
    other = Runtime.build(make_settings(models_load="off", pipeline_names_file=str(names))).digests.pipeline.identity()
    assert base.rules != other.rules


def test_meta_models_is_the_identity_the_id_is_made_of() -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as c:
        d = c.post("/v1/digest", json={"text": EXAMPLE.read_text(encoding="utf-8")}).json()
        identity = runtime_of(c.app).digests.pipeline.identity()
    assert d["meta"]["models"] == msgspec.to_builtins(identity)


def test_a_job_article_is_validated_like_a_digest_request_at_submission() -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as c:
        for body in (
            {"text": "مرحبا بالعالم", "title": "ع" * 1001},
            {"articles": [{"text": "مرحبا", "title": "ع" * 1001}]},
        ):
            r = c.post("/v1/jobs", json=body)
            assert r.status_code == 422, r.text
            problem = r.json()
            assert problem["type"].endswith("/invalid-request") and "title" in problem["detail"]
        assert c.post("/v1/digest", json={"text": "مرحبا", "title": "ع" * 1001}).status_code == 422


def test_a_failed_job_article_carries_a_typed_problem_document() -> None:
    with TestClient(create_app(make_settings(models_load="off"))) as c:
        job = c.post("/v1/jobs", json={"articles": [{"text": "English only, no Arabic at all here."}]}).json()
        for _ in range(200):
            view = c.get(f"/v1/jobs/{job['id']}").json()
            if view["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
    error = view["articles"][0]["error"]
    assert view["status"] == "failed" and error["status"] == 422
    assert error["type"].endswith("/not-arabic") and error["title"] and error["detail"]


def test_a_bad_model_profile_is_one_line_for_every_command() -> None:
    for args in (("models", "status"), ("digest", str(EXAMPLE)), ("models", "convert"), ("serve",)):
        result = khulasa(*args, KHULASA_MODELS_PROFILE="nope")
        assert result.returncode == 1, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "models.profile 'nope'" in lines[0], (args, result.stderr)
        assert "Traceback" not in result.stderr
