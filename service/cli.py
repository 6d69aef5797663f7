"""The `khulasa` command: serve, digest a file, manage models."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import msgspec

from service import __version__, logs
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


def _reason(exc: BaseException, limit: int = 160) -> str:
    """An exception as one short line: its first sentence, cut at a word (never mid-word), with its class."""
    text = " ".join(str(exc).split())
    first = text.split(". ", 1)[0].rstrip(".")
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0].rstrip(",;:(") + " …"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{name} is not UTF-8 text (byte {exc.start} cannot be decoded)") from None


def _read_text(path: Path) -> str:
    """A UTF-8 text file, or one line (a ClickException) naming the file and what is wrong with it."""
    if path.is_dir():
        raise click.ClickException(f"{path} is a directory: give an article file (or `-` for standard input)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    return _decode(raw, str(path))


# What a user loses when a model role is missing, in the banner's and `make run`'s words.
_MISSING = {"summary": "extractive summary", "translation": "no English"}


def _missing_capabilities(runtime: Runtime) -> list[str]:
    return [
        _MISSING.get(role, f"no {role} model")
        for role, status in runtime.models.status.items()
        if not status.available and status.state != "not loaded yet"
    ]


def _banner(runtime: Runtime, host: str, port: int) -> str:
    """The start-up block on stderr: mode, what is missing and the one command that fixes it, the URLs."""
    from urllib.parse import urlsplit

    settings = runtime.settings
    if settings.cache.redis_url:
        where = urlsplit(settings.cache.redis_url)
        mode = f"Redis mode: cache, rate limits and job queue on {where.hostname}:{where.port or 6379}"
    else:
        mode = "embedded mode: in-process cache and job queue (no Redis; jobs do not survive a restart)"
    shown = "localhost" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    base = f"http://{shown}:{port}"
    lines = [f"khulasa {__version__}: {mode}"]
    if missing := _missing_capabilities(runtime):
        lines.append(f"degraded: {', '.join(missing)} (why: {base}/health/ready)")
        lines.append("  to fix: khulasa models pull   (then restart)")
    if settings.web.enabled:
        lines.append(f"  page    {base}/")
    lines.append(f"  docs    {base}/schema/swagger")
    lines.append(f"  health  {base}/health/ready")
    return "\n".join(lines)


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
    logs.configure(settings.server.log_level)
    runtime = _runtime(settings)
    if settings.models.load == "startup":
        runtime.models.load_all()  # now, so that the banner can say what is missing (the lifespan finds them loaded)
    try:
        app = create_app(runtime=runtime)
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    from service.server import guarded, uvicorn_options

    host, port = host or settings.server.host, port or settings.server.port
    click.echo(_banner(runtime, host, port), err=True)
    # Slow-client guards and the server's limits (server.* settings): see service/server.py. log_config=None:
    # uvicorn keeps its hands off logging (its records go through service/logs.py as JSON); access_log=False:
    # the request line of service/logs.py replaces uvicorn's plain one.
    uvicorn.run(
        guarded(app, settings), host=host, port=port, **uvicorn_options(settings), log_config=None, access_log=False
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
@click.argument("path", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--html", "is_html", is_flag=True, help="The file is HTML.")
@click.option("--title", default=None, help="The headline, when the text does not start with it.")
@click.option("--summary", type=click.Choice(["auto", "abstractive", "extractive"]), default="auto")
@click.option("--translate", type=click.Choice(["full", "summary", "none"]), default="full")
@_config_option
def digest(
    path: Path, is_html: bool, title: str | None, summary: str, translate: str, config_path: Path | None
) -> None:
    """Print the JSON digest of an article file (`-` for standard input), without a server."""
    from service.digest.schemas import DigestOptions, DigestRequest
    from service.errors import Problem

    # stdout carries the JSON digest alone; logs (warnings and up) go to stderr as JSON lines.
    logs.configure("warning")
    settings = _settings(config_path)
    text = _decode(sys.stdin.buffer.read(), "standard input") if str(path) == "-" else _read_text(path)
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
    logs.configure("error")  # each failure is said once, below, not also as a log line
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
            why = (
                "not in the local Hugging Face cache: run `khulasa models pull` first"
                if isinstance(exc, OSError) and not spec.is_local
                else _reason(exc)
            )
            click.echo(f"{role}: cannot convert {spec.model}: {why}", err=True)
            failed = True
            continue
        click.echo(f"{role}: {spec.model} → {out} ({spec.quantization})")
        if spec.vocabulary_map:
            total = len(target_vocabulary(out))
            click.echo(f"{role}: vocabulary map keeps {vocabulary_map_size(out):,} of {total:,} output pieces")
    if failed:
        sys.exit(1)


@models.command("pull")
@click.option(
    "--degraded-ok",
    is_flag=True,
    help="When a model cannot be pulled, say in one line what the service will lack (make run uses it).",
)
@_config_option
def models_pull(degraded_ok: bool, config_path: Path | None) -> None:
    """Download the configured hub models into the Hugging Face cache (needs network to the hub)."""
    from huggingface_hub import snapshot_download

    from service.models.seq2seq import ModelSpec

    settings = _settings(config_path)
    failed: list[str] = []
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
                allow_patterns=["*.json", "*.safetensors", "*.model", "*.spm", "*.txt"]
                # CAMeL's NER checkpoint has no safetensors on its main branch: its weights are a .bin.
                + (["pytorch_model.bin"] if role == "entities" else []),
            )
        except Exception as exc:
            failed.append(role)
            if not degraded_ok:
                click.echo(
                    f"{role}: cannot pull {spec.model}: the model hub is unreachable or refused ({_reason(exc)})",
                    err=True,
                )
            continue
        click.echo(f'{role}: ready in {folder} (to pin this commit: revision = "{Path(folder).name}")')
    if failed:
        if degraded_ok:
            lost = ", ".join(_MISSING.get(role, f"no {role} model") for role in failed)
            click.echo(
                f"serving in degraded mode: {lost} — see /health/ready (the model hub was not reachable)", err=True
            )
        sys.exit(1)


@main.group()
def keys() -> None:
    """API keys: the service stores only their SHA-256 digests."""


@keys.command("hash")
@click.argument("key", required=False)
def keys_hash(key: str | None) -> None:
    """Print the digest to put in auth.api_key_hashes (reads the key from stdin when not given)."""
    from service.access import hash_key

    if key is None:
        # On a terminal, ask (hidden) rather than wait silently for standard input.
        key = click.prompt("API key", hide_input=True, err=True) if sys.stdin.isatty() else sys.stdin.readline()
    key = key.strip()
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
    logs.configure(settings.server.log_level)
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


def _read_batch(source: Path) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    """Articles from a file (.txt/.html: one article), a folder (every .txt/.html), or JSON lines; and the files
    of a folder that could not be read, each with its reason (they are skipped, listed and fail the run)."""
    import json

    def one(path: Path) -> dict[str, object]:
        fmt = "html" if path.suffix.lower() in (".html", ".htm") else "text"
        return {"text": _read_text(path), "format": fmt, "ref": path.name}

    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm") and p.is_file())
        if not files:
            raise click.ClickException(f"{source} holds no .txt or .html articles")
        articles, unreadable = [], []
        for path in files:
            try:
                articles.append(one(path))
            except click.ClickException as exc:
                unreadable.append((path.name, exc.message))
        return articles, unreadable
    if source.suffix.lower() in (".jsonl", ".ndjson"):
        out = []
        for n, line in enumerate(_read_text(source).splitlines(), 1):
            if line.strip():
                try:
                    item = json.loads(line)
                except ValueError as exc:
                    raise click.ClickException(f"{source}:{n} is not JSON: {exc}") from None
                if not isinstance(item, dict):
                    raise click.ClickException(f"{source}:{n} is not a JSON object with a `text`")
                item.setdefault("ref", f"{source.name}:{n}")
                out.append(item)
        return out, []
    return [one(source)], []


def _timestamp(value: object) -> float | None:
    """A job's created_at / finished_at as epoch seconds, whether the service sends a number or ISO 8601."""
    from datetime import datetime

    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def _problem_reason(error: object) -> str:
    """One line from an article's problem document: its title and detail."""
    if not isinstance(error, dict):
        return "failed"
    title, detail = str(error.get("title") or "failed"), str(error.get("detail") or "")
    return f"{title}: {detail}" if detail and detail != title else title


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
    help="Write results as JSON lines here (default: standard output, or a summary only on a terminal).",
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
    """Submit FILE, DIR or JSONL, follow it with a progress bar, write one JSON line per article (in order).

    Without --out, the JSON lines go to standard output when it is a file or a pipe; on a terminal a summary is
    printed instead. Files that cannot be read and articles that failed are listed with their reason, and the
    exit status is 1 when any did."""
    import time

    import httpx
    from tqdm import tqdm

    articles, unreadable = _read_batch(source)
    if not articles:
        raise click.ClickException(f"nothing to submit: no article in {source} could be read")
    headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
    to_terminal = out is None and sys.stdout.isatty()
    started = time.monotonic()
    job_ids: list[str] = []
    views: dict[str, dict[str, Any]] = {}
    failures: list[tuple[str, str]] = []
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:

        def get(path: str, **params: int) -> dict[str, Any]:
            try:
                r = http.get(path, params=params)
            except httpx.HTTPError as exc:
                raise click.ClickException(f"lost {url}: {_reason(exc)}") from None
            if r.status_code != 200:
                raise click.ClickException(f"{path}: {r.status_code} {' '.join(r.text.split())[:300]}")
            body: dict[str, Any] = r.json()
            return body

        for n, chunk in enumerate(_chunks(articles, max_body, 10_000)):
            extra = {"idempotency-key": f"{idempotency_key}:{n}"} if idempotency_key else {}
            try:
                r = http.post("/v1/jobs", json={"articles": chunk}, headers=extra)
            except httpx.HTTPError as exc:
                raise click.ClickException(f"cannot reach {url}: {_reason(exc)}") from None
            if r.status_code != 202:
                raise click.ClickException(
                    f"the service refused the job ({r.status_code}): {' '.join(r.text.split())[:500]}"
                )
            job_ids.append(r.json()["id"])
        skipping = f" ({len(unreadable)} file(s) skipped, listed at the end)" if unreadable else ""
        click.echo(f"{len(articles)} articles in {len(job_ids)} job(s): {', '.join(job_ids)}{skipping}", err=True)
        wait = min(0.1, poll)  # short jobs are seen done at once; long ones are polled every `poll` seconds
        with tqdm(total=len(articles), unit="article", file=sys.stderr) as bar:
            while True:
                views = {job_id: get(f"/v1/jobs/{job_id}", limit=0) for job_id in job_ids}
                bar.update(sum(v["progress"]["done"] + v["progress"]["failed"] for v in views.values()) - bar.n)
                if all(v["status"] in ("done", "failed") for v in views.values()):
                    break
                time.sleep(wait)
                wait = min(wait * 2, poll)
        sink = out.open("w", encoding="utf-8") if out else (None if to_terminal else sys.stdout)
        try:
            for job_id in job_ids:
                for offset in range(0, views[job_id]["progress"]["total"], 500):
                    for article in get(f"/v1/jobs/{job_id}", offset=offset, limit=500)["articles"]:
                        if article.get("status") == "failed":
                            failures.append(
                                (str(article.get("ref") or article.get("index")), _problem_reason(article.get("error")))
                            )
                        if sink is not None:
                            sink.write(msgspec.json.encode(article).decode() + "\n")
        finally:
            if out and sink is not None:
                sink.close()
    done = sum(v["progress"]["done"] for v in views.values())
    failed = sum(v["progress"]["failed"] for v in views.values())
    # The rate is the service's: from the first job's creation to the last one's completion, on the articles
    # done, so neither the progress poll nor a job that was already finished (a duplicate) distorts it.
    begun = [t for v in views.values() if (t := _timestamp(v.get("created_at"))) is not None]
    ended = [t for v in views.values() if (t := _timestamp(v.get("finished_at"))) is not None]
    elapsed = max(ended) - min(begun) if begun and len(ended) == len(views) else time.monotonic() - started
    rate = f"{done / elapsed * 60:.1f} articles/min" if elapsed > 0 and done else "no articles done"
    for _, reason in unreadable:
        click.echo(f"skipped: {reason}", err=True)
    for ref, reason in failures:
        click.echo(f"failed {ref}: {reason}", err=True)
    where = f", results in {out}" if out else (" (--out FILE to keep the results)" if to_terminal else "")
    skipped = f", {len(unreadable)} skipped" if unreadable else ""
    seconds = f"{elapsed:.2f}" if elapsed < 10 else f"{elapsed:.1f}"
    click.echo(f"{done} done, {failed} failed{skipped}, {seconds} s ({rate}){where}", err=True)
    if failed or unreadable or done == 0:
        sys.exit(1)


def _job_call(url: str, api_key: str | None, method: str, path: str, **params: int) -> dict[str, object]:
    """One call to the jobs API; any failure is one line (the problem's detail) and exit 1."""
    import httpx

    headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            r = http.request(method, path, params=params or None)
    except httpx.HTTPError as exc:
        raise click.ClickException(f"cannot reach {url}: {type(exc).__name__}") from None
    try:
        body = r.json()
    except ValueError:
        body = {}
    if r.status_code >= 400:
        detail = body.get("detail") if isinstance(body, dict) else None
        raise click.ClickException(f"{r.status_code}: {detail or r.reason_phrase}")
    if not isinstance(body, dict):
        raise click.ClickException(f"unexpected answer from {url}{path}")
    return body


_url_option = click.option("--url", default="http://127.0.0.1:8000", help="The Khulasa service.")
_key_option = click.option(
    "--api-key", envvar="KHULASA_CLIENT_API_KEY", default=None, help="Sent as Bearer (or the env var)."
)


@jobs.command("status")
@click.argument("job_id")
@_url_option
@_key_option
def jobs_status(job_id: str, url: str, api_key: str | None) -> None:
    """One line: the job's status and progress."""
    view = _job_call(url, api_key, "GET", f"/v1/jobs/{job_id}", limit=0)
    p = view["progress"]
    assert isinstance(p, dict)
    click.echo(
        f"{view['id']} {view['status']}: {p['done']} done, {p['failed']} failed, {p.get('cancelled', 0)} cancelled "
        f"of {p['total']} (created {view['created_at']}, finished {view['finished_at'] or '-'})"
    )


@jobs.command("results")
@click.argument("job_id")
@_url_option
@_key_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the JSON lines here.")
def jobs_results(job_id: str, url: str, api_key: str | None, out: Path | None) -> None:
    """The job's articles as JSON lines, in order (to --out, or standard output)."""
    first = _job_call(url, api_key, "GET", f"/v1/jobs/{job_id}", limit=0)
    progress = first["progress"]
    assert isinstance(progress, dict)
    total = int(progress["total"])
    try:
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    try:
        for offset in range(0, total, 500):
            page = _job_call(url, api_key, "GET", f"/v1/jobs/{job_id}", offset=offset, limit=500)
            articles = page["articles"]
            assert isinstance(articles, list)
            for article in articles:
                sink.write(msgspec.json.encode(article).decode() + "\n")
    finally:
        if out:
            sink.close()
    if out:
        click.echo(f"{total} articles of job {job_id} ({first['status']}) written to {out}", err=True)


@jobs.command("cancel")
@click.argument("job_id")
@_url_option
@_key_option
def jobs_cancel(job_id: str, url: str, api_key: str | None) -> None:
    """Cancel the job's articles that have not started (running ones finish)."""
    answer = _job_call(url, api_key, "DELETE", f"/v1/jobs/{job_id}")
    click.echo(f"{answer['id']} {answer['status']}: {answer['cancelled']} articles cancelled")
