"""Request and response bodies of /v1/glossary."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from service.trust.glossary import EntryKind, GlossaryEntry


class GlossaryReplace(msgspec.Struct, forbid_unknown_fields=True):
    """PUT /v1/glossary: the newsroom's whole list, replacing the one stored."""

    entries: list[GlossaryEntry]


class GlossaryEntryBody(msgspec.Struct, forbid_unknown_fields=True):
    """PUT /v1/glossary/{ar}: one entry, its Arabic in the path."""

    en: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: EntryKind = "term"
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class GlossaryItem(msgspec.Struct):
    """An entry in effect, and where it comes from (the config file or this newsroom's list)."""

    ar: str
    en: str
    kind: EntryKind
    note: str | None
    source: Literal["file", "tenant"]


class GlossaryView(msgspec.Struct):
    """The glossary digests use for this caller: file entries overridden by the newsroom's own."""

    tenant: str
    version: str  # part of every digest id made with this glossary
    entries: list[GlossaryItem]
    tenant_entries: int
    file_entries: int
    max_entries: int
