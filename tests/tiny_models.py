"""Tiny but real seq2seq checkpoints for offline tests (random weights, ~50 KB each).

``build_all(root)`` writes a MarianMT folder ("translation") and an mT5 folder
("summary"); both load with ``AutoTokenizer`` / ``AutoModelForSeq2SeqLM`` from the
folder alone (``HF_HUB_OFFLINE=1``), generate, and are byte-identical across builds.

Notes (transformers 5.23, ctranslate2 4.8.5):

- ``ct2-transformers-converter --model FOLDER --output_dir OUT`` converts both
  folders successfully, and greedy CTranslate2 output matches ``generate``.
- Marian keeps the Opus-MT layout (``</s>``=0, ``<unk>``=1, ``<pad>``=last, used as
  decoder start and banned via ``bad_words_ids``); the CT2 converter relies on it.
- Reading ``spiece.model`` through ``T5Tokenizer.from_pretrained`` needs protobuf
  (not installed), so the mT5 tokenizer is built from (piece, score) pairs and
  saved as ``tokenizer.json``; spm uses the identity normaliser to match it.
- ``MT5Config`` forces ``tie_word_embeddings=True`` in v5.
- Marian positions are a fixed table: inputs or outputs longer than
  ``max_position_embeddings`` raise ``IndexError``; pass 512 to run the real
  profiles' ``max_new_tokens=256`` (same folder size, positions are not saved).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import sentencepiece as spm
import torch
from transformers import (
    MarianConfig,
    MarianMTModel,
    MarianTokenizer,
    MT5Config,
    MT5ForConditionalGeneration,
    T5Tokenizer,
)

SEED = 0

ARABIC_LINES: tuple[str, ...] = (
    "مرحبا بالعالم",
    "مرحبا بكم في خلاصة",
    "هذا نص قصير باللغة العربية",
    "الطقس جميل اليوم في المدينة",
    "ذهب الولد إلى المدرسة في الصباح",
    "قرأت الفتاة كتابا عن التاريخ",
    "أعلنت الحكومة عن خطة اقتصادية جديدة",
    "ارتفعت أسعار النفط في الأسواق العالمية",
    "فاز الفريق الوطني بالمباراة النهائية",
    "يعمل الباحثون على تطوير علاج جديد",
    "تحدث الوزير عن أهمية التعليم",
    "السلام عليكم ورحمة الله",
    "شكرا جزيلا على مساعدتك",
    "أين تقع المكتبة العامة",
    "الكتاب على الطاولة في الغرفة",
    "نحن نحب القراءة والكتابة",
)

ENGLISH_LINES: tuple[str, ...] = (
    "hello world",
    "welcome to khulasa",
    "this is a short text in english",
    "the weather is nice today in the city",
    "the boy went to school in the morning",
    "the girl read a book about history",
    "the government announced a new economic plan",
    "oil prices rose in global markets",
    "the national team won the final match",
    "researchers are working on a new treatment",
    "the minister spoke about the importance of education",
    "peace be upon you",
    "thank you very much for your help",
    "where is the public library",
    "the book is on the table in the room",
    "we love reading and writing",
)


def _train_spm(lines: tuple[str, ...], *, pad_id: int, eos_id: int, unk_id: int) -> bytes:
    """Train a small unigram sentencepiece model (no BOS) in memory and return its bytes."""
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        model_type="unigram",
        vocab_size=200,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        normalization_rule_name="identity",
        minloglevel=2,
        pad_id=pad_id,
        eos_id=eos_id,
        unk_id=unk_id,
        bos_id=-1,
    )
    return buffer.getvalue()


def build_tiny_marian(folder: Path, *, max_position_embeddings: int = 64) -> Path:
    """Build a tiny random MarianMT checkpoint (shared Arabic+English spm) in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model_bytes = _train_spm(ARABIC_LINES + ENGLISH_LINES, pad_id=-1, eos_id=0, unk_id=1)
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(model_bytes)
    processor = spm.SentencePieceProcessor(model_proto=model_bytes)
    # Opus-MT layout: </s>=0, <unk>=1, pieces..., <pad>=last.
    vocab = {"</s>": 0, "<unk>": 1}
    for idx in range(processor.get_piece_size()):
        piece = processor.id_to_piece(idx)
        if piece not in vocab:
            vocab[piece] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=2), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang="ar",
        target_lang="en",
        model_max_length=max_position_embeddings,
    )
    tokenizer.save_pretrained(folder)

    pad_id = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=max_position_embeddings,
        activation_function="swish",
        scale_embedding=True,
        pad_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        decoder_start_token_id=pad_id,
    )
    torch.manual_seed(SEED)
    model = MarianMTModel(config)
    # Like Opus-MT: never generate <pad> (it is only the decoder start token).
    model.generation_config.bad_words_ids = [[pad_id]]
    model.save_pretrained(folder)
    return folder


def build_tiny_mt5(folder: Path) -> Path:
    """Build a tiny random mT5 checkpoint with a T5-style Arabic tokenizer in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model_bytes = _train_spm(ARABIC_LINES, pad_id=0, eos_id=1, unk_id=2)
    (folder / "spiece.model").write_bytes(model_bytes)
    processor = spm.SentencePieceProcessor(model_proto=model_bytes)
    # Build the fast tokenizer from (piece, score) pairs: reading spiece.model via
    # T5Tokenizer.from_pretrained needs protobuf, which is not installed.
    scores = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(processor.get_piece_size())]
    tokenizer = T5Tokenizer(vocab=scores, extra_ids=0, model_max_length=512)
    tokenizer.save_pretrained(folder)

    config = MT5Config(
        vocab_size=len(tokenizer),
        d_model=16,
        d_kv=8,
        d_ff=32,
        num_layers=1,
        num_decoder_layers=1,
        num_heads=2,
        feed_forward_proj="gated-gelu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    torch.manual_seed(SEED)
    model = MT5ForConditionalGeneration(config)
    model.save_pretrained(folder)
    return folder


def build_all(root: Path) -> dict[str, Path]:
    """Build every tiny checkpoint under ``root``; keys are service task names."""
    root = Path(root)
    return {
        "translation": build_tiny_marian(root / "tiny-marian"),
        "summary": build_tiny_mt5(root / "tiny-mt5"),
    }


# The CAMeL NER checkpoints' labels, in their config's order (ANERcorp: PERS, LOC, ORG, MISC).
NER_LABELS: tuple[str, ...] = ("B-LOC", "B-MISC", "B-ORG", "B-PERS", "I-LOC", "I-MISC", "I-ORG", "I-PERS", "O")


def build_tiny_bert_ner(folder: Path, *, max_position_embeddings: int = 64) -> Path:
    """Build a tiny random BertForTokenClassification with a WordPiece tokenizer trained on ARABIC_LINES.

    The folder has CAMeL's files (vocab.txt, tokenizer_config.json, config.json with CAMeL's id2label) plus
    the tokenizer.json transformers writes (the real checkpoints have none: delete it to load as they do).
    The vocabulary is not byte-identical across builds: the trainer breaks ties between equally frequent
    pairs in hash order, so the intermediate pieces differ. Training runs until no pair is left (fewer than
    300 tokens), so every word of ARABIC_LINES is always one token.
    """
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    trainer = BertWordPieceTokenizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    trainer.train_from_iterator(
        ARABIC_LINES,
        vocab_size=300,
        min_frequency=1,
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
        show_progress=False,
    )
    trainer.save_model(str(folder))  # vocab.txt
    # In transformers 5 BertTokenizer is the fast (tokenizers-backed) class, BertTokenizerFast its alias.
    tokenizer = BertTokenizer(
        vocab=str(folder / "vocab.txt"), do_lower_case=False, strip_accents=False, model_max_length=512
    )
    tokenizer.save_pretrained(folder)

    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=max_position_embeddings,
        id2label=dict(enumerate(NER_LABELS)),
        label2id={label: i for i, label in enumerate(NER_LABELS)},
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(SEED)
    model = BertForTokenClassification(config)
    model.save_pretrained(folder)
    return folder
