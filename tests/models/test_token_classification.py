"""Token classification on a tiny real BertForTokenClassification (WordPiece trained in-session).

Random weights label at random, so the tests assert structure and invariants; where a label must be known,
the test sets the weights so the model gives it (a bias for every token, or one token id made to stand out).
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import BertForTokenClassification

from service.deadline import Deadline
from service.errors import DigestTimeout
from service.highlights.ner import ModelEntityFinder
from service.models.token_classification import (
    TokenClassifier,
    TokenClassifierSpec,
    TokenSpan,
    decode_spans,
    label_scheme,
)
from tests.tiny_models import ARABIC_LINES, NER_LABELS, build_tiny_bert_ner

pytestmark = pytest.mark.models

# Words and punctuation as BERT's pre-tokenizer splits them (the test texts carry no diacritics).
_WORD = re.compile(r"\w+|[^\w\s]")
LABELS = set(NER_LABELS)


@pytest.fixture(scope="module")
def ner_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny NER checkpoint with 64 positions, so 62 content tokens per window."""
    return build_tiny_bert_ner(tmp_path_factory.mktemp("tiny-ner") / "bert")


@pytest.fixture(scope="module")
def classifier(ner_folder: Path) -> TokenClassifier:
    return TokenClassifier(TokenClassifierSpec(str(ner_folder), batch_size=4), threads=1)


def _variant(src: Path, dst: Path, change: Callable[[Any], None]) -> Path:
    """A copy of the checkpoint with its weights changed in place by `change`."""
    shutil.copytree(src, dst)
    model = BertForTokenClassification.from_pretrained(src)
    with torch.no_grad():
        change(model)
    model.save_pretrained(dst)
    return dst


def _force(label: str) -> Callable[[Any], None]:
    """Every token gets `label`: no weight, a bias only for it."""

    def change(model: Any) -> None:
        model.classifier.weight.zero_()
        model.classifier.bias.fill_(-10.0)
        model.classifier.bias[NER_LABELS.index(label)] = 10.0

    return change


def _loc_for(token_id: int) -> Callable[[Any], None]:
    """Only `token_id` is B-LOC, everything else O.

    The encoder is made transparent (attention and feed-forward outputs zeroed, so each layer is the
    identity up to layer norm), the token's embedding alone has a large first component, and the classifier
    reads that component: deterministic whatever the random weights."""

    def change(model: Any) -> None:
        for layer in model.bert.encoder.layer:
            for dense in (layer.attention.output.dense, layer.output.dense):
                dense.weight.zero_()
                dense.bias.zero_()
        emb = model.bert.embeddings
        for table in (emb.word_embeddings, emb.position_embeddings, emb.token_type_embeddings):
            table.weight[:, 0] = 0.0
        emb.word_embeddings.weight[token_id] = 0.0
        emb.word_embeddings.weight[token_id, 0] = 50.0
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[NER_LABELS.index("O")] = 1.0
        loc = NER_LABELS.index("B-LOC")
        model.classifier.weight[loc, 0] = 10.0
        model.classifier.bias[loc] = -20.0

    return change


@pytest.fixture
def batches(classifier: TokenClassifier) -> Iterator[list[tuple[int, int]]]:
    """(rows, width) of every forward pass while the test runs."""
    seen: list[tuple[int, int]] = []
    handle = classifier.model.register_forward_pre_hook(
        lambda _m, _a, kw: seen.append(tuple(kw["input_ids"].shape)), with_kwargs=True
    )
    yield seen
    handle.remove()


def _boundaries(text: str) -> tuple[set[int], set[int]]:
    words = list(_WORD.finditer(text))
    return {m.start() for m in words}, {m.end() for m in words}


def _long_sentence(n_words: int) -> str:
    words = " ".join(ARABIC_LINES).split()
    return " ".join(words[i % len(words)] for i in range(n_words))


def test_loads_a_folder_with_its_labels_limits_and_identity(classifier: TokenClassifier, ner_folder: Path) -> None:
    assert type(classifier.model).__name__ == "BertForTokenClassification"
    assert classifier.tokenizer.is_fast
    assert [classifier.id2label[i] for i in range(len(NER_LABELS))] == list(NER_LABELS)
    assert classifier.scheme == "BIO"
    assert classifier.input_limit == 64  # the tiny model's position table, below max_input_tokens (512)
    assert classifier.window_tokens == 62  # less [CLS] and [SEP]
    name, _, rest = classifier.identity.partition("@")
    assert name == str(ner_folder.resolve()) and len(rest.split("|")[0]) == 12
    # Every word of the training lines is one token (training ran until no pair was left).
    for word in " ".join(ARABIC_LINES).split():
        assert len(classifier.tokenizer.tokenize(word)) == 1, word


def test_one_span_list_per_text_with_offsets_on_word_boundaries(classifier: TokenClassifier) -> None:
    texts = [
        "التقى وزير الخارجية السوري بسام الصباغ الرئيس الإيراني مسعود بزشكيان في طهران.",
        "",
        "   \n ",
        "  \nأعلنت الحكومة، عن «خطة» اقتصادية جديدة: Reuters 2024!",
        "مرحبا",
        _long_sentence(40),
    ]
    result = classifier.classify(texts)
    assert len(result) == len(texts)
    assert result[1] == [] and result[2] == []
    for text, spans in zip(texts, result, strict=True):
        starts, ends = _boundaries(text)
        previous_end = 0
        for span in spans:
            assert isinstance(span, TokenSpan)
            assert previous_end <= span.start < span.end <= len(text)
            assert span.start in starts and span.end in ends, (text, span)
            assert text[span.start : span.end] == text[span.start : span.end].strip()
            assert f"B-{span.label}" in LABELS and 0.0 < span.score <= 1.0
            previous_end = span.end
    assert sum(len(s) for s in result) > 0  # random weights label something


def test_a_1000_word_sentence_is_windowed_and_every_word_labelled(tmp_path: Path, ner_folder: Path) -> None:
    folder = _variant(ner_folder, tmp_path / "all-b-pers", _force("B-PERS"))
    clf = TokenClassifier(TokenClassifierSpec(str(folder), batch_size=8), threads=1)
    shapes: list[tuple[int, int]] = []
    clf.model.register_forward_pre_hook(
        lambda _m, _a, kw: shapes.append(tuple(kw["input_ids"].shape)), with_kwargs=True
    )
    text = _long_sentence(1000)
    # A word longer than a window: split across windows, still one word with one label.
    # (WordPiece makes a word over 100 characters, or with a piece it lacks, one [UNK]: every letter here
    # is in the vocabulary as a continuation piece.)
    inner = sorted({c for w in " ".join(ARABIC_LINES).split() for c in w[1:]})
    giant = "ا" + ("".join(inner) * 5)[:99]
    [spans, giant_spans] = clf.classify([text, giant])
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    assert len(words) == 1000
    assert [(s.start, s.end) for s in spans] == words
    assert {s.label for s in spans} == {"PERS"}
    assert len(clf.tokenizer.tokenize(giant)) > clf.window_tokens
    assert giant_spans == [TokenSpan(0, len(giant), "PERS", giant_spans[0].score)]
    assert max(width for _, width in shapes) <= clf.input_limit
    tokens = len(clf.tokenizer.tokenize(text, verbose=False)) + len(clf.tokenizer.tokenize(giant))
    windows = sum(rows for rows, _ in shapes)
    assert windows >= -(-tokens // clf.window_tokens) and max(rows for rows, _ in shapes) <= 8
    assert sum(rows * (width - 2) for rows, width in shapes) >= tokens  # every token went in


def test_inside_labels_join_words_across_windows(tmp_path: Path, ner_folder: Path) -> None:
    folder = _variant(ner_folder, tmp_path / "all-i-org", _force("I-ORG"))
    clf = TokenClassifier(TokenClassifierSpec(str(folder)), threads=1)
    text = "  " + _long_sentence(300) + " "
    [spans] = clf.classify([text])
    assert spans == [TokenSpan(2, len(text) - 1, "ORG", spans[0].score)]


def test_a_token_made_b_loc_maps_to_its_word(tmp_path: Path, ner_folder: Path, classifier: TokenClassifier) -> None:
    city = "المدينة"
    folder = _variant(ner_folder, tmp_path / "loc", _loc_for(classifier.tokenizer.convert_tokens_to_ids(city)))
    clf = TokenClassifier(TokenClassifierSpec(str(folder)), threads=1)
    short = " \nذهب الولد إلى المدينة في الصباح، وقرأت الفتاة كتابا عن المدينة."
    # The word in the third window of a long text: offsets come back to the original text.
    long = _long_sentence(150).replace(city, "المدرسة") + " " + city + " " + _long_sentence(20).replace(city, "")
    [a, b, none] = clf.classify([short, long, "الكتاب على الطاولة في الغرفة"])
    assert [short[s.start : s.end] for s in a] == [city, city]
    assert [s.start for s in a] == [m.start() for m in re.finditer(city, short)]
    assert {s.label for s in a} == {"LOC"} and min(s.score for s in a) > 0.99
    assert [(s.start, long[s.start : s.end]) for s in b] == [(long.index(city), city)]
    assert none == []


def test_batches_respect_the_batch_size_and_are_length_sorted(
    classifier: TokenClassifier, batches: list[tuple[int, int]]
) -> None:
    texts = [" ".join(ARABIC_LINES[: 1 + i % 5]) for i in range(10)]
    result = classifier.classify(texts)
    assert len(result) == 10
    assert [rows for rows, _ in batches] == [4, 4, 2]  # batch_size 4
    widths = [width for _, width in batches]
    assert widths == sorted(widths)  # similar lengths share a batch: little padding


def test_batching_does_not_change_the_spans(ner_folder: Path, classifier: TokenClassifier) -> None:
    texts = [_long_sentence(n) for n in (3, 70, 12, 1, 45)]
    one_by_one = TokenClassifier(TokenClassifierSpec(str(ner_folder), batch_size=1), threads=1)
    got, expected = classifier.classify(texts), one_by_one.classify(texts)
    for g, e in zip(got, expected, strict=True):
        assert [(s.start, s.end, s.label) for s in g] == [(s.start, s.end, s.label) for s in e]
        assert all(abs(x.score - y.score) < 1e-4 for x, y in zip(g, e, strict=True))


def test_concurrent_calls_are_serialised_and_agree(classifier: TokenClassifier) -> None:
    texts = [_long_sentence(n) for n in (5, 80, 17)]
    expected = classifier.classify(texts)
    active, most = [0], [0]

    def enter(*_: Any) -> None:
        active[0] += 1
        most[0] = max(most[0], active[0])

    def leave(*_: Any) -> None:
        active[0] -= 1

    hooks = [classifier.model.register_forward_pre_hook(enter), classifier.model.register_forward_hook(leave)]
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(classifier.classify(texts))) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        for h in hooks:
            h.remove()
    assert results == [expected] * 4
    assert most == [1]  # one forward pass at a time


def test_deadline_is_checked_before_and_between_batches(
    classifier: TokenClassifier, batches: list[tuple[int, int]]
) -> None:
    texts = [_long_sentence(n) for n in range(1, 13)]  # 12 texts: 3 batches of 4
    with pytest.raises(DigestTimeout):
        classifier.classify(texts, Deadline(0.0))
    assert batches == []
    deadline = Deadline(60.0)

    def expire(*_: Any) -> None:
        deadline.at = 0.0  # the time runs out during the first batch

    handle = classifier.model.register_forward_hook(expire)
    try:
        with pytest.raises(DigestTimeout, match="entity recognition"):
            classifier.classify(texts, deadline)
    finally:
        handle.remove()
    assert len(batches) == 1
    assert len(classifier.classify(texts, Deadline(60.0))) == 12  # the lock was released
    assert len(batches) == 4


def test_identity_follows_the_weights(tmp_path: Path, ner_folder: Path, classifier: TokenClassifier) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(ner_folder, folder)
    before = TokenClassifier(TokenClassifierSpec(str(folder)), threads=1).identity
    assert TokenClassifier(TokenClassifierSpec(str(folder)), threads=1).identity == before
    model = BertForTokenClassification.from_pretrained(folder)
    with torch.no_grad():
        model.classifier.bias.add_(1.0)
    model.save_pretrained(folder)
    assert TokenClassifier(TokenClassifierSpec(str(folder)), threads=1).identity != before
    smaller = TokenClassifier(TokenClassifierSpec(str(folder), max_input_tokens=32), threads=1)
    assert smaller.window_tokens == 30 and smaller.identity.endswith("|window:30")


def test_the_camel_file_layout_loads_fast_and_agrees(
    tmp_path: Path, ner_folder: Path, classifier: TokenClassifier
) -> None:
    # CAMeL's NER checkpoints (main) ship vocab.txt, an 86-byte tokenizer_config.json, special_tokens_map.json,
    # config.json and pytorch_model.bin: no tokenizer.json, no safetensors.
    folder = tmp_path / "camel-layout"
    shutil.copytree(ner_folder, folder)
    (folder / "tokenizer.json").unlink()
    (folder / "tokenizer_config.json").write_text(
        '{"do_lower_case": false, "special_tokens_map_file": null, "full_tokenizer_file": null}'
    )
    special = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]"}
    (folder / "special_tokens_map.json").write_text(json.dumps({**special, "mask_token": "[MASK]"}))
    torch.save(BertForTokenClassification.from_pretrained(ner_folder).state_dict(), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    clf = TokenClassifier(TokenClassifierSpec(str(folder)), threads=1)
    assert clf.tokenizer.is_fast and clf.input_limit == 64  # no model_max_length: the position table limits
    texts = ["وقال الرئيس، إيمانويل ماكرون: مرحبا بالعالم", _long_sentence(100)]
    assert clf.classify(texts) == classifier.classify(texts)


def test_diacritics_are_dropped_before_tokenizing_and_spans_keep_them(tmp_path: Path, ner_folder: Path) -> None:
    folder = _variant(ner_folder, tmp_path / "all-b-pers", _force("B-PERS"))
    plain = TokenClassifier(TokenClassifierSpec(str(folder)), threads=1)
    finder = ModelEntityFinder.load(TokenClassifierSpec(str(folder)), threads=1)
    text = "قرأتِ الفتاةُ كتاباً عن التّاريخِ"
    # The vocabulary has no diacritics: without dropping them, a marked word is one unknown token.
    assert plain.tokenizer.tokenize(text).count("[UNK]") == 4
    assert finder.classifier.tokenizer.tokenize(text) == plain.tokenizer.tokenize("قرأت الفتاة كتابا عن التاريخ")
    [spans] = finder.recognize([text])
    assert [text[s.start : s.end] for s in spans] == text.split()  # a final mark stays with its word
    assert finder.identity != plain.identity and "|remove:" in finder.identity


def test_a_hub_id_loads_from_the_local_cache_only(
    tmp_path: Path, ner_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants
    from huggingface_hub.errors import LocalEntryNotFoundError

    cache = tmp_path / "hub"
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    spec = TokenClassifierSpec("CAMeL-Lab/bert-base-arabic-camelbert-msa-ner")
    assert not spec.is_local
    with pytest.raises(LocalEntryNotFoundError):
        TokenClassifier(spec, threads=1)
    # The cache's layout after `khulasa models pull`: refs/main names the snapshot's commit.
    commit = "1fa7163f240e3a0b35cb1154bc5126062cc6a90b"
    repo = cache / "models--CAMeL-Lab--bert-base-arabic-camelbert-msa-ner"
    shutil.copytree(ner_folder, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    clf = TokenClassifier(spec, threads=1)
    assert clf.identity == f"CAMeL-Lab/bert-base-arabic-camelbert-msa-ner@{commit}|window:62"


def test_decoding_bio_and_bioes_is_lenient() -> None:
    words = [(0, 3), (4, 7), (8, 11), (12, 15), (16, 19)]
    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    spans = decode_spans(words, ["B-PERS", "I-PERS", "O", "I-LOC", "B-LOC"], scores)
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 7, "PERS"), (12, 15, "LOC"), (16, 19, "LOC")]
    assert spans[0].score == pytest.approx(0.85)
    spans = decode_spans(words, ["S-ORG", "B-PER", "E-PER", "I-PER", "B-ORG"], scores)
    assert [(s.start, s.end, s.label) for s in spans] == [
        (0, 3, "ORG"),
        (4, 11, "PER"),
        (12, 15, "PER"),
        (16, 19, "ORG"),
    ]
    spans = decode_spans(words, ["B-PERS", "I-ORG", "I-ORG", "O", "O"], scores)
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 3, "PERS"), (4, 11, "ORG")]
    assert label_scheme(dict(enumerate(NER_LABELS))) == "BIO"
    assert label_scheme({0: "O", 1: "B-PER", 2: "I-PER", 3: "E-PER", 4: "S-PER"}) == "BIOES"


def test_model_entity_finder_maps_labels_and_drops_misc(tmp_path: Path, ner_folder: Path) -> None:
    text = "ذهب الولد إلى المدرسة في الصباح"
    kinds = {}
    for label in ("B-PERS", "B-LOC", "B-ORG", "B-MISC", "O"):
        folder = _variant(ner_folder, tmp_path / label, _force(label))
        finder = ModelEntityFinder.load(TokenClassifierSpec(str(folder)), threads=1)
        assert finder.identity == finder.classifier.identity
        [spans] = finder.recognize([text])
        kinds[label] = {s.kind for s in spans}
        if spans:
            assert [text[s.start : s.end] for s in spans] == text.split()
    assert kinds == {
        "B-PERS": {"person"},
        "B-LOC": {"place"},
        "B-ORG": {"organization"},
        "B-MISC": set(),
        "O": set(),
    }
