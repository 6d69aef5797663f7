"""Request and response bodies of /v1/glossary."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.trust.glossary import EntryKind, GlossaryEntry


class GlossaryReplace(msgspec.Struct, forbid_unknown_fields=True):
    """PUT /v1/glossary: the newsroom's whole list, replacing the one stored."""

    entries: Annotated[list[GlossaryEntry], Meta(description="The newsroom's whole list (at most 5,000 entries)")]


class GlossaryEntryBody(msgspec.Struct, forbid_unknown_fields=True):
    """PUT /v1/glossary/{ar}: one entry, its Arabic in the path."""

    en: Annotated[str, Meta(min_length=1, max_length=200, description="The English it must read, verbatim")]
    kind: Annotated[EntryKind, Meta(description="person, place, organization or term")] = "term"
    note: Annotated[str, Meta(max_length=500, description="The desk's note (not used by the service)")] | None = None


class GlossaryItem(msgspec.Struct):
    """An entry in effect, and where it comes from (the config file or this newsroom's list)."""

    ar: Annotated[str, Meta(description="The Arabic as the desk writes it")]
    en: Annotated[str, Meta(description="The English every digest uses for it")]
    kind: Annotated[EntryKind, Meta(description="person, place, organization or term")]
    note: Annotated[str | None, Meta(description="The desk's note")]
    source: Annotated[Literal["file", "tenant"], Meta(description="config/glossary.toml, or this newsroom's list")]


class GlossaryView(msgspec.Struct):
    """The glossary digests use for this caller: file entries overridden by the newsroom's own."""

    tenant: Annotated[str, Meta(description="The newsroom (API key) this glossary belongs to; public without keys")]
    version: Annotated[str, Meta(description="Version of this glossary: part of every digest id made with it")]
    entries: Annotated[list[GlossaryItem], Meta(description="Every entry in effect")]
    tenant_entries: Annotated[int, Meta(description="How many entries are the newsroom's own")]
    file_entries: Annotated[int, Meta(description="How many come from config/glossary.toml")]
    max_entries: Annotated[int, Meta(description="The most entries a newsroom may keep")]
