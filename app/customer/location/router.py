from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from app.auth.dependencies import CustomersRead, CustomersWrite
from app.customer.location import service
from app.customer.location.models import Location
from app.customer.location.schemas import (
    LocationCreate,
    LocationFromBillingAddress,
    LocationRead,
    LocationUpdate,
)
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(
    prefix="/v1/customers/{customer_id:uuid}/locations",
    route_class=UnitOfWorkRoute,
    tags=["locations"],
)


def _created(response: Response, location: Location) -> LocationRead:
    set_etag(response, location.version)
    response.headers["Location"] = f"/v1/customers/{location.customer_id}/locations/{location.id}"
    return LocationRead.model_validate(location)


@router.get("", operation_id="customers_locations_list")
async def list_locations(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[LocationRead]:
    """The customer's service locations, oldest first. The billing address is not one of
    them unless it was copied (`POST .../locations/from-billing-address`)."""
    page = await service.list_locations(session, principal, customer_id, params=params, codec=codec)
    return as_page(page, LocationRead.model_validate)


@router.post("", operation_id="customers_locations_create", status_code=status.HTTP_201_CREATED)
async def create_location(
    customer_id: uuid.UUID,
    body: LocationCreate,
    principal: CustomersWrite,
    session: SessionDep,
    response: Response,
) -> LocationRead:
    """Add a service location: an address, coordinates, or both. `is_primary: true` makes
    it the customer's primary location in place of the current one."""
    location = await service.create_location(session, principal, customer_id, body)
    return _created(response, location)


@router.post(
    "/from-billing-address",
    operation_id="customers_locations_copy_billing_address",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def copy_billing_address(
    customer_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    response: Response,
    body: Annotated[LocationFromBillingAddress | None, Body()] = None,
) -> LocationRead:
    """Add the customer's billing address as a service location: a copy, which later
    changes to either do not carry over. The body is optional (a label, access notes,
    `is_primary`). 409 when the customer has no billing address."""
    location = await service.copy_billing_address(
        session, principal, customer_id, body or LocationFromBillingAddress()
    )
    return _created(response, location)


@router.get("/{location_id:uuid}", operation_id="customers_locations_get")
async def get_location(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    response: Response,
) -> LocationRead:
    location = await service.get_location(session, principal, customer_id, location_id)
    set_etag(response, location.version)
    return LocationRead.model_validate(location)


@router.patch("/{location_id:uuid}", operation_id="customers_locations_update")
async def update_location(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    body: LocationUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> LocationRead:
    """Change the fields sent. `is_primary: true` makes this the primary location."""
    location = await service.update_location(
        session, principal, customer_id, location_id, body, expected_version=if_match
    )
    set_etag(response, location.version)
    return LocationRead.model_validate(location)


@router.delete(
    "/{location_id:uuid}",
    operation_id="customers_locations_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409),
)
async def delete_location(
    customer_id: uuid.UUID,
    location_id: uuid.UUID,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    detach: Annotated[
        bool,
        Query(
            description="Delete it even though orders, appointments or equipment name it, "
            "clearing their location in the same transaction, and delete its geofences. "
            "Without it, such a location answers 409 with `orders_count`, "
            "`appointments_count`, `equipment_count` and `geofences_count`."
        ),
    ] = False,
) -> Response:
    """Delete a service location."""
    await service.delete_location(
        session,
        principal,
        customer_id,
        location_id,
        expected_version=if_match,
        detach=detach,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
