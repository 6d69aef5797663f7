"""Random-weight checkpoints with the real shapes of Khulasa's default models (no download).

Speed depends on shapes and decode lengths, not on weight values, so these give honest timings. The
tokenizers are small sentencepiece models padded with placeholder pieces to the real vocabulary sizes, so
the embedding and output layers have their real cost.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Shapes:
    """Model sizes: `full` are the real ones, `quick` small enough for a one-minute run."""

    marian_vocab: int
    marian_d_model: int
    marian_layers: int
    marian_heads: int
    marian_ffn: int
    mt5_vocab: int
    mt5_d_model: int
    mt5_layers: int
    mt5_heads: int
    mt5_ff: int

    @property
    def name(self) -> str:
        return f"marian{self.marian_d_model}x{self.marian_layers}-mt5{self.mt5_d_model}x{self.mt5_layers}"


# opus-mt-ar-en: Marian 6+6, d_model 512, 8 heads, FFN 2048, vocab ≈62k.
# mT5-base (the XL-Sum checkpoint): 12+12, d_model 768, d_ff 2048, 12 heads, vocab 250,112, output layer not
# tied to the embeddings (mT5 keeps them separate: two 250,112 x 768 matrices).
# opus-mt-tc-big-ar-en (the quality profile): Marian "big", 6+6, d_model 1024, 16 heads, FFN 4096, vocab ≈61k.
FULL = Shapes(62_000, 512, 6, 8, 2048, 250_112, 768, 12, 12, 2048)
QUICK = Shapes(8_000, 256, 2, 4, 1024, 32_000, 256, 2, 4, 1024)
BIG_MARIAN = {"full": (61_000, 1024, 6, 16, 4096), "quick": (8_000, 384, 2, 6, 1536)}
# CAMeLBERT-MSA NER (the entities role): BERT-base, vocab 30,000, 12 layers, d 768, 12 heads, FFN 3072, 9 labels.
BERT_NER = {"full": (30_000, 768, 12, 12, 3072), "quick": (4_000, 128, 2, 2, 256)}
NER_LABELS = ["O", "B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC"]

# Of the placeholder pieces padding the mT5 vocabulary to its real size, this share is Arabic-script (kept by
# the summary's vocabulary map), the rest long Latin-looking pieces (dropped). ASSUMPTION: about a fifth of
# mT5's 250k pieces survive the map (Arabic-script languages ar/fa/ur/ps/sd, digits, punctuation, short ASCII
# and acronyms); `khulasa models convert` prints the real count for the real checkpoint.
ARABIC_SHARE = 5  # one placeholder in five


def _train_spm(lines: list[str], **ids: int) -> bytes:
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        model_type="unigram",
        vocab_size=4000,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=2,
        normalization_rule_name="identity",
        minloglevel=2,
        bos_id=-1,
        **ids,
    )
    return buffer.getvalue()


def big_marian(shapes: Shapes) -> Shapes:
    """The same shapes with opus-mt-tc-big's Marian in place of opus-mt-ar-en's."""
    vocab, d_model, layers, heads, ffn = BIG_MARIAN["quick" if shapes == QUICK else "full"]
    return Shapes(vocab, d_model, layers, heads, ffn, *(getattr(shapes, f"mt5_{k}") for k in MT5_FIELDS))


MT5_FIELDS = ("vocab", "d_model", "layers", "heads", "ff")


def build_marian(folder: Path, shapes: Shapes, corpus: list[str]) -> Path:
    """A MarianMT with Opus-MT's layout (</s>=0, <unk>=1, pieces, placeholders, <pad> last)."""
    if (folder / "config.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    model_bytes = _train_spm(corpus, pad_id=-1, eos_id=0, unk_id=1)
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(model_bytes)
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(sp.get_piece_size()):
        vocab.setdefault(sp.id_to_piece(i), len(vocab))
    # opus-mt-ar-en's vocabulary joins an Arabic and an English sentencepiece model: about half of its pieces
    # are Arabic-script (dropped by the translation's English vocabulary map), so are half the placeholders.
    while len(vocab) < shapes.marian_vocab - 1:
        vocab[f"▁ش{len(vocab)}" if len(vocab) % 2 else f"▁w{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang="ar",
        target_lang="en",
        model_max_length=512,
    ).save_pretrained(folder)
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=shapes.marian_d_model,
        encoder_layers=shapes.marian_layers,
        decoder_layers=shapes.marian_layers,
        encoder_attention_heads=shapes.marian_heads,
        decoder_attention_heads=shapes.marian_heads,
        encoder_ffn_dim=shapes.marian_ffn,
        decoder_ffn_dim=shapes.marian_ffn,
        max_position_embeddings=512,
        activation_function="swish",
        scale_embedding=True,
        pad_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        decoder_start_token_id=pad,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config)
    model.generation_config.bad_words_ids = [[pad]]
    model.save_pretrained(folder)
    return folder


def build_mt5(folder: Path, shapes: Shapes, corpus: list[str]) -> Path:
    """An MT5ForConditionalGeneration with a T5 tokenizer padded to the real vocabulary size."""
    if (folder / "config.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    model_bytes = _train_spm(corpus, pad_id=0, eos_id=1, unk_id=2)
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    pieces += [(f"▁ش{i}" if i % ARABIC_SHARE == 0 else f"▁w{i}", -100.0) for i in range(len(pieces), shapes.mt5_vocab)]
    tokenizer = T5Tokenizer(vocab=pieces, extra_ids=0, model_max_length=512)
    tokenizer.save_pretrained(folder)
    config = MT5Config(
        vocab_size=len(tokenizer),
        d_model=shapes.mt5_d_model,
        d_kv=shapes.mt5_d_model // shapes.mt5_heads,
        d_ff=shapes.mt5_ff,
        num_layers=shapes.mt5_layers,
        num_decoder_layers=shapes.mt5_layers,
        num_heads=shapes.mt5_heads,
        feed_forward_proj="gated-gelu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    torch.manual_seed(0)
    model = MT5ForConditionalGeneration(config)
    # transformers 5 ties mT5's output layer to the embeddings; the real checkpoint has its own.
    model.config.tie_word_embeddings = False
    model.lm_head.weight = torch.nn.Parameter(torch.randn_like(model.shared.weight) * shapes.mt5_d_model**-0.5)
    model.save_pretrained(folder)
    return folder


def build_bert_ner(folder: Path, shapes: Shapes, corpus: list[str]) -> Path:
    """A BertForTokenClassification with CAMeLBERT-NER's shape and a WordPiece vocabulary padded to its size."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    if (folder / "config.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    vocab_size, hidden, layers, heads, ffn = BERT_NER["quick" if shapes == QUICK else "full"]
    trainer = BertWordPieceTokenizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    trainer.train_from_iterator(corpus, vocab_size=2000, min_frequency=1, special_tokens=specials, show_progress=False)
    trainer.save_model(str(folder))
    pieces = [p for p in (folder / "vocab.txt").read_text(encoding="utf-8").split("\n") if p]
    pieces += [f"##ph{i}" for i in range(len(pieces), vocab_size)]
    (folder / "vocab.txt").write_text("\n".join(pieces) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(
        vocab=str(folder / "vocab.txt"), do_lower_case=False, strip_accents=False, model_max_length=512
    )
    tokenizer.save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(pieces),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=ffn,
        max_position_embeddings=512,
        id2label=dict(enumerate(NER_LABELS)),
        label2id={label: i for i, label in enumerate(NER_LABELS)},
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(folder)
    return folder
