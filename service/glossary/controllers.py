"""HTTP routes of the glossary domain: /v1/glossary."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, put
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody

from service.access import tenant_of
from service.errors import GlossaryEntryNotFound, GlossaryTooLarge, InvalidGlossary
from service.glossary.schemas import GlossaryEntryBody, GlossaryReplace, GlossaryView
from service.glossary.services import GlossaryFull, GlossaryService
from service.trust.glossary import GlossaryEntry

# 5,000 entries of typical length fit in well under a megabyte; the bound stops oversized bodies unread.
MAX_BODY_BYTES = 2 * 1024 * 1024


def _invalid_body(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Schema errors name the entry and field (422)."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    detail = "; ".join(
        f"{e.get('key', '')}: {e.get('message', '')}" if isinstance(e, dict) else str(e) for e in errors
    ) or str(exc.detail)
    return InvalidGlossary(detail, extra={"errors": errors} if errors else None).to_response(request)


def _entry_from_path(ar: str, body: GlossaryEntryBody) -> GlossaryEntry:
    try:
        return GlossaryEntry(ar, body.en, body.kind, body.note)
    except ValueError as exc:
        raise InvalidGlossary(str(exc)) from None


class GlossaryController(Controller):
    """The caller's glossary: GET it, PUT the whole list or one entry, DELETE one entry or the list.

    PUT /v1/glossary replaces the newsroom's list (PUT semantics: the list sent is the list kept, so
    sending it twice changes nothing); PUT /v1/glossary/{ar} adds or replaces one entry. Entries of
    config/glossary.toml are shared by every newsroom; a newsroom's entry with the same Arabic overrides one.
    """

    path = "/v1/glossary"
    tags = ["glossary"]
    exception_handlers = {ValidationException: _invalid_body}

    @get("/", summary="The glossary in effect for this caller")
    async def get_glossary(
        self, request: Request[Any, Any, Any], glossary_service: NamedDependency[GlossaryService]
    ) -> GlossaryView:
        return await glossary_service.view(tenant_of(request))

    @put(
        "/",
        summary="Replace this newsroom's entries",
        description="The body's entries become the newsroom's whole list (at most 5,000; 2 MiB). "
        "Digests made afterwards carry the new glossary version in their id.",
        request_max_body_size=MAX_BODY_BYTES,
    )
    async def replace_glossary(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[GlossaryReplace],
        glossary_service: NamedDependency[GlossaryService],
    ) -> GlossaryView:
        tenant = tenant_of(request)
        try:
            await glossary_service.replace(tenant, data.entries)
        except GlossaryFull as exc:
            raise GlossaryTooLarge(f"{exc}; {len(data.entries)} were sent") from None
        return await glossary_service.view(tenant)

    @put(
        "/{ar:str}",
        summary="Add or replace one entry",
        description="The Arabic is the path segment (URL-encoded); the body gives en, kind and note.",
        request_max_body_size=64 * 1024,
    )
    async def put_entry(
        self,
        request: Request[Any, Any, Any],
        ar: FromPath[str],
        data: JSONBody[GlossaryEntryBody],
        glossary_service: NamedDependency[GlossaryService],
    ) -> GlossaryView:
        tenant = tenant_of(request)
        try:
            await glossary_service.upsert(tenant, _entry_from_path(ar, data))
        except GlossaryFull as exc:
            raise GlossaryTooLarge(str(exc)) from None
        return await glossary_service.view(tenant)

    @delete("/{ar:str}", summary="Remove one of this newsroom's entries", status_code=204)
    async def delete_entry(
        self, request: Request[Any, Any, Any], ar: FromPath[str], glossary_service: NamedDependency[GlossaryService]
    ) -> None:
        try:
            GlossaryEntry(ar, "x")
        except ValueError as exc:
            raise InvalidGlossary(str(exc)) from None
        if not await glossary_service.delete(tenant_of(request), ar):
            raise GlossaryEntryNotFound(
                f"this newsroom has no entry for {ar!r} (entries of config/glossary.toml are changed in that file)"
            )

    @delete("/", summary="Remove all of this newsroom's entries", status_code=204)
    async def clear_glossary(
        self, request: Request[Any, Any, Any], glossary_service: NamedDependency[GlossaryService]
    ) -> None:
        await glossary_service.clear(tenant_of(request))
