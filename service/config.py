"""Settings: `config/default.toml`, then an optional TOML file, then `KHULASA_*` environment variables."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal, get_origin

import msgspec

# Where config/ and prompts/ live: the checkout (editable install) or KHULASA_HOME (the container).
HOME = Path(os.environ.get("KHULASA_HOME") or Path(__file__).resolve().parents[1])

# Short names an operator reaches for first.
ENV_ALIASES = {
    "KHULASA_REDIS_URL": ("cache", "redis_url"),
    "KHULASA_SUMMARY_MODEL": ("models", "summary"),
    "KHULASA_TRANSLATION_MODEL": ("models", "translation"),
    "KHULASA_HOST": ("server", "host"),
    "KHULASA_PORT": ("server", "port"),
}


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message is one line an operator can act on."""


class Server(msgspec.Struct, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    port: int = msgspec.field(default=8000)
    log_level: Literal["debug", "info", "warning", "error"] = "info"


class Limits(msgspec.Struct, forbid_unknown_fields=True):
    max_article_chars: int = 60_000
    max_body_bytes: int = 1_048_576
    min_arabic_ratio: float = 0.5
    max_in_flight: int = 4
    request_timeout_seconds: float = 120.0
    retry_after_seconds: int = 5


class Auth(msgspec.Struct, forbid_unknown_fields=True):
    api_key_hashes: list[str] = msgspec.field(default_factory=list)


class RateLimit(msgspec.Struct, forbid_unknown_fields=True):
    requests_per_minute: int = 120


class Cors(msgspec.Struct, forbid_unknown_fields=True):
    allow_origins: list[str] = msgspec.field(default_factory=list)


class Pipeline(msgspec.Struct, forbid_unknown_fields=True):
    boilerplate_file: str = "config/boilerplate.toml"
    places_file: str = "config/places.toml"
    summary_min_sentences: int = 2
    summary_max_sentences: int = 4
    max_key_points: int = 5


class Cache(msgspec.Struct, forbid_unknown_fields=True):
    redis_url: str = ""
    ttl_seconds: int = 604_800
    namespace: str = "khulasa"
    retry_seconds: float = 3.0


class ModelsSettings(msgspec.Struct, forbid_unknown_fields=True):
    profile: str = "fast"
    load: Literal["startup", "lazy", "off"] = "startup"
    threads: int = 2
    batch_window_ms: float = 5.0
    translation_cache_entries: int = 20_000
    prompts_dir: str = "prompts"
    profiles_file: str = "config/models.toml"
    summary: str = ""
    translation: str = ""


class Jobs(msgspec.Struct, forbid_unknown_fields=True):
    workers: int = 1
    worker_concurrency: int = 2
    max_articles: int = 10_000
    max_attempts: int = 3
    heartbeat_seconds: int = 10
    sweep_seconds: int = 5
    retention_seconds: int = 604_800
    idempotency_window_seconds: int = 86_400
    callback_secret: str = ""
    callback_attempts: int = 5


class Web(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool = True


class Settings(msgspec.Struct, forbid_unknown_fields=True):
    server: Server = msgspec.field(default_factory=Server)
    limits: Limits = msgspec.field(default_factory=Limits)
    pipeline: Pipeline = msgspec.field(default_factory=Pipeline)
    cache: Cache = msgspec.field(default_factory=Cache)
    models: ModelsSettings = msgspec.field(default_factory=ModelsSettings)
    auth: Auth = msgspec.field(default_factory=Auth)
    rate_limit: RateLimit = msgspec.field(default_factory=RateLimit)
    cors: Cors = msgspec.field(default_factory=Cors)
    jobs: Jobs = msgspec.field(default_factory=Jobs)
    web: Web = msgspec.field(default_factory=Web)

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the Khulasa home folder unless absolute."""
        p = Path(path)
        return p if p.is_absolute() else HOME / p


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _env_layer(environ: dict[str, str]) -> dict[str, Any]:
    """Turn KHULASA_<SECTION>_<KEY> variables into a nested dict of raw strings."""
    sections = {f.name: f.type for f in msgspec.structs.fields(Settings)}
    layer: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith("KHULASA_") or name in ("KHULASA_HOME", "KHULASA_CONFIG", "KHULASA_CLIENT_API_KEY"):
            continue
        if name in ENV_ALIASES:
            section, key = ENV_ALIASES[name]
        else:
            rest = name.removeprefix("KHULASA_").lower()
            section = next((s for s in sections if rest.startswith(s + "_")), "")
            if not section:
                raise ConfigError(
                    f"unknown setting {name}: expected KHULASA_<SECTION>_<KEY> with a section of {', '.join(sections)}"
                )
            key = rest.removeprefix(section + "_")
            fields = {f.name: f.type for f in msgspec.structs.fields(sections[section])}
            if key not in fields:
                raise ConfigError(
                    f"unknown setting {name}: [{section}] has no key {key!r} (it has {', '.join(fields)})"
                )
            if get_origin(fields[key]) is list:
                # Lists come comma-separated: KHULASA_CORS_ALLOW_ORIGINS=https://a.example,https://b.example
                layer.setdefault(section, {})[key] = [item.strip() for item in raw.split(",") if item.strip()]
                continue
        layer.setdefault(section, {})[key] = raw
    return layer


def load_settings(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Build the settings; raise ConfigError with one clear line when a value is wrong."""
    env = dict(os.environ if environ is None else environ)
    data = _read_toml(HOME / "config" / "default.toml")
    extra = path or env.get("KHULASA_CONFIG")
    if extra:
        data = _merge(data, _read_toml(Path(extra)))
    try:
        settings = msgspec.convert(data, Settings)
        # Environment values are strings: let msgspec coerce them to each field's type.
        env_layer = _env_layer(env)
        if env_layer:
            merged = _merge(msgspec.to_builtins(settings), env_layer)
            settings = msgspec.convert(merged, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"bad configuration value: {exc}") from None
    _check(settings)
    return settings


def _check(s: Settings) -> None:
    problems = []
    if not 1 <= s.server.port <= 65535:
        problems.append(f"server.port must be 1..65535, got {s.server.port}")
    if s.limits.max_article_chars < 100:
        problems.append("limits.max_article_chars must be at least 100")
    if not 0.0 < s.limits.min_arabic_ratio <= 1.0:
        problems.append("limits.min_arabic_ratio must be in (0, 1]")
    if not 1 <= s.pipeline.summary_min_sentences <= s.pipeline.summary_max_sentences:
        problems.append("pipeline.summary_min_sentences must be >= 1 and <= summary_max_sentences")
    if s.cache.ttl_seconds < 1:
        problems.append("cache.ttl_seconds must be positive")
    if s.cache.redis_url and not s.cache.redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append(f"cache.redis_url must start with redis://, rediss:// or unix://, got {s.cache.redis_url!r}")
    if s.models.threads < 1:
        problems.append("models.threads must be at least 1")
    if s.limits.max_in_flight < 1:
        problems.append("limits.max_in_flight must be at least 1")
    if s.limits.request_timeout_seconds <= 0:
        problems.append("limits.request_timeout_seconds must be positive")
    if s.rate_limit.requests_per_minute < 0:
        problems.append("rate_limit.requests_per_minute must be 0 (off) or more")
    bad = [h for h in s.auth.api_key_hashes if not re.fullmatch(r"[0-9a-f]{64}", h)]
    if bad:
        problems.append("auth.api_key_hashes must be sha256 hex digests (`khulasa keys hash KEY` prints one)")
    if s.jobs.workers < 0 or s.jobs.worker_concurrency < 1:
        problems.append("jobs.workers must be 0 or more and jobs.worker_concurrency at least 1")
    if not s.cache.redis_url and s.jobs.workers == 0:
        problems.append("jobs.workers is 0 but there is no Redis (cache.redis_url): nothing would run the jobs")
    if s.jobs.max_attempts < 2:
        problems.append("jobs.max_attempts must be at least 2, so that a killed worker's article is retried")
    if problems:
        raise ConfigError("; ".join(problems))
