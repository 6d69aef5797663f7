"""The `khulasa` command: serve, digest a file, manage models."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import msgspec

from service.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from service.runtime import Runtime

_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A TOML file over config/default.toml (KHULASA_* variables still win).",
)


def _settings(config_path: Path | None) -> Settings:
    try:
        return load_settings(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _runtime(settings: Settings) -> Runtime:
    """The process, built once by the composition root; a rule file that cannot be read is one line."""
    from service.runtime import Runtime

    try:
        return Runtime.build(settings)
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"cannot start: {' '.join(str(exc).split())}") from None


@click.group()
def main() -> None:
    """Khulasa: Arabic news digests (summary, English translation, highlights)."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (default: server.host).")
@click.option("--port", type=int, default=None, help="Port (default: server.port, 8000).")
@_config_option
def serve(host: str | None, port: int | None, config_path: Path | None) -> None:
    """Start the HTTP service."""
    import uvicorn

    from service.app import create_app

    settings = _settings(config_path)
    try:
        app = create_app(runtime=_runtime(settings))
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    uvicorn.run(
        app, host=host or settings.server.host, port=port or settings.server.port, log_level=settings.server.log_level
    )


@main.command()
@click.option("--host", default="127.0.0.1", help="Where the service listens.")
@click.option("--port", type=int, default=8000)
@click.option("--ready", is_flag=True, help="Check /health/ready (exit 1 when degraded) instead of /health/live.")
def health(host: str, port: int, ready: bool) -> None:
    """Exit 0 when the service answers (the container's HEALTHCHECK)."""
    import json
    import urllib.error
    import urllib.request

    url = f"http://{host}:{port}/health/{'ready' if ready else 'live'}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{url} did not answer: {exc}") from None
    click.echo(json.dumps(body, ensure_ascii=False))
    if ready and body.get("status") != "ready":
        sys.exit(1)


@main.command()
@click.argument("path", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@click.option("--html", "is_html", is_flag=True, help="The file is HTML.")
@click.option("--title", default=None, help="The headline, when the text does not start with it.")
@click.option("--summary", type=click.Choice(["auto", "abstractive", "extractive"]), default="auto")
@click.option("--translate", type=click.Choice(["full", "summary", "none"]), default="full")
@_config_option
def digest(
    path: Path, is_html: bool, title: str | None, summary: str, translate: str, config_path: Path | None
) -> None:
    """Print the JSON digest of an article file (`-` for standard input), without a server."""
    import structlog

    from service.digest.schemas import DigestOptions, DigestRequest
    from service.errors import Problem

    # stdout carries the JSON digest alone; logs go to stderr.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    settings = _settings(config_path)
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    request = DigestRequest(
        text=text,
        title=title,
        format="html" if is_html else "text",
        options=msgspec.convert({"summary": summary, "translate": translate}, DigestOptions),
    )
    runtime = _runtime(settings)
    if settings.models.load == "startup":
        runtime.models.load_all()  # before the digest starts, so its timings are the digest's own

    async def run() -> bytes:
        try:
            return msgspec.json.encode(await runtime.digests.create(request))
        finally:
            await runtime.close()

    try:
        result = asyncio.run(run())
    except Problem as exc:
        click.echo(msgspec.json.encode(exc.document()), err=True)
        sys.exit(2)
    click.echo(msgspec.json.format(result, indent=2).decode())


@main.group()
def models() -> None:
    """Inspect and download the configured models."""


@models.command("status")
@_config_option
def models_status(config_path: Path | None) -> None:
    """Try to load each configured model and say what happened."""
    registry = _runtime(_settings(config_path)).models
    registry.load_all()
    for role, status in registry.status.items():
        click.echo(f"{role}: {status.state} — {status.model}" + (f" ({status.detail})" if status.detail else ""))
    if not all(s.available for s in registry.status.values()):
        sys.exit(1)


@models.command("convert")
@click.option("--force", is_flag=True, help="Convert again even when a converted model exists.")
@_config_option
def models_convert(force: bool, config_path: Path | None) -> None:
    """Convert the configured checkpoints to CTranslate2 (roles with backend = "ctranslate2"), once, and write
    the vocabulary map of roles with vocabulary_map = true."""
    from service.models.seq2seq import ModelSpec, convert, vocabulary_map_size
    from service.models.vocabulary import target_vocabulary

    failed = False
    for role, entry in _settings(config_path).models.roles.items():
        spec = ModelSpec.from_entry(role, entry)
        if spec.backend != "ctranslate2":
            click.echo(f"{role}: backend is {spec.backend}, nothing to convert")
            continue
        try:
            out = convert(spec, force=force)
        except ImportError:
            raise click.ClickException("ctranslate2 is not installed: pip install 'khulasa[ct2]'") from None
        except Exception as exc:
            click.echo(f"{role}: cannot convert {spec.model}: {' '.join(str(exc).split())[:200]}", err=True)
            failed = True
            continue
        click.echo(f"{role}: {spec.model} → {out} ({spec.quantization})")
        if spec.vocabulary_map:
            total = len(target_vocabulary(out))
            click.echo(f"{role}: vocabulary map keeps {vocabulary_map_size(out):,} of {total:,} output pieces")
    if failed:
        sys.exit(1)


@models.command("pull")
@_config_option
def models_pull(config_path: Path | None) -> None:
    """Download the configured hub models into the Hugging Face cache (needs network to the hub)."""
    from huggingface_hub import snapshot_download

    from service.models.seq2seq import ModelSpec

    settings = _settings(config_path)
    failed = False
    for role, entry in settings.models.roles.items():
        spec = ModelSpec.from_entry(role, entry)
        if spec.is_local:
            click.echo(f"{role}: {spec.model} is a local folder, nothing to pull")
            continue
        click.echo(f"{role}: pulling {spec.model}@{spec.revision} (licence: {spec.licence or 'see model card'})")
        try:
            folder = snapshot_download(
                spec.model,
                revision=spec.revision,
                allow_patterns=["*.json", "*.safetensors", "*.model", "*.spm", "*.txt"],
            )
        except Exception as exc:
            reason = " ".join(str(exc).split())[:200]
            click.echo(
                f"{role}: cannot pull {spec.model}: the model hub is unreachable or refused ({reason})", err=True
            )
            failed = True
            continue
        click.echo(f'{role}: ready in {folder} (to pin this commit: revision = "{Path(folder).name}")')
    if failed:
        sys.exit(1)


@main.group()
def keys() -> None:
    """API keys: the service stores only their SHA-256 digests."""


@keys.command("hash")
@click.argument("key", required=False)
def keys_hash(key: str | None) -> None:
    """Print the digest to put in auth.api_key_hashes (reads the key from stdin when not given)."""
    from service.access import hash_key

    key = key if key is not None else sys.stdin.readline().strip()
    if len(key) < 16:
        raise click.ClickException("use a key of at least 16 characters (e.g. `openssl rand -hex 24`)")
    click.echo(hash_key(key))


@main.command()
@click.option("--concurrency", type=int, default=None, help="Articles at once (default: jobs.worker_concurrency).")
@_config_option
def worker(concurrency: int | None, config_path: Path | None) -> None:
    """Run a job worker against the Redis in cache.redis_url (add as many as the load needs)."""
    import signal

    settings = _settings(config_path)
    if not settings.cache.redis_url:
        raise click.ClickException(
            "khulasa worker needs Redis: set KHULASA_REDIS_URL (without it, jobs run inside khulasa serve)"
        )
    size = concurrency or settings.jobs.worker_concurrency
    runtime = _runtime(settings)
    runtime.use_job_slots(size)

    async def run() -> None:
        await runtime.start(workers=0)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(runtime.stop_workers()))
        click.echo(f"khulasa worker: {size} at once on {runtime.queue.name}", err=True)
        try:
            await runtime.run_worker(size)
        finally:
            await runtime.close()

    asyncio.run(run())


@main.group()
def jobs() -> None:
    """Submit batches to a running service and follow them."""


def _read_batch(source: Path) -> list[dict[str, object]]:
    """Articles from a file (.txt/.html: one article), a folder (every .txt/.html), or JSON lines."""
    import json

    def one(path: Path) -> dict[str, object]:
        fmt = "html" if path.suffix.lower() in (".html", ".htm") else "text"
        return {"text": path.read_text(encoding="utf-8"), "format": fmt, "ref": path.name}

    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm"))
        if not files:
            raise click.ClickException(f"{source} holds no .txt or .html articles")
        return [one(p) for p in files]
    if source.suffix.lower() in (".jsonl", ".ndjson"):
        out = []
        for n, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    item = json.loads(line)
                except ValueError as exc:
                    raise click.ClickException(f"{source}:{n} is not JSON: {exc}") from None
                if not isinstance(item, dict):
                    raise click.ClickException(f"{source}:{n} is not a JSON object with a `text`")
                item.setdefault("ref", f"{source.name}:{n}")
                out.append(item)
        return out
    return [one(source)]


def _chunks(articles: list[dict[str, object]], max_bytes: int, max_articles: int) -> list[list[dict[str, object]]]:
    """Split a batch so that each request body stays under the service's body limit."""
    chunks: list[list[dict[str, object]]] = [[]]
    size = 0
    for article in articles:
        n = len(msgspec.json.encode(article)) + 1
        if chunks[-1] and (size + n > max_bytes or len(chunks[-1]) >= max_articles):
            chunks.append([])
            size = 0
        chunks[-1].append(article)
        size += n
    return chunks


@jobs.command("submit")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--url", default="http://127.0.0.1:8000", help="The Khulasa service.")
@click.option("--api-key", envvar="KHULASA_CLIENT_API_KEY", default=None, help="Sent as Bearer (or the env var).")
@click.option("--idempotency-key", default=None, help="Resubmitting with the same key follows the same jobs.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write results as JSON lines here (default: standard output).",
)
@click.option("--poll", type=float, default=1.0, help="Seconds between progress checks.")
@click.option("--max-body", type=int, default=900_000, help="Bytes per request; larger batches go as several jobs.")
def jobs_submit(
    source: Path,
    url: str,
    api_key: str | None,
    idempotency_key: str | None,
    out: Path | None,
    poll: float,
    max_body: int,
) -> None:
    """Submit FILE, DIR or JSONL, follow it with a progress bar, write one JSON line per article (in order)."""
    import time

    import httpx
    from tqdm import tqdm

    articles = _read_batch(source)
    headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
    started = time.monotonic()
    job_ids: list[str] = []
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        for n, chunk in enumerate(_chunks(articles, max_body, 10_000)):
            extra = {"idempotency-key": f"{idempotency_key}:{n}"} if idempotency_key else {}
            try:
                r = http.post("/v1/jobs", json={"articles": chunk}, headers=extra)
            except httpx.HTTPError as exc:
                raise click.ClickException(f"cannot reach {url}: {exc}") from None
            if r.status_code != 202:
                raise click.ClickException(f"the service refused the job ({r.status_code}): {r.text[:500]}")
            job_ids.append(r.json()["id"])
        click.echo(f"{len(articles)} articles in {len(job_ids)} job(s): {', '.join(job_ids)}", err=True)
        statuses: dict[str, str] = {}
        counts = {"done": 0, "failed": 0}
        with tqdm(total=len(articles), unit="article", file=sys.stderr) as bar:
            while True:
                finished = 0
                counts = {"done": 0, "failed": 0}
                for job_id in job_ids:
                    r = http.get(f"/v1/jobs/{job_id}", params={"limit": 0})
                    if r.status_code != 200:
                        raise click.ClickException(f"job {job_id}: {r.status_code} {r.text[:300]}")
                    view = r.json()
                    statuses[job_id] = view["status"]
                    counts["done"] += view["progress"]["done"]
                    counts["failed"] += view["progress"]["failed"]
                    finished += view["progress"]["done"] + view["progress"]["failed"]
                bar.update(finished - bar.n)
                if all(s in ("done", "failed") for s in statuses.values()):
                    break
                time.sleep(poll)
        elapsed = time.monotonic() - started
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
        try:
            for job_id in job_ids:
                total = http.get(f"/v1/jobs/{job_id}", params={"limit": 0}).json()["progress"]["total"]
                for offset in range(0, total, 500):
                    page = http.get(f"/v1/jobs/{job_id}", params={"offset": offset, "limit": 500}).json()
                    for article in page["articles"]:
                        sink.write(msgspec.json.encode(article).decode() + "\n")
        finally:
            if out:
                sink.close()
    rate = len(articles) / elapsed * 60 if elapsed else 0.0
    click.echo(f"{counts['done']} done, {counts['failed']} failed, {elapsed:.1f} s ({rate:.1f} articles/min)", err=True)
    if counts["done"] == 0:
        sys.exit(1)
