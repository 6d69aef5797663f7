"""Settings: `config/default.toml`, then an optional TOML file, then `KHULASA_*` environment variables.

Ranges and relations are declared on the Structs (msgspec `Meta` constraints, `__post_init__` for rules that
join fields), and the model profile is read and checked in the same load, so every command turns a wrong
setting into one line.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin

import msgspec
from msgspec import Meta

# Where config/ and prompts/ live: the checkout (editable install) or KHULASA_HOME (the container).
HOME = Path(os.environ.get("KHULASA_HOME") or Path(__file__).resolve().parents[1])

# Short names an operator reaches for first. KHULASA_<ROLE>_MODEL (any model role) is handled apart.
ENV_ALIASES = {
    "KHULASA_REDIS_URL": ("cache", "redis_url"),
    "KHULASA_HOST": ("server", "host"),
    "KHULASA_PORT": ("server", "port"),
}
_ROLE_MODEL = re.compile(r"KHULASA_([A-Z][A-Z0-9]*)_MODEL")
_NOT_SETTINGS = ("KHULASA_HOME", "KHULASA_CONFIG", "KHULASA_CLIENT_API_KEY")

Positive = Annotated[int, Meta(ge=1)]
NonNegative = Annotated[int, Meta(ge=0)]
PositiveFloat = Annotated[float, Meta(gt=0)]


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message is one line an operator can act on."""


class Server(msgspec.Struct, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535)] = 8000
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Slow clients (service/server.py): the request head must arrive within header_timeout_seconds of the
    # connection (or of its first byte after a response), the whole body within body_timeout_seconds (408).
    header_timeout_seconds: PositiveFloat = 10.0
    body_timeout_seconds: PositiveFloat = 30.0
    # An idle keep-alive connection is closed after this many seconds.
    timeout_keep_alive: Positive = 5
    # Open connections (and requests in progress) past which new requests are answered 503.
    limit_concurrency: Positive = 500
    # A request head still incomplete past this many bytes is refused with 400 (h11's limit; a head that
    # arrives whole in one read is bounded by the read size instead).
    h11_max_incomplete_event_size: Annotated[int, Meta(ge=1024, le=1_048_576)] = 16_384


class Limits(msgspec.Struct, forbid_unknown_fields=True):
    max_article_chars: Annotated[int, Meta(ge=100)] = 60_000
    # A whole web page (menus, scripts, comments around the story) may be this long before extraction.
    max_page_chars: Annotated[int, Meta(ge=1000)] = 2_000_000
    max_html_depth: Annotated[int, Meta(ge=16, le=10_000)] = 256
    max_body_bytes: Annotated[int, Meta(ge=1024)] = 4_194_304
    min_arabic_ratio: Annotated[float, Meta(gt=0, le=1)] = 0.5
    max_in_flight: Positive = 4
    request_timeout_seconds: PositiveFloat = 120.0
    retry_after_seconds: Positive = 5


KeyHash = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]
TenantName = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class Auth(msgspec.Struct, forbid_unknown_fields=True):
    # Each key here is its own tenant (jobs, idempotency keys, digests and quotas are per tenant).
    api_key_hashes: list[KeyHash] = msgspec.field(default_factory=list)
    # Named tenants owning several keys: `[auth.tenants] newsroom = ["<sha256 hex>", ...]`.
    tenants: dict[TenantName, list[KeyHash]] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        owners: dict[str, str] = {}
        for name, hashes in self.tenants.items():
            for digest in hashes:
                if digest in owners and owners[digest] != name:
                    raise ValueError(f"auth.tenants: one key hash belongs to both {owners[digest]!r} and {name!r}")
                owners[digest] = name

    @property
    def enabled(self) -> bool:
        """Whether API keys are required (any key configured, alone or in a named tenant)."""
        return bool(self.api_key_hashes or any(self.tenants.values()))


class RateLimit(msgspec.Struct, forbid_unknown_fields=True):
    requests_per_minute: NonNegative = 120  # 0: off
    # Article characters per tenant per minute, over /v1/digest, /v1/digest/stream and /v1/jobs (0: off).
    chars_per_minute: NonNegative = 0
    # Requests with a wrong or missing API key, per client address per minute, before 429 (0: off).
    failed_auth_per_minute: NonNegative = 20


class Cors(msgspec.Struct, forbid_unknown_fields=True):
    allow_origins: list[str] = msgspec.field(default_factory=list)


class Pipeline(msgspec.Struct, forbid_unknown_fields=True):
    boilerplate_file: str = "config/boilerplate.toml"
    places_file: str = "config/places.toml"
    names_file: str = "config/names.toml"
    summary_min_sentences: Positive = 2
    summary_max_sentences: Positive = 4
    max_key_points: Annotated[int, Meta(ge=0, le=20)] = 5

    def __post_init__(self) -> None:
        if self.summary_min_sentences > self.summary_max_sentences:
            raise ValueError("pipeline.summary_min_sentences must be <= pipeline.summary_max_sentences")


class Cache(msgspec.Struct, forbid_unknown_fields=True):
    redis_url: Annotated[str, Meta(pattern=r"^$|^(redis|rediss|unix)://")] = ""
    ttl_seconds: Positive = 604_800
    namespace: str = "khulasa"
    retry_seconds: Annotated[float, Meta(ge=0)] = 3.0
    # false: each tenant has its own digest cache; true: one compute cache, but `meta.cached` and
    # GET /v1/digest/{id} still only reflect the tenant's own requests.
    share_between_tenants: bool = False
    # The in-process store (no redis_url, and the rate-limit counters while Redis fails): least recently used
    # entries leave past either bound (a digest is about 13 kB).
    memory_max_entries: Positive = 20_000
    memory_max_bytes: Annotated[int, Meta(ge=65_536)] = 134_217_728


class ModelEntry(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One role's checkpoint in a profile of config/models.toml: which model, and how to run it."""

    model: str
    prompt: str = ""
    revision: str = "main"
    licence: str = ""
    max_input_tokens: Positive = 512
    batch_size: Positive = 8
    generation: dict[str, Any] = msgspec.field(default_factory=dict)
    backend: Literal["transformers", "ctranslate2"] = "transformers"
    # ctranslate2: "int8", "int8_float32", "float32"...; transformers: "none" or "dynamic-int8".
    quantization: str = "none"
    # Translation: longer sentences are split at clauses into pieces of at most this many tokens (0: the
    # model's input limit).
    max_piece_tokens: NonNegative = 0
    # CTranslate2 only: restrict the output layer to the vocabulary map `khulasa models convert` writes next
    # to the converted model: the pieces of the script the model writes, digits, punctuation, special tokens
    # ("arabic": Arabic-script pieces and short Latin ones, for a summary; "latin": Latin-script pieces, for
    # English).
    vocabulary_map: bool = False
    vocabulary_map_script: Literal["arabic", "latin"] = "arabic"
    # Threads this role's model computes with (0: models.threads). On few cores, one thread per model lets the
    # summary and the translation run side by side instead of taking turns on both cores.
    threads: NonNegative = 0
    # CTranslate2 only: batches this role's model runs at once (its inter_threads, the weights shared), each
    # with `threads` threads. 2 for the translation: work ahead of need (a digest's article, translated while
    # its summary is written) takes at most one, so the summary's English starts the moment it is written.
    parallel_batches: Positive = 1


class ModelsSettings(msgspec.Struct, forbid_unknown_fields=True):
    profile: str = "fast"
    load: Literal["startup", "lazy", "off"] = "startup"
    # Threads per model (0: auto, half the CPU cores this process may use, at least one: a digest runs the
    # summary and the translation at once, and on two cores one thread each is faster than two each).
    threads: NonNegative = 0
    # "auto": CUDA when CTranslate2 (or torch, for the transformers backend) sees a GPU, else the CPU.
    device: Literal["auto", "cpu", "cuda"] = "auto"
    batch_window_ms: Annotated[float, Meta(ge=0)] = 5.0
    # Translate the article's own text while the summary is written (two models at once), or one after the other.
    overlap_translation: bool = True
    translation_cache_entries: NonNegative = 20_000
    prompts_dir: str = "prompts"
    profiles_file: str = "config/models.toml"

    def threads_for(self, entry: ModelEntry) -> int:
        """The threads a role's model computes with: its own setting, else models.threads, else half the cores."""
        if entry.threads:
            return entry.threads
        if self.threads:
            return self.threads
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(1, cores // 2)

    # Per role, a hub id or local folder replacing the profile's checkpoint (KHULASA_<ROLE>_MODEL).
    overrides: dict[str, str] = msgspec.field(default_factory=dict)
    # Filled by load_settings from the chosen profile with the overrides applied: role → entry.
    roles: dict[str, ModelEntry] = msgspec.field(default_factory=dict)


class Jobs(msgspec.Struct, forbid_unknown_fields=True):
    workers: NonNegative = 1
    worker_concurrency: Positive = 2
    max_articles: Positive = 10_000
    # At least 2, so that a killed worker's article is retried.
    max_attempts: Annotated[int, Meta(ge=2)] = 3
    heartbeat_seconds: Positive = 10
    sweep_seconds: Positive = 5
    retention_seconds: Positive = 604_800
    idempotency_window_seconds: Positive = 86_400
    callback_secret: str = ""
    callback_attempts: Positive = 5
    # Callback targets in these networks are allowed although private, loopback or link-local (CIDRs).
    callback_allow_networks: list[str] = msgspec.field(default_factory=list)
    callback_connect_timeout_seconds: PositiveFloat = 5.0
    callback_read_timeout_seconds: PositiveFloat = 10.0
    # Queued plus running articles one tenant may have (a job that does not fit: 429); 0: no limit.
    max_queued_articles_per_key: NonNegative = 10_000
    # Queued plus running articles of all tenants together (past it: 503); 0: no limit.
    max_queued_articles: NonNegative = 100_000
    # An article still waiting this long after its job was accepted fails with the problem `expired`.
    queued_ttl_seconds: Positive = 86_400
    # Articles handed to the queue ahead of the workers (0: twice the worker's concurrency). Small keeps
    # the round-robin between tenants fair.
    dispatch_window: NonNegative = 0

    def __post_init__(self) -> None:
        secret_bytes = len(self.callback_secret.encode())
        if self.callback_secret and secret_bytes < 32:
            raise ValueError(
                f"jobs.callback_secret is {secret_bytes} bytes; use at least 32 "
                "(`python -c 'import secrets; print(secrets.token_hex(32))'` prints one)"
            )
        for network in self.callback_allow_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(
                    f"jobs.callback_allow_networks: {network!r} is not a network (e.g. 10.20.0.0/16)"
                ) from None
        # The delivery job itself times out at 60 s; one attempt (resolve, connect, send, read) must fit in it.
        if self.callback_connect_timeout_seconds + self.callback_read_timeout_seconds > 50:
            raise ValueError(
                "jobs.callback_connect_timeout_seconds and jobs.callback_read_timeout_seconds must be 50 s at most "
                "together"
            )


class Web(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool = True


class SummarySettings(msgspec.Struct, forbid_unknown_fields=True):
    """What to do with an abstractive summary that states facts the article lacks (see README "Trust")."""

    # flag: deliver it and list the facts; drop_sentence: leave out the sentences holding them (extractive
    # when none is left); extractive: deliver the extractive summary instead.
    on_unsupported: Literal["flag", "drop_sentence", "extractive"] = "drop_sentence"
    # A summary sentence whose best article sentences cover less of its content than this gets no source.
    min_source_score: Annotated[float, Meta(ge=0, le=1)] = 0.3


class GlossarySettings(msgspec.Struct, forbid_unknown_fields=True):
    """The newsroom glossary: the file every newsroom shares, and the bound on each newsroom's own list."""

    file: str = "config/glossary.toml"
    max_entries: Annotated[int, Meta(ge=1, le=5000)] = 5000


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
    summary: SummarySettings = msgspec.field(default_factory=SummarySettings)
    glossary: GlossarySettings = msgspec.field(default_factory=GlossarySettings)

    def __post_init__(self) -> None:
        if not self.cache.redis_url and self.jobs.workers == 0:
            raise ValueError("jobs.workers is 0 but there is no Redis (cache.redis_url): nothing would run the jobs")

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


def _fields(struct: Any) -> dict[str, Any]:
    return {f.name: f.type for f in msgspec.structs.fields(struct)}


def _env_layer(environ: dict[str, str]) -> dict[str, Any]:
    """Turn KHULASA_<SECTION>_<KEY> variables into a nested dict of raw strings."""
    sections = {f.name: f.type for f in msgspec.structs.fields(Settings)}
    layer: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith("KHULASA_") or name in _NOT_SETTINGS:
            continue
        rest = name.removeprefix("KHULASA_").lower()
        section = next((s for s in sections if rest.startswith(s + "_")), "")
        role = _ROLE_MODEL.fullmatch(name)
        if role and section and rest.removeprefix(section + "_") in _fields(sections[section]):
            role = None  # a setting of that section, not a model role (no section has a `model` key today)
        if name in ENV_ALIASES:
            section, key = ENV_ALIASES[name]
        elif role:
            layer.setdefault("models", {}).setdefault("overrides", {})[role.group(1).lower()] = raw
            continue
        else:
            if not section:
                raise ConfigError(
                    f"unknown setting {name}: expected KHULASA_<SECTION>_<KEY> with a section of "
                    f"{', '.join(sections)}, or KHULASA_<ROLE>_MODEL"
                )
            key = rest.removeprefix(section + "_")
            fields = _fields(sections[section])
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


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _resolve_roles(settings: Settings) -> None:
    """Read the chosen model profile, apply the per-role overrides and keep the result on the settings."""
    path = settings.resolve(settings.models.profiles_file)
    profiles = _read_toml(path).get("profiles", {})
    name = settings.models.profile
    if name not in profiles:
        raise ConfigError(f"models.profile {name!r} is not in {path}: choose one of {', '.join(profiles) or 'none'}")
    try:
        roles = msgspec.convert(profiles[name], dict[str, ModelEntry])
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{path}: [profiles.{name}] {_one_line(exc)}") from None
    for role, model in settings.models.overrides.items():
        if not model:
            continue
        if role not in roles:
            raise ConfigError(
                f"KHULASA_{role.upper()}_MODEL: profile {name!r} has no {role!r} role (it has {', '.join(roles)})"
            )
        roles[role] = msgspec.structs.replace(roles[role], model=model, revision="main")
    settings.models.roles = roles


def load_settings(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Build the settings; raise ConfigError with one clear line when a value is wrong."""
    env = dict(os.environ if environ is None else environ)
    data = _read_toml(HOME / "config" / "default.toml")
    extra = path or env.get("KHULASA_CONFIG")
    if extra:
        data = _merge(data, _read_toml(Path(extra)))
    try:
        env_layer = _env_layer(env)
        # Environment values are strings: strict=False lets msgspec coerce them to each field's type.
        settings = msgspec.convert(_merge(data, env_layer), Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"bad configuration value: {_one_line(exc)}") from None
    _resolve_roles(settings)
    return settings
