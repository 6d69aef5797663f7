"""Khulasa's speed against a plain transformers pipeline, measured side by side in one run.

    python benchmarks/run.py            # real model shapes (several minutes; builds ~3 GB of random checkpoints once)
    python benchmarks/run.py --quick    # small shapes, under a minute: the same report and last line
    python benchmarks/run.py --device cuda   # Khulasa's models (and the plain path) on a CUDA GPU

Contenders, all with forced decode lengths (min_new_tokens == max_new_tokens) so each does the same work:
  plain    transformers AutoModelForSeq2SeqLM.generate, fp32, beam 4, one sentence at a time (ten lines)
  default  Khulasa's default profile: CTranslate2 int8, beam 4, length-sorted batches, micro-batcher, the
           summary's Arabic vocabulary map
  novmap   the default without the vocabulary maps (the summary over all 250k pieces, the translation over
           its whole joint Arabic-English vocabulary)
  fastest  the default with greedy decoding
  quality  the quality profile's translation model shape (opus-mt-tc-big: Marian 6+6, d_model 1024)
The last line is JSON: translation_speedup, summary_speedup, throughput_speedup (plain time over default
time, this run), example_digest_s (the example through the default pipeline, models loaded, no cache, end to
end; and sequential_digest_s, the same with the translation not overlapped), throughput_speedup_glossary_worst_case
(the HTTP throughput with the shipped glossary: placeholder weights never keep a protected term, so each text
naming one is translated twice; the main throughput runs without a glossary, as the plain path does),
first_summary_ms (through
POST /v1/digest/stream, to the `summary` event), cache_hit_ms, peak_rss_mb (the server process with both
models loaded), peak_rss_with_entities_mb (with the entity model, CAMeLBERT-NER's shape, as well),
quality_translation_s and the raw times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import httpx  # noqa: E402
import msgspec  # noqa: E402
import torch  # noqa: E402
from shapes import FULL, QUICK, Shapes, big_marian, build_bert_ner, build_marian, build_mt5  # noqa: E402

from service.config import load_settings  # noqa: E402
from service.digest.schemas import DigestRequest  # noqa: E402
from service.digest.stages import DigestPipeline, TextResources, prepare  # noqa: E402
from service.models.seq2seq import ModelSpec, convert, converted_folder, vocabulary_map_size  # noqa: E402
from service.runtime import Runtime  # noqa: E402
from service.summary.abstractive import SUMMARY_ROLE  # noqa: E402
from service.text.segment import Article  # noqa: E402
from service.translation.seq2seq import TRANSLATION_ROLE  # noqa: E402

EXAMPLE = (ROOT / "config" / "examples" / "syria-iran-talks.ar.txt").read_text(encoding="utf-8").strip()
KHULASA = str(Path(sys.executable).parent / "khulasa")


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def articles(quick: bool) -> dict[str, str]:
    """The example, a short one (its lead) and a long one (twice its body, other datelines)."""
    lines = EXAMPLE.split("\n")
    out = {"example": EXAMPLE}
    if not quick:
        out["short"] = "\n".join(lines[:5])
        out["long"] = "\n".join([*lines, *(f"{line} (تحديث)" for line in lines[1:])])
    return out


def variant(k: int) -> str:
    """A distinct article per k: same work, no digest-cache hits."""
    return EXAMPLE + f"\nطهران - تحديث رقم {k}: تواصلت اللقاءات حتى المساء."


def write_profiles(
    folder: Path, marian: Path, mt5: Path, big: Path, tr_len: int, sum_len: int, ner: Path | None = None
) -> Path:
    # Threads and vocabulary maps per role as the shipped default profile has them (config/models.toml).
    shipped = load_settings(environ={}).models.roles

    def role(name: str, model: Path, prompt: str, beams: int, length: int, batch: int, vmap: bool) -> str:
        entry = shipped[name]
        return (
            f'model = "{model}"\nprompt = "{prompt}"\nmax_input_tokens = 512\nbatch_size = {batch}\n'
            f'backend = "ctranslate2"\nquantization = "int8"\nthreads = {entry.threads}\n'
            f"parallel_batches = {entry.parallel_batches}\n"
            f"vocabulary_map = {str(vmap and entry.vocabulary_map).lower()}\n"
            f'vocabulary_map_script = "{entry.vocabulary_map_script}"\n'
            f"generation = {{ num_beams = {beams}, min_new_tokens = {length}, max_new_tokens = {length} }}\n"
        )

    text = ""
    per_call = shipped["summary"].batch_size
    for profile, beams, batch, vmap, translation in (
        ("default", 4, shipped["translation"].batch_size, True, marian),
        ("novmap", 4, shipped["translation"].batch_size, False, marian),
        ("fastest", 1, 32, True, marian),
        ("quality", 4, 8, True, big),
    ):
        text += f"[profiles.{profile}.summary]\n" + role(
            "summary", mt5, "summary/mt5-xlsum", beams, sum_len, per_call, vmap
        )
        text += f"[profiles.{profile}.translation]\n" + role(
            "translation", translation, "translation/marian", beams, tr_len, batch, vmap
        )
    if ner is not None:
        entry = shipped["entities"]
        text += "[profiles.entities.summary]\n" + role("summary", mt5, "summary/mt5-xlsum", 4, sum_len, per_call, True)
        text += "[profiles.entities.translation]\n" + role(
            "translation", marian, "translation/marian", 4, tr_len, shipped["translation"].batch_size, True
        )
        text += f'[profiles.entities.entities]\nmodel = "{ner}"\nbatch_size = {entry.batch_size}\n'
        text += f"threads = {entry.threads}\n"
    path = folder / "profiles.toml"
    path.write_text(text)
    return path


def khulasa_env(profiles: Path, profile: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "KHULASA_MODELS_PROFILES_FILE": str(profiles),
        "KHULASA_MODELS_PROFILE": profile,
        "KHULASA_MODELS_TRANSLATION_CACHE_ENTRIES": "0",  # every run translates for real
        **(extra or {}),
    }


def plain_paths(
    marian: Path, mt5: Path, tr_len: int, sum_len: int, device: str = "cpu"
) -> tuple[Callable[[Article], object], ...]:
    """What a user writes in ten lines: tokenizer + model + generate, fp32, beam 4, one sentence at a time.
    (transformers 5 removed the translation and summarization pipelines; this is what they did.)"""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    torch.set_num_threads(2)
    on = "cuda" if device != "cpu" and torch.cuda.is_available() else "cpu"
    tr_tok, tr_model = AutoTokenizer.from_pretrained(marian), AutoModelForSeq2SeqLM.from_pretrained(marian).eval()
    sm_tok, sm_model = AutoTokenizer.from_pretrained(mt5), AutoModelForSeq2SeqLM.from_pretrained(mt5).eval()
    tr_model, sm_model = tr_model.to(on), sm_model.to(on)

    def tr(article: Article) -> object:
        out = []
        for s in article.sentences:
            ids = tr_tok(s.text, return_tensors="pt", truncation=True).to(on)
            with torch.no_grad():
                gen = tr_model.generate(**ids, num_beams=4, min_new_tokens=tr_len, max_new_tokens=tr_len)
            out.append(tr_tok.decode(gen[0], skip_special_tokens=True))
        return out

    def sm(article: Article) -> object:
        text = "\n".join([article.title or "", *(s.text for s in article.sentences)])
        ids = sm_tok(text, return_tensors="pt", truncation=True, max_length=512).to(on)
        with torch.no_grad():
            gen = sm_model.generate(**ids, num_beams=4, min_new_tokens=sum_len, max_new_tokens=sum_len)
        return sm_tok.decode(gen[0], skip_special_tokens=True)

    return tr, sm


def serve(
    env: dict[str, str], port: int, roles: tuple[str, ...] = ("abstractive_summary", "translation")
) -> subprocess.Popen[bytes]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KHULASA_")}
    full_env.update(env)
    # The server runs this checkout's code, as the benchmark itself does (not another installed copy).
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(
        [KHULASA, "serve", "--port", str(port)], env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            # The two roles measured here must be up (the benchmark's profiles name no entity model).
            caps = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).json()["capabilities"]
            if all(caps[name]["available"] for name in roles):
                return proc
        except (httpx.HTTPError, ValueError):
            pass
        if proc.poll() is not None:
            raise SystemExit("khulasa serve exited during start-up")
        time.sleep(0.5)
    raise SystemExit("khulasa serve did not become ready")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def first_summary(http: httpx.Client, url: str, text: str) -> tuple[float, float]:
    """Milliseconds from sending an article to the stream's `summary` event, and to its end."""
    start = time.perf_counter()
    summary_ms = float("nan")
    with http.stream("POST", url, json={"text": text}) as response:
        for line in response.iter_lines():
            if line.strip() == "event: summary":
                summary_ms = (time.perf_counter() - start) * 1000
            elif line.strip() == "event: error":
                raise SystemExit("the stream sent an error event")
    return summary_ms, (time.perf_counter() - start) * 1000


def http_phase(
    env: dict[str, str], clients: int, n_articles: int, streams: int, throughput_only: bool = False
) -> dict[str, float]:
    port = 18000 + os.getpid() % 1000
    proc = serve(env, port)
    url = f"http://127.0.0.1:{port}/v1/digest"
    try:
        with httpx.Client(timeout=900) as http:
            http.post(url, json={"text": variant(-1)})  # warm-up
            # One editor alone on the service: time to the summary on screen, fresh articles.
            firsts = [first_summary(http, url + "/stream", variant(1000 + k)) for k in range(streams)]
            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                codes = list(
                    pool.map(lambda k: http.post(url, json={"text": variant(k)}).status_code, range(n_articles))
                )
            wall = time.perf_counter() - start
            if any(c != 200 for c in codes):
                raise SystemExit(f"throughput run got statuses {sorted(set(codes))}")
            if throughput_only:
                return {"wall_s": wall, "articles": n_articles}
            hits = []
            for _ in range(30):
                t = time.perf_counter()
                r = http.post(url, json={"text": variant(-1)})
                hits.append((time.perf_counter() - t) * 1000)
                assert r.json()["meta"]["cached"]
        return {
            "wall_s": wall,
            "articles": n_articles,
            "cache_hit_ms": statistics.median(hits),
            "first_summary_ms": statistics.median(f[0] for f in firsts),
            "stream_total_ms": statistics.median(f[1] for f in firsts),
            "peak_rss_mb": peak_rss_mb(proc.pid),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def rss_with_entities(env: dict[str, str], digests: int) -> float:
    """Peak RSS of a server with the entity model loaded as well, after a few digests."""
    port = 19000 + os.getpid() % 1000
    proc = serve(env, port, roles=("abstractive_summary", "translation", "entity_model"))
    try:
        with httpx.Client(timeout=900) as http:
            for k in range(digests):
                r = http.post(f"http://127.0.0.1:{port}/v1/digest", json={"text": variant(3000 + k)})
                if r.status_code != 200:
                    raise SystemExit(f"digest with the entity model got {r.status_code}")
        return peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def digest_seconds(pipeline: DigestPipeline, runs: int, offset: int) -> float:
    """The example through the pipeline's stages, end to end, a fresh variant each time (no cache), after one
    digest that is not timed (as the HTTP phase's warm-up: a served process has digested before)."""

    def one(k: int) -> None:
        run = pipeline.start(DigestRequest(text=variant(k)))
        pipeline.clean(run)
        pipeline.complete(run)

    one(offset - 1)
    times = []
    for k in range(runs):
        start = time.perf_counter()
        one(offset + k)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small shapes, one run each: under a minute")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (median); default 3, quick 1")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu", help="where the models run")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "khulasa-bench")
    args = parser.parse_args()
    shapes: Shapes = QUICK if args.quick else FULL
    runs = args.runs or (1 if args.quick else 3)
    tr_len, sum_len = (12, 16) if args.quick else (35, 64)
    started = time.perf_counter()
    device = {"KHULASA_MODELS_DEVICE": args.device}

    folder = args.cache / shapes.name
    corpus = [line for line in EXAMPLE.split("\n") for _ in range(3)] + [variant(k) for k in range(20)]
    # "-mixed": placeholders half Arabic-script, as opus-mt's joint vocabulary (older caches had Latin only).
    marian = build_marian(folder / "marian-mixed", shapes, corpus)
    mt5 = build_mt5(folder / "mt5", shapes, corpus)
    big = build_marian(folder / "marian-big-mixed", big_marian(shapes), corpus)
    ner = build_bert_ner(folder / "bert-ner", shapes, corpus)
    profiles = write_profiles(folder, marian, mt5, big, tr_len, sum_len, ner)
    for profile in ("default", "quality"):
        for role, entry in load_settings(environ=khulasa_env(profiles, profile)).models.roles.items():
            convert(ModelSpec.from_entry(role, entry))

    settings = load_settings(environ=khulasa_env(profiles, "default", device))
    resources = TextResources.load(settings)
    texts = {name: prepare(DigestRequest(text=t), resources, settings) for name, t in articles(args.quick).items()}
    khulasa: dict[str, Runtime] = {}
    # Which roles each contender needs: the others would only take memory.
    both = ("summary", "translation")
    needs = {"default": both, "novmap": both, "fastest": both, "quality": ("translation",)}
    for profile, roles in needs.items():
        # The same composition root as `khulasa serve`.
        runtime = Runtime.build(load_settings(environ=khulasa_env(profiles, profile, device)))
        for role in roles:
            runtime.models.ensure(role)
        khulasa[profile] = runtime

    rows = []
    # Khulasa first: torch's idle OpenMP threads, once the plain path has run, would slow CTranslate2 here.
    for name, article in texts.items():
        row: dict[str, float | str | int] = {"article": name, "sentences": len(article.sentences)}
        for profile, runtime in khulasa.items():
            tr, sm = runtime.models.get(TRANSLATION_ROLE), runtime.models.get(SUMMARY_ROLE)
            assert all(
                runtime.models.get(r) is not None for r in (SUMMARY_ROLE, TRANSLATION_ROLE) if r.name in needs[profile]
            ), runtime.models.status
            if tr is not None:
                row[f"{profile}_translation_s"] = median_time(
                    lambda a=article, t=tr: t.translate([s.text for s in a.sentences]), runs
                )
            if sm is not None:
                row[f"{profile}_summary_s"] = median_time(lambda a=article, s=sm: s.summarize(a), runs)
        rows.append(row)

    # The critical path: the example end to end through the stages, overlapped (the default) and not.
    default = khulasa["default"]
    overlap = default.digests.pipeline
    sequential_settings = msgspec.structs.replace(
        overlap.settings, models=msgspec.structs.replace(overlap.settings.models, overlap_translation=False)
    )
    sequential = DigestPipeline(sequential_settings, default.models, default.resources)
    digest_s = {
        "overlapped": digest_seconds(overlap, runs, 100),
        "sequential": digest_seconds(sequential, runs, 200),
    }
    for runtime in khulasa.values():
        runtime.models.close()
    khulasa.clear()  # the server below is measured alone

    example = rows[0]
    n_articles = args.clients * (1 if args.quick else 2)
    server = {
        **device,
        "KHULASA_LIMITS_MAX_IN_FLIGHT": str(args.clients),
        "KHULASA_RATE_LIMIT_REQUESTS_PER_MINUTE": "0",
        "KHULASA_LIMITS_REQUEST_TIMEOUT_SECONDS": "3000",
    }
    # Without a glossary, as the plain path and the in-process digest above: the shipped glossary names terms
    # of the example, and a placeholder model never keeps a protected English form, so each text naming one
    # is translated twice (the fallback around the terms). That worst case is measured after, on its own.
    no_glossary = folder / "empty-glossary.toml"
    no_glossary.write_text("# no entries: the benchmark's main throughput runs without a glossary\n")
    http = http_phase(
        khulasa_env(profiles, "default", {**server, "KHULASA_GLOSSARY_FILE": str(no_glossary)}),
        args.clients,
        n_articles,
        streams=runs,
    )
    glossed = http_phase(khulasa_env(profiles, "default", server), args.clients, n_articles, 0, throughput_only=True)

    rss_entities = rss_with_entities(khulasa_env(profiles, "entities", device), digests=3)

    plain_tr, plain_sum = plain_paths(marian, mt5, tr_len, sum_len, args.device)
    for row, article in zip(rows, texts.values(), strict=True):
        row["plain_translation_s"] = median_time(lambda a=article: plain_tr(a), runs)
        row["plain_summary_s"] = median_time(lambda a=article: plain_sum(a), runs)
    plain_article_s = float(example["plain_translation_s"]) + float(example["plain_summary_s"])
    # A plain service runs one pipeline call at a time: torch already uses both cores, so its throughput is
    # one article per (translation + summary) time.
    plain_throughput = 1 / plain_article_s
    khulasa_throughput = http["articles"] / http["wall_s"]
    glossary_throughput = glossed["articles"] / glossed["wall_s"]

    print(
        f"Khulasa benchmark — {'quick' if args.quick else 'full'} shapes {shapes.name}, {runs} run(s) each, "
        f"decode {tr_len}/{sum_len} tokens, {platform.machine()} {os.cpu_count()} cores, torch {torch.__version__}, "
        f"device {args.device}, load average {os.getloadavg()[0]:.1f} at the end"
    )
    columns = {
        "plain tr": "plain_translation_s",
        "no-vmap tr": "novmap_translation_s",
        "default tr": "default_translation_s",
        "fastest tr": "fastest_translation_s",
        "quality tr": "quality_translation_s",
        "plain sum": "plain_summary_s",
        "no-vmap sum": "novmap_summary_s",
        "default sum": "default_summary_s",
        "fastest sum": "fastest_summary_s",
    }
    print(" | ".join(f"{h:>11}" for h in ["article", "sent.", *columns]))
    for r in rows:
        cells = [r["article"], r["sentences"], *(f"{float(r[k]):.2f} s" for k in columns.values())]
        print(" | ".join(f"{c!s:>11}" for c in cells))
    vmap = vocabulary_map_size(converted_folder(mt5, "int8"))
    print(
        f"summary vocabulary map: {vmap:,} of {shapes.mt5_vocab:,} pieces; the example end to end (stages, models "
        f"loaded, no cache): {digest_s['overlapped']:.2f} s with the translation overlapped, "
        f"{digest_s['sequential']:.2f} s one after the other"
    )
    print(
        f"throughput, {args.clients} clients over HTTP: default {khulasa_throughput * 60:.1f} articles/min "
        f"({http['articles']} in {http['wall_s']:.1f} s); plain {plain_throughput * 60:.1f} articles/min; "
        f"with the shipped glossary and every text naming a term translated twice (worst case) "
        f"{glossary_throughput * 60:.1f} articles/min"
    )
    print(
        f"stream: summary event after {http['first_summary_ms']:.0f} ms, "
        f"whole digest {http['stream_total_ms']:.0f} ms; "
        f"cache hit over HTTP: median {http['cache_hit_ms']:.1f} ms; peak RSS of the server with both models "
        f"loaded: {http['peak_rss_mb']:.0f} MB, {rss_entities:.0f} MB with the entity model as well; "
        f"whole run {time.perf_counter() - started:.0f} s"
    )
    result = {
        "mode": "quick" if args.quick else "full",
        "device": args.device,
        "translation_speedup": round(
            float(example["plain_translation_s"]) / float(example["default_translation_s"]), 2
        ),
        "summary_speedup": round(float(example["plain_summary_s"]) / float(example["default_summary_s"]), 2),
        "translation_speedup_without_vmap": round(
            float(example["plain_translation_s"]) / float(example["novmap_translation_s"]), 2
        ),
        "summary_speedup_without_vmap": round(
            float(example["plain_summary_s"]) / float(example["novmap_summary_s"]), 2
        ),
        "throughput_speedup": round(khulasa_throughput / plain_throughput, 2),
        "throughput_speedup_glossary_worst_case": round(glossary_throughput / plain_throughput, 2),
        "fastest_translation_speedup": round(
            float(example["plain_translation_s"]) / float(example["fastest_translation_s"]), 2
        ),
        "fastest_summary_speedup": round(float(example["plain_summary_s"]) / float(example["fastest_summary_s"]), 2),
        "example_digest_s": round(digest_s["overlapped"], 3),
        "sequential_digest_s": round(digest_s["sequential"], 3),
        "first_summary_ms": round(http["first_summary_ms"], 1),
        "stream_total_ms": round(http["stream_total_ms"], 1),
        "cache_hit_ms": round(http["cache_hit_ms"], 2),
        "peak_rss_mb": http["peak_rss_mb"],
        "peak_rss_with_entities_mb": rss_entities,
        "quality_translation_s": round(float(example["quality_translation_s"]), 3),
        "vocabulary_map_pieces": vmap,
        "articles_per_minute": round(khulasa_throughput * 60, 1),
        "load_average": round(os.getloadavg()[0], 2),
        "rows": rows,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
