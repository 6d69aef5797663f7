"""Glossary storage: per-tenant entries in a litestar Store (Redis or memory), over the file's entries."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

import msgspec
from litestar.stores.base import Store

from service.glossary.schemas import GlossaryItem, GlossaryView
from service.trust.glossary import MAX_ENTRIES, Glossary, GlossaryEntry

_ENTRIES = msgspec.json.Decoder(list[GlossaryEntry])
_COMPILED_CACHE = 64  # tenants whose compiled glossary is kept in the process


class GlossaryFull(ValueError):
    """A tenant's list would pass the bound on entries."""


class GlossaryService:
    """Each tenant's entries (API keys: one newsroom per key; without keys: "public") and the file's.

    A tenant entry with the same normalised Arabic as a file entry overrides it for that tenant. Changes
    are read-modify-write on one store key: two editors changing one newsroom's list at the same instant
    may lose one change (the last write wins), which is acceptable for an editorial list.
    """

    def __init__(
        self, store: Store, file_entries: Sequence[GlossaryEntry] = (), max_entries: int = MAX_ENTRIES
    ) -> None:
        self.store = store
        self.file_entries = list(file_entries)
        self.max_entries = max_entries
        self._compiled: OrderedDict[str, tuple[str, Glossary]] = OrderedDict()
        self._file: Glossary | None = None

    @staticmethod
    def _key(tenant: str) -> str:
        return f"glossary:{tenant}"

    async def tenant_entries(self, tenant: str) -> list[GlossaryEntry]:
        """The tenant's own entries, in the order they were given."""
        raw = await self.store.get(self._key(tenant))
        return _ENTRIES.decode(raw) if raw else []

    async def glossary(self, tenant: str) -> Glossary:
        """The glossary digests use for this tenant (compiled once per stored version)."""
        raw = await self.store.get(self._key(tenant)) or b"[]"
        digest = hashlib.sha256(raw).hexdigest()
        hit = self._compiled.get(tenant)
        if hit is not None and hit[0] == digest:
            self._compiled.move_to_end(tenant)
            return hit[1]
        glossary = Glossary(
            [*self.file_entries, *_ENTRIES.decode(raw)], max_entries=self.max_entries + len(self.file_entries)
        )
        self._compiled[tenant] = (digest, glossary)
        if len(self._compiled) > _COMPILED_CACHE:
            self._compiled.popitem(last=False)
        return glossary

    async def for_digest(self, tenant: str) -> tuple[Glossary, str | None]:
        """The tenant's glossary for a digest; when the store is away, the file's entries and a warning (a
        digest never fails for the glossary, and its id then says which glossary it used)."""
        try:
            return await self.glossary(tenant), None
        except Exception as exc:  # Redis down or timing out: the store's errors are not one class
            glossary = self.file_glossary()
            return glossary, (
                f"the newsroom's own glossary could not be read ({type(exc).__name__}); only the entries of the "
                "glossary file were applied"
            )

    def file_glossary(self) -> Glossary:
        """The glossary of the file's entries alone (what a newsroom without entries of its own uses)."""
        if self._file is None:
            self._file = Glossary(self.file_entries, max_entries=len(self.file_entries) or 1)
        return self._file

    async def _save(self, tenant: str, entries: list[GlossaryEntry]) -> None:
        if len(entries) > self.max_entries:
            raise GlossaryFull(f"a newsroom's glossary may hold at most {self.max_entries} entries")
        if entries:
            await self.store.set(self._key(tenant), msgspec.json.encode(entries))
        else:
            await self.store.delete(self._key(tenant))

    async def replace(self, tenant: str, entries: Sequence[GlossaryEntry]) -> None:
        """Replace the tenant's entries (a later entry with the same Arabic wins over an earlier one)."""
        if len(entries) > self.max_entries:
            raise GlossaryFull(f"a newsroom's glossary may hold at most {self.max_entries} entries")
        await self._save(tenant, list(Glossary(entries, max_entries=len(entries) or 1).entries))

    async def upsert(self, tenant: str, entry: GlossaryEntry) -> None:
        """Add the entry, or replace the tenant's entry with the same normalised Arabic."""
        current = [e for e in await self.tenant_entries(tenant) if e.key != entry.key]
        await self._save(tenant, [*current, entry])

    async def delete(self, tenant: str, ar: str) -> bool:
        """Remove the tenant's entry for this Arabic (matched normalised); False when it has none."""
        key = GlossaryEntry(ar, "x").key
        current = await self.tenant_entries(tenant)
        kept = [e for e in current if e.key != key]
        if len(kept) == len(current):
            return False
        await self._save(tenant, kept)
        return True

    async def clear(self, tenant: str) -> None:
        """Remove all the tenant's entries (the file's stay)."""
        await self.store.delete(self._key(tenant))

    async def view(self, tenant: str) -> GlossaryView:
        """What GET /v1/glossary shows: every entry in effect, with its source, and the version."""
        glossary = await self.glossary(tenant)
        own = {e.key for e in await self.tenant_entries(tenant)}
        items = [
            GlossaryItem(e.ar, e.en, e.kind, e.note, "tenant" if e.key in own else "file") for e in glossary.entries
        ]
        return GlossaryView(
            tenant=tenant,
            version=glossary.version,
            entries=items,
            tenant_entries=len(own),
            file_entries=len(self.file_entries),
            max_entries=self.max_entries,
        )
