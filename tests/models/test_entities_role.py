"""The `entities` model role end to end: a tiny BertForTokenClassification loaded from a folder, run in the
highlight stage through the app, merged with the rules; missing or broken, the rules run alone."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import torch
from litestar.testing import TestClient
from transformers import BertForTokenClassification

from service.app import create_app, runtime_of
from service.highlights.ner import ENTITIES_ROLE, ModelEntityFinder
from service.runtime import MODEL_ROLES
from tests.conftest import make_settings
from tests.tiny_models import NER_LABELS, build_tiny_bert_ner

pytestmark = pytest.mark.models

ARTICLE = (
    "وزارة الصحة تعلن خطة جديدة\n"
    "أعلنت وزارة الصحة اليوم عن خطة جديدة لتوسيع شبكة المستشفيات في المحافظات خلال العام المقبل.\n"
    "وحضر الإعلان يوهانس فايت ممثلا عن هيئة الإغاثة، وقال إن الخطة طموحة.\n"
)


@pytest.fixture(scope="module")
def person_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny NER checkpoint whose every word is B-PERS: what it finds is known without training."""
    src = build_tiny_bert_ner(tmp_path_factory.mktemp("tiny-ner") / "bert")
    dst = tmp_path_factory.mktemp("tiny-ner-pers") / "bert"
    shutil.copytree(src, dst)
    model = BertForTokenClassification.from_pretrained(src)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.fill_(-10.0)
        model.classifier.bias[NER_LABELS.index("B-PERS")] = 10.0
    model.save_pretrained(dst)
    return dst


def test_the_entities_role_is_registered_with_the_camel_default() -> None:
    assert ENTITIES_ROLE in MODEL_ROLES
    for profile in ("fast", "quality"):
        entry = make_settings(models_profile=profile).models.roles["entities"]
        assert entry.model == "CAMeL-Lab/bert-base-arabic-camelbert-msa-ner" and entry.licence == "Apache-2.0"


def test_model_spans_reach_the_digest_through_the_app(person_folder: Path) -> None:
    settings = make_settings(
        entities_model=str(person_folder), summary_model="/nonexistent", translation_model="/nonexistent"
    )
    with TestClient(create_app(settings)) as c:
        assert isinstance(runtime_of(c.app).models.get(ENTITIES_ROLE), ModelEntityFinder)
        ready = c.get("/health/ready").json()["capabilities"]
        assert ready["entity_model"]["available"] and ready["entities"]["available"]
        d = c.post("/v1/digest", json={"text": ARTICLE}).json()
        people = {p["ar"] for p in d["highlights"]["entities"]["people"]}
        # The rules do not know يوهانس or فايت; the model (every word a person) names them.
        assert {"يوهانس", "فايت"} <= people
        assert d["meta"]["models"]["models"]["entities"] is not None
        assert "highlights" in d["meta"]["timings_ms"]
        # Timing per article on the tiny model (several runs, the cache bypassed by a changing line).
        started = time.perf_counter()
        for n in range(5):
            r = c.post("/v1/digest", json={"text": ARTICLE + f"وتستمر الخطة {n + 2} سنوات كاملة في المحافظات."})
            assert r.status_code == 200
        per_article = (time.perf_counter() - started) / 5
        print(f"digest with the tiny entities model: {per_article * 1000:.1f} ms per article")


def test_without_the_model_the_rules_run_alone_and_ready_says_so(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    settings = make_settings(entities_model=str(broken), summary_model="/nonexistent", translation_model="/nonexistent")
    with TestClient(create_app(settings)) as c:
        ready = c.get("/health/ready").json()
        assert ready["status"] == "degraded"
        assert not ready["capabilities"]["entity_model"]["available"]
        # The reason is given to keyed callers only; the registry holds it.
        assert str(broken) in runtime_of(c.app).models.status["entities"].detail
        assert ready["capabilities"]["entities"]["available"]
        d = c.post("/v1/digest", json={"text": ARTICLE}).json()
        assert "يوهانس" not in {p["ar"] for p in d["highlights"]["entities"]["people"]}
        assert d["meta"]["models"]["models"]["entities"] is None
