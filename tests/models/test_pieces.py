"""The lean tokenizers the CTranslate2 backend uses give the same pieces and texts as transformers' own, so
serving without transformers' tokenizers (and without torch) changes no output (tiny Marian and mT5)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from service.models.pieces import SentencePieces, TokenizerFile, lean_tokenizer
from service.models.seq2seq import ModelSpec, convert, converted_folder
from service.models.vocabulary import model_vocabulary
from tests.conftest import make_settings

pytestmark = pytest.mark.models

TEXTS = [
    "مرحبا بالعالم",
    "أعلنت الحكومة عن خطة اقتصادية جديدة في 2024، وقال الوزير: «نحن نحب القراءة».",
    "ذهب الولد إلى المدرسة NATO و BBC في الصباح!",
    "  مسافات   كثيرة  ",
    "كلمة_غريبة ✓ 中国 привет",
    "",
]


@pytest.fixture(scope="module")
def converted(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pieces")
    out = {}
    for role, folder in tiny_models.items():
        copy = Path(shutil.copytree(folder, root / role))
        convert(ModelSpec.from_entry(role, make_settings(**{f"{role}_model": str(copy)}).models.roles[role]))
        out[role] = copy
    return out


def _hf_pieces(folder: Path, texts: list[str]) -> list[list[str]]:
    tokenizer = AutoTokenizer.from_pretrained(folder)
    return [tokenizer.convert_ids_to_tokens(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]


@pytest.mark.parametrize("role", ["translation", "summary"])
def test_same_pieces_and_texts_as_transformers(converted: dict[str, Path], role: str) -> None:
    import json

    folder = converted[role]
    config = json.loads((folder / "config.json").read_text())
    lean = lean_tokenizer(folder, config, model_vocabulary(converted_folder(folder, "int8"), "source"))
    assert lean is not None
    assert lean.encode(TEXTS) == _hf_pieces(folder, TEXTS)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    outputs = [p[:-1] for p in _hf_pieces(folder, TEXTS)]  # as a model would write them, without </s>
    ids = [tokenizer.convert_tokens_to_ids(p) for p in outputs]
    assert lean.decode(outputs) == [s.strip() for s in tokenizer.batch_decode(ids, skip_special_tokens=True)]


def test_the_mt5_sentencepiece_file_gives_the_same_pieces_as_its_tokenizer_file(converted: dict[str, Path]) -> None:
    folder = converted["summary"]
    vocabulary = set(model_vocabulary(converted_folder(folder, "int8"), "source"))
    spm = SentencePieces(folder / "spiece.model", folder / "spiece.model", vocabulary, {"</s>", "<pad>", "<unk>"})
    assert spm.encode(TEXTS[:4]) == TokenizerFile(folder / "tokenizer.json").encode(TEXTS[:4])


def test_a_server_on_ctranslate2_never_imports_torch(converted: dict[str, Path]) -> None:
    """Both default roles on CTranslate2 with lean tokenizers: torch (about 250 MB) stays out of the process."""
    code = (
        "import sys\n"
        "from service.config import load_settings\n"
        "from service.runtime import Runtime\n"
        f"s = load_settings(environ={{'KHULASA_SUMMARY_MODEL': {str(converted['summary'])!r}, "
        f"'KHULASA_TRANSLATION_MODEL': {str(converted['translation'])!r}}})\n"
        "rt = Runtime.build(s)\n"
        "rt.models.load_all()\n"
        "st = rt.models.status\n"
        "assert st['summary'].state == st['translation'].state == 'loaded', st\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "False"
