"""The one reader of rule data files: every file a rule reads is fingerprinted here, so the digest
identity covers all of them without a hand-kept list."""

from __future__ import annotations

import hashlib
import threading
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_read: dict[str, str] = {}  # path or package name → sha256 of its bytes, or its version


def read_bytes(path: Path) -> bytes:
    """A rule data file's bytes, recorded in the rules fingerprint."""
    data = path.read_bytes()
    with _lock:
        _read[str(path.resolve())] = hashlib.sha256(data).hexdigest()
    return data


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML rule file, recorded in the rules fingerprint; a malformed file raises ValueError naming it."""
    try:
        return tomllib.loads(read_bytes(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from None


def record_package(name: str) -> None:
    """Record the version of a package whose data a rule reads (a gazetteer, a name index)."""
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        version = "absent"
    with _lock:
        _read[f"package:{name}"] = version


def fingerprint() -> str:
    """Short hash over every file and package read so far in this process."""
    with _lock:
        items = sorted(_read.items())
    return hashlib.sha256(repr(items).encode()).hexdigest()[:12]
