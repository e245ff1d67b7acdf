from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import SettingsWrite, VendorsRead
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.vendor.contact_type import service
from app.vendor.contact_type.schemas import (
    ContactTypeCreate,
    ContactTypeRead,
    ContactTypeUpdate,
)

router = APIRouter(prefix="/v1/contact-types", route_class=UnitOfWorkRoute, tags=["vendors"])

# Whoever sees vendors needs the types to show and filter them; changing them is a setting
# (seed 000: "admin access required").


@router.get("", operation_id="contact_types_list")
async def list_contact_types(
    principal: VendorsRead, session: SessionDep, codec: CursorCodecDep, params: PageParamsDep
) -> Page[ContactTypeRead]:
    """The company's contact types, by position."""
    page = await service.list_contact_types(session, principal, params=params, codec=codec)
    return as_page(page, ContactTypeRead.model_validate)


@router.post(
    "",
    operation_id="contact_types_create",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_contact_type(
    body: ContactTypeCreate, principal: SettingsWrite, session: SessionDep, response: Response
) -> ContactTypeRead:
    """Add a contact type (last, unless `position` says where); a taken name (ignoring
    case) is a 409 naming `name`."""
    contact_type = await service.create_contact_type(session, principal, body)
    set_etag(response, contact_type.version)
    response.headers["Location"] = f"{router.prefix}/{contact_type.id}"
    return ContactTypeRead.model_validate(contact_type)


@router.get("/{contact_type_id:uuid}", operation_id="contact_types_get")
async def get_contact_type(
    contact_type_id: uuid.UUID, principal: VendorsRead, session: SessionDep, response: Response
) -> ContactTypeRead:
    contact_type = await service.get_contact_type(session, principal, contact_type_id)
    set_etag(response, contact_type.version)
    return ContactTypeRead.model_validate(contact_type)


@router.patch(
    "/{contact_type_id:uuid}",
    operation_id="contact_types_update",
    responses=problem_responses(409),
)
async def update_contact_type(
    contact_type_id: uuid.UUID,
    body: ContactTypeUpdate,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> ContactTypeRead:
    """Rename a contact type or change its position."""
    contact_type = await service.update_contact_type(
        session, principal, contact_type_id, body, expected_version=if_match
    )
    set_etag(response, contact_type.version)
    return ContactTypeRead.model_validate(contact_type)


@router.delete(
    "/{contact_type_id:uuid}",
    operation_id="contact_types_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409),
)
async def delete_contact_type(
    contact_type_id: uuid.UUID, principal: SettingsWrite, session: SessionDep, if_match: IfMatch
) -> Response:
    """Delete a contact type that no vendor has. One in use is a 409 whose `vendors_count`
    says how many vendors have it: a vendor keeps at least one type, so give them another
    type first (filter the vendor list by `contact_type_id` to find them)."""
    await service.delete_contact_type(
        session, principal, contact_type_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
