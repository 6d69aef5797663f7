"""Editorial-trust numbers on the dev corpus: the share of abstractive summary sentences with a source above
the threshold, the faithfulness check's time per summary, and the glossary's effect on the example article.

    python scripts/trust_report.py [--summary-model DIR --translation-model DIR]

Without model folders it builds the tests' tiny models (their output is gibberish: the numbers then show the
structure works, not the quality of a real summariser).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.config import load_settings  # noqa: E402
from service.digest.schemas import DigestOptions, DigestRequest  # noqa: E402
from service.runtime import Runtime  # noqa: E402
from service.trust.faithfulness import ArticleFacts, check  # noqa: E402
from service.trust.glossary import Glossary, GlossaryEntry  # noqa: E402
from service.trust.provenance import split_summary  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--summary-model")
    parser.add_argument("--translation-model")
    parser.add_argument("--corpus", default=str(ROOT / "tests" / "corpus" / "dev"))
    args = parser.parse_args()
    if not args.summary_model:
        sys.path.insert(0, str(ROOT / "tests"))
        from tiny_models import build_tiny_marian, build_tiny_mt5

        tmp = Path(tempfile.mkdtemp())
        args.summary_model = str(build_tiny_mt5(tmp / "mt5"))
        args.translation_model = args.translation_model or str(build_tiny_marian(tmp / "marian"))
    env = {"KHULASA_SUMMARY_MODEL": args.summary_model, "KHULASA_SUMMARY_ON_UNSUPPORTED": "flag"}
    if args.translation_model:
        env["KHULASA_TRANSLATION_MODEL"] = args.translation_model
    runtime = Runtime.build(load_settings(environ=env))
    runtime.models.load_all()
    pipeline = runtime.digests.pipeline
    r = pipeline.resources
    sourced = total = unsupported = 0
    check_ms: list[float] = []
    for path in sorted(Path(args.corpus).glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        request = DigestRequest(text=item["input"], format=item.get("format", "text"))
        request.options = DigestOptions(summary="abstractive", translate="none")
        run = pipeline.start(request, pipeline.default_glossary)
        pipeline.clean(run)
        pipeline.summarise(run)
        trust = run.summary_trust
        if run.summary is None or trust is None or run.summary.method != "abstractive":
            continue
        total += len(trust.sources)
        sourced += sum(1 for s in trust.sources if s.sources)
        unsupported += len(trust.unsupported)
        article = run.prepared
        texts = [s.text for s in article.sentences]
        facts = ArticleFacts.build([article.title, *texts] if article.title else texts, r.lexicon, r.gazetteer)
        lines = split_summary(run.summary.text)
        t0 = time.perf_counter()
        check(lines, facts, r.lexicon, r.gazetteer)
        check_ms.append((time.perf_counter() - t0) * 1000)
    print(
        f"abstractive summary sentences: {total}; with >= 1 source above the threshold: {sourced}"
        f" ({sourced / total:.0%})"
        if total
        else "no abstractive summary"
    )
    print(f"unsupported facts flagged: {unsupported}")
    if check_ms:
        print(
            f"faithfulness check per summary: median {statistics.median(check_ms):.2f} ms, max {max(check_ms):.2f} ms"
        )
    example = (ROOT / "config" / "examples" / "syria-iran-talks.ar.txt").read_text(encoding="utf-8")
    file_glossary = pipeline.default_glossary or Glossary([])
    widest = Glossary([*file_glossary.entries, GlossaryEntry("علي أكبر أحمديان", "Ali-Akbar Ahmadian", "person")])
    for name, glossary in (
        ("no glossary", Glossary([])),
        ("file glossary", file_glossary),
        ("file + Ahmadian", widest),
    ):
        run = pipeline.start(DigestRequest(text=example, options=DigestOptions(summary="extractive")), glossary)
        digest = pipeline.complete((pipeline.clean(run), run)[1])
        pairs = digest.translation.sentences if digest.translation else []
        # Measured against every term of the widest glossary, so the runs compare.
        with_terms = [p for p in pairs if widest.find(p.ar)]
        kept = sum(1 for p in with_terms if all(m.entry.en in (p.en or "") for m in widest.find(p.ar)))
        print(
            f"{name}: id {digest.id[:12]}, entries applied {len(digest.meta.glossary)}, sentences naming a term "
            f"{len(with_terms)}, with every English form verbatim {kept}, spelling fixes {run.spelling_fixes}"
        )
    runtime.models.close()


if __name__ == "__main__":
    main()
