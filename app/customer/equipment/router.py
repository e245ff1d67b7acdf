from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import CustomersRead, CustomersWrite
from app.customer.equipment import service
from app.customer.equipment.schemas import (
    EquipmentCreate,
    EquipmentRead,
    EquipmentUpdate,
    WarrantyFilter,
)
from app.customer.equipment.service import EquipmentView
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(
    prefix="/v1/customers/{customer_id:uuid}/equipment",
    route_class=UnitOfWorkRoute,
    tags=["equipment"],
)


def to_read(view: EquipmentView) -> EquipmentRead:
    equipment = view.equipment
    return EquipmentRead(
        id=equipment.id,
        customer_id=equipment.customer_id,
        location_id=equipment.location_id,
        vendor_id=equipment.vendor_id,
        type=equipment.type,
        manufacturer=equipment.manufacturer,
        model=equipment.model,
        serial_number=equipment.serial_number,
        description=equipment.description,
        installed_on=equipment.installed_on,
        warranty_months=view.warranty_months,
        warranty_expires_on=equipment.warranty_expires_on,
        warranty_months_left=view.warranty_months_left,
        custom_fields=equipment.custom_fields,
        created_at=equipment.created_at,
        updated_at=equipment.updated_at,
    )


@router.get("", operation_id="customers_equipment_list")
async def list_equipment(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    location_id: Annotated[
        uuid.UUID | None, Query(description="Only the equipment at this service location.")
    ] = None,
    vendor_id: Annotated[
        uuid.UUID | None, Query(description="Only the equipment from this vendor.")
    ] = None,
    warranty: Annotated[
        WarrantyFilter | None,
        Query(
            description="`active`: not expired yet; `expiring`: active and expiring within "
            "the company's `warranty_reminder_days`; `expired`: from the expiry date on. "
            "Today is the company's (its timezone). Equipment without a warranty matches none."
        ),
    ] = None,
) -> Page[EquipmentRead]:
    """The customer's equipment, oldest first, with the whole months left on each warranty."""
    page = await service.list_equipment(
        session,
        principal,
        customer_id,
        location_id=location_id,
        vendor_id=vendor_id,
        warranty=warranty,
        params=params,
        codec=codec,
    )
    return as_page(page, to_read)


@router.post("", operation_id="customers_equipment_create", status_code=status.HTTP_201_CREATED)
async def create_equipment(
    customer_id: uuid.UUID,
    body: EquipmentCreate,
    principal: CustomersWrite,
    session: SessionDep,
    response: Response,
) -> EquipmentRead:
    """Add equipment to the customer. The warranty is `warranty_months` from
    `installed_on` or a `warranty_expires_on` date (both: they must agree); the other is
    derived. `location_id` must be one of this customer's service locations."""
    view = await service.create_equipment(session, principal, customer_id, body)
    set_etag(response, view.equipment.version)
    response.headers["Location"] = f"/v1/customers/{customer_id}/equipment/{view.equipment.id}"
    return to_read(view)


@router.get("/{equipment_id:uuid}", operation_id="customers_equipment_get")
async def get_equipment(
    customer_id: uuid.UUID,
    equipment_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    response: Response,
) -> EquipmentRead:
    view = await service.get_equipment(session, principal, customer_id, equipment_id)
    set_etag(response, view.equipment.version)
    return to_read(view)


@router.patch("/{equipment_id:uuid}", operation_id="customers_equipment_update")
async def update_equipment(
    customer_id: uuid.UUID,
    equipment_id: uuid.UUID,
    body: EquipmentUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> EquipmentRead:
    """Change the fields sent. A new warranty expiry is notified again."""
    view = await service.update_equipment(
        session, principal, customer_id, equipment_id, body, expected_version=if_match
    )
    set_etag(response, view.equipment.version)
    return to_read(view)


@router.delete(
    "/{equipment_id:uuid}",
    operation_id="customers_equipment_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_equipment(
    customer_id: uuid.UUID,
    equipment_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
) -> Response:
    """Delete the equipment and its warranty notifications."""
    await service.delete_equipment(
        session, principal, customer_id, equipment_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
