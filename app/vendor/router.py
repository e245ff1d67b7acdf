from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from app.auth.dependencies import VendorsRead, VendorsWrite
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import NO_NUL_PATTERN, Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.vendor import service
from app.vendor.models import ROW_FIELDS
from app.vendor.schemas import (
    VendorContactTypeRead,
    VendorCreate,
    VendorRead,
    VendorTagRead,
    VendorUpdate,
)

router = APIRouter(prefix="/v1/vendors", route_class=UnitOfWorkRoute, tags=["vendors"])

VendorSort = Literal["name", "-name", "created_at", "-created_at"]


def to_read(row: Any) -> VendorRead:
    """The read model of a row (vendor, tags, contact types) of app.vendor.repository."""
    vendor, tags, contact_types = row
    return VendorRead(
        **{name: getattr(vendor, name) for name in ROW_FIELDS},
        tags=[VendorTagRead.model_validate(t) for t in tags],
        contact_types=[VendorContactTypeRead.model_validate(t) for t in contact_types],
    )


def _respond(response: Response, row: Any) -> VendorRead:
    set_etag(response, row[0].version)
    return to_read(row)


async def vendor_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NO_NUL_PATTERN,
            description="Substring of the name, contact person, email, phones, website or "
            "city, ignoring case.",
        ),
    ] = None,
    contact_type_id: Annotated[
        list[uuid.UUID] | None,
        Query(max_length=20, description="Vendors with any of these contact types."),
    ] = None,
    tag_id: Annotated[
        list[uuid.UUID] | None, Query(max_length=20, description="Vendors with any of these tags.")
    ] = None,
) -> service.VendorFilters:
    return service.VendorFilters(q=q, contact_type_ids=contact_type_id or (), tag_ids=tag_id or ())


VendorFiltersDep = Annotated[service.VendorFilters, Depends(vendor_filters)]


@router.get("", operation_id="vendors_list")
async def list_vendors(
    principal: VendorsRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    filters: VendorFiltersDep,
    sort: VendorSort = "name",
) -> Page[VendorRead]:
    """The company's vendors, filtered by contact type, tag and `q`; every sort pages with
    keyset cursors."""
    page = await service.list_vendors(
        session, principal, filters=filters, sort=sort, params=params, codec=codec
    )
    return as_page(page, to_read)


@router.post(
    "",
    operation_id="vendors_create",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_vendor(
    body: VendorCreate, principal: VendorsWrite, session: SessionDep, response: Response
) -> VendorRead:
    """Add a vendor with one or more contact types."""
    row = await service.create_vendor(session, principal, body)
    response.headers["Location"] = f"{router.prefix}/{row[0].id}"
    return _respond(response, row)


@router.get("/{vendor_id:uuid}", operation_id="vendors_get")
async def get_vendor(
    vendor_id: uuid.UUID, principal: VendorsRead, session: SessionDep, response: Response
) -> VendorRead:
    return _respond(response, await service.get_vendor(session, principal, vendor_id))


@router.patch("/{vendor_id:uuid}", operation_id="vendors_update", responses=problem_responses(409))
async def update_vendor(
    vendor_id: uuid.UUID,
    body: VendorUpdate,
    principal: VendorsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> VendorRead:
    """Change only the fields sent: an inline edit is a PATCH of one field. `tag_ids` and
    `contact_type_ids` replace the vendor's."""
    row = await service.update_vendor(
        session, principal, vendor_id, body, expected_version=if_match
    )
    return _respond(response, row)


@router.delete(
    "/{vendor_id:uuid}", operation_id="vendors_delete", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_vendor(
    vendor_id: uuid.UUID, principal: VendorsWrite, session: SessionDep, if_match: IfMatch
) -> Response:
    """Delete a vendor with its notes; the audit log keeps a snapshot."""
    await service.delete_vendor(session, principal, vendor_id, expected_version=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
