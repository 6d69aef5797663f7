"""The model path on tiny real checkpoints (MarianMT and mT5 built in-session): structure and invariants only,
since random weights produce gibberish."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from service.access import hash_key
from service.app import create_app
from service.config import HOME
from service.digest.schemas import DigestRequest
from service.digest.stages import TextResources, prepare
from service.models.seq2seq import ModelSpec, Seq2SeqModel
from service.runtime import Runtime
from service.translation.seq2seq import Seq2SeqTranslator
from tests.conftest import build_runtime, make_settings, metric, summarizer_of, translator_of
from tests.tiny_models import build_tiny_bert_ner

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def runtime(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    ner = build_tiny_bert_ner(tmp_path_factory.mktemp("tiny-ner") / "bert")
    rt = build_runtime(
        summary_model=str(tiny_models["summary"]),
        translation_model=str(tiny_models["translation"]),
        entities_model=str(ner),
    )
    rt.models.load_all()
    return rt


@pytest.fixture
def model_client(runtime: Runtime) -> Iterator[TestClient]:  # type: ignore[type-arg]
    # A fresh runtime (stores and queue belong to one event loop) around the models loaded once.
    with TestClient(create_app(runtime=Runtime.build(runtime.settings, models=runtime.models))) as c:
        yield c


def test_both_roles_load_from_local_folders(runtime: Runtime) -> None:
    assert runtime.models.status["summary"].available and runtime.models.status["translation"].available
    assert type(translator_of(runtime).model.model).__name__ == "MarianMTModel"
    assert type(summarizer_of(runtime).model.model).__name__ == "MT5ForConditionalGeneration"
    assert translator_of(runtime).model.input_limit == 64  # the tiny Marian's position table


def test_example_digest_with_models(model_client: TestClient, example_text: str) -> None:  # type: ignore[type-arg]
    r = model_client.post("/v1/digest", json={"text": example_text})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["summary"]["method"] == "abstractive" and d["summary"]["ar"]
    assert d["summary"]["model"].startswith(str(Path(d["meta"]["models"]["models"]["summary"].split("@")[0])))
    sentences = d["translation"]["sentences"]
    assert len(sentences) == 11
    assert sentences[0]["ar"].startswith("التقى وزير الخارجية")
    assert all(s["en"] for s in sentences)
    assert all(kp["en"] for kp in d["highlights"]["key_points"])
    assert all(q["en"] for q in d["highlights"]["quotes"])
    assert all(p["en"] for p in d["highlights"]["entities"]["people"])
    assert d["title"]["en"] and d["summary"]["en"]
    assert [s["ar"] for s in d["sections"]] == ["دعوة للزيارة", "تنسيق مشترك", "ركائز المحور"]
    assert not any(w["code"] == "translation-unavailable" for w in d["meta"]["warnings"])
    ready = model_client.get("/health/ready").json()
    assert ready["status"] == "ready", ready


def test_translate_summary_only_leaves_the_article_untranslated(model_client: TestClient, example_text: str) -> None:  # type: ignore[type-arg]
    d = model_client.post("/v1/digest", json={"text": example_text, "options": {"translate": "summary"}}).json()
    assert d["translation"] is None and d["summary"]["en"] and d["title"]["en"]
    d = model_client.post(
        "/v1/digest", json={"text": example_text, "options": {"translate": "none", "summary": "extractive"}}
    ).json()
    assert d["translation"] is None and d["summary"]["en"] is None and d["summary"]["method"] == "extractive"


def test_models_are_loaded_once_and_shared_across_requests(
    runtime: Runtime, model_client: TestClient, example_text: str
) -> None:  # type: ignore[type-arg]
    loaded = {role: runtime.models.get(r) for role, r in runtime.models.roles.items()}
    loads = metric("khulasa_model_loads_total", role="summary", outcome="loaded")
    for k in range(3):
        model_client.post("/v1/digest", json={"text": example_text, "options": {"max_key_points": k + 1}})
    # The app's lifespan found the models loaded and loaded nothing again: the same objects serve every request.
    assert {role: runtime.models.get(r) for role, r in runtime.models.roles.items()} == loaded
    assert metric("khulasa_model_loads_total", role="summary", outcome="loaded") == loads


class _CountingModel:
    """Wraps the real loaded model and counts generate calls and batch sizes; generation is real."""

    def __init__(self, model: Seq2SeqModel) -> None:
        self.model = model
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def generate(self, texts: list[str], *args: Any, **kw: Any) -> list[str]:
        self.batches.append(len(texts))
        return self.model.generate(texts, *args, **kw)


def test_translation_is_batched_by_length_and_one_per_input(runtime: Runtime) -> None:
    counting = _CountingModel(translator_of(runtime).model)
    translator = Seq2SeqTranslator(counting)  # type: ignore[arg-type]
    texts = [f"مرحبا بالعالم رقم {i}" for i in range(19)] + ["", "مرحبا بالعالم رقم 0"]
    out = translator.translate(texts)
    assert len(out) == len(texts)
    assert out[19] == "" and out[20] == out[0]  # empty in, empty out; repeats translated once
    size = translator_of(runtime).model.spec.batch_size  # from the profile
    assert counting.batches == [size] * (19 // size) + ([19 % size] if 19 % size else [])  # 19 unique texts
    assert len(counting.batches) < 19


def test_long_sentence_is_split_at_clauses_not_truncated(runtime: Runtime) -> None:
    translator = translator_of(runtime)
    clause = "أعلنت الحكومة عن خطة اقتصادية جديدة"
    sentence = "؛ ".join([clause] * 6) + "، " + "، ".join([clause] * 6) + "."
    pieces = translator.split_to_fit(sentence)
    assert len(pieces) > 1
    assert all(n <= translator.model.input_limit for n in translator.model.count_tokens(pieces))
    assert " ".join(pieces).split() == sentence.split()  # nothing lost
    no_punct = "كلمة " * 300
    pieces = translator.split_to_fit(no_punct.strip())
    assert " ".join(pieces).split() == no_punct.split()
    assert all(n <= translator.model.input_limit for n in translator.model.count_tokens(pieces))
    assert len(translator.translate([sentence])) == 1


def test_long_article_summary_uses_lead_truncation_and_says_so(runtime: Runtime, example_text: str) -> None:
    settings = runtime.settings
    article = prepare(DigestRequest(text=example_text * 3), TextResources.load(settings), settings)
    text, warnings = summarizer_of(runtime).model_input(article)
    assert warnings and "lead-biased truncation" in warnings[0]
    model = summarizer_of(runtime).model
    assert model.count_tokens([text])[0] <= model.input_limit
    assert text.startswith(article.title or "")


def test_id_changes_when_the_model_or_the_prompt_changes(
    tiny_models: dict[str, Path], tmp_path: Path, example_text: str
) -> None:
    def digest_id(summary_folder: Path, **env: str) -> str:
        settings = make_settings(summary_model=str(summary_folder), translation_model="/nonexistent", **env)
        with TestClient(create_app(settings)) as c:
            return str(c.post("/v1/digest", json={"text": example_text}).json()["id"])

    base = digest_id(tiny_models["summary"])
    assert digest_id(tiny_models["summary"]) == base
    # Another checkpoint (here: the same weights with another config file) is another model.
    copy = tmp_path / "mt5-copy"
    shutil.copytree(tiny_models["summary"], copy)
    (copy / "config.json").write_text((copy / "config.json").read_text() + "\n")
    assert digest_id(copy) != base
    # A new version of the prompt template invalidates cached digests too.
    prompts = tmp_path / "prompts"
    shutil.copytree(HOME / "prompts", prompts)
    template = prompts / "summary" / "mt5-xlsum.toml"
    template.write_text(template.read_text().replace('version = "1"', 'version = "2"'))
    assert digest_id(tiny_models["summary"], models_prompts_dir=str(prompts)) != base


def test_prompt_version_is_part_of_the_model_identity(runtime: Runtime, tmp_path: Path) -> None:
    spec = ModelSpec.from_entry("summary", runtime.settings.models.roles["summary"])
    assert spec.prompt == "summary/mt5-xlsum"
    assert "prompt:summary/mt5-xlsum@1" in summarizer_of(runtime).identity
    prompts = HOME / "prompts"
    assert all("version" in p.read_text() for p in prompts.rglob("*.toml"))


def test_missing_or_broken_model_folder_degrades_with_a_clear_warning(tmp_path: Path, example_text: str) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    settings = make_settings(
        summary_model=str(broken), translation_model=str(tmp_path / "missing"), auth_api_key_hashes=hash_key("ops")
    )
    # The readiness details (model paths, errors) go to keyed callers only.
    key = {"x-api-key": "ops"}
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/digest", json={"text": example_text}, headers=key)
        assert r.status_code == 200
        d = r.json()
        assert d["summary"]["method"] == "extractive" and d["translation"] is None
        codes = {w["code"] for w in d["meta"]["warnings"]}
        assert codes == {"summary-extractive", "translation-unavailable"}
        ready = c.get("/health/ready", headers=key).json()
        assert ready["status"] == "degraded"
        assert str(broken) in str(ready) and str(tmp_path / "missing") in str(ready)  # the detail is here
        assert "does not exist" in ready["capabilities"]["translation"]["detail"]


def test_lazy_loading_loads_on_first_use(tiny_models: dict[str, Path], example_text: str) -> None:
    settings = make_settings(
        summary_model=str(tiny_models["summary"]), translation_model=str(tiny_models["translation"]), models_load="lazy"
    )
    rt = Runtime.build(settings)
    # The entities role names a hub checkpoint that is not in the cache here: only these two load.
    loads = {
        role: metric("khulasa_model_loads_total", role=role, outcome="loaded") for role in ("summary", "translation")
    }
    with TestClient(create_app(runtime=rt)) as c:
        assert rt.models.status["translation"].state == "not loaded yet"
        d = c.post("/v1/digest", json={"text": example_text}).json()
        assert d["summary"]["method"] == "abstractive" and d["translation"] is not None
        c.post("/v1/digest", json={"text": example_text + "\nسطر آخر من الخبر نفسه للتجربة."})
    after = {role: metric("khulasa_model_loads_total", role=role, outcome="loaded") for role in loads}
    assert {role: after[role] - loads[role] for role in loads} == {"summary": 1, "translation": 1}


def test_concurrent_digests_share_model_calls(runtime: Runtime) -> None:
    translator = Seq2SeqTranslator(translator_of(runtime).model, window_ms=300, cache_entries=0)
    calls = metric("khulasa_model_batch_size_count", role="translation")
    barrier = threading.Barrier(2)
    results: dict[int, list[str]] = {}

    def digest(k: int) -> None:
        barrier.wait()
        results[k] = translator.translate([f"مرحبا بالعالم {k} رقم {i}" for i in range(3)])

    threads = [threading.Thread(target=digest, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results[0]) == len(results[1]) == 3
    # Six sentences from two digests, one model call (of six texts).
    assert metric("khulasa_model_batch_size_count", role="translation") - calls == 1
    translator.close()


def test_sentence_cache_answers_repeated_sentences_without_the_model(runtime: Runtime) -> None:
    translator = Seq2SeqTranslator(translator_of(runtime).model, window_ms=0, cache_entries=100)
    first = translator.translate(["الكتاب على الطاولة في الغرفة", "شكرا جزيلا على مساعدتك"])
    calls = metric("khulasa_model_batch_size_count", role="translation")
    hits = metric("khulasa_sentence_cache_total", result="hit")
    again = translator.translate(["شكرا جزيلا على مساعدتك", "الكتاب على الطاولة في الغرفة"])
    assert again == first[::-1]
    assert metric("khulasa_model_batch_size_count", role="translation") == calls
    assert metric("khulasa_sentence_cache_total", result="hit") - hits == 2
    translator.close()
