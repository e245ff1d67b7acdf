from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import CustomersRead, CustomersWrite
from app.customer.contact import service
from app.customer.contact.schemas import ContactCreate, ContactRead, ContactUpdate
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(
    prefix="/v1/customers/{customer_id:uuid}/contacts",
    route_class=UnitOfWorkRoute,
    tags=["contacts"],
)


@router.get("", operation_id="customers_contacts_list")
async def list_contacts(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[ContactRead]:
    """The customer's contacts, oldest first."""
    page = await service.list_contacts(session, principal, customer_id, params=params, codec=codec)
    return as_page(page, ContactRead.model_validate)


@router.post("", operation_id="customers_contacts_create", status_code=status.HTTP_201_CREATED)
async def create_contact(
    customer_id: uuid.UUID,
    body: ContactCreate,
    principal: CustomersWrite,
    session: SessionDep,
    response: Response,
) -> ContactRead:
    """Add a contact; the customer's first contact is its primary one."""
    contact = await service.create_contact(session, principal, customer_id, body)
    set_etag(response, contact.version)
    response.headers["Location"] = f"/v1/customers/{customer_id}/contacts/{contact.id}"
    return ContactRead.model_validate(contact)


@router.get("/{contact_id:uuid}", operation_id="customers_contacts_get")
async def get_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    response: Response,
) -> ContactRead:
    contact = await service.get_contact(session, principal, customer_id, contact_id)
    set_etag(response, contact.version)
    return ContactRead.model_validate(contact)


@router.patch("/{contact_id:uuid}", operation_id="customers_contacts_update")
async def update_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    body: ContactUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> ContactRead:
    """Change the fields sent. `is_primary: true` makes this the primary contact."""
    contact = await service.update_contact(
        session, principal, customer_id, contact_id, body, expected_version=if_match
    )
    set_etag(response, contact.version)
    return ContactRead.model_validate(contact)


@router.delete(
    "/{contact_id:uuid}",
    operation_id="customers_contacts_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    """Delete a contact; when it was the primary one, the oldest remaining one becomes
    primary."""
    await service.delete_contact(
        session, principal, customer_id, contact_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
