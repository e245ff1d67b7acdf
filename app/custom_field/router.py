from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import CustomersRead, SettingsWrite
from app.custom_field import service
from app.custom_field.schemas import (
    CustomFieldCreate,
    CustomFieldEntity,
    CustomFieldRead,
    CustomFieldUpdate,
)
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/custom-fields", route_class=UnitOfWorkRoute, tags=["custom fields"])

# Whoever sees records needs their field definitions to show them; changing them is a setting.


@router.get("", operation_id="custom_fields_list")
async def list_custom_fields(
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    entity: Annotated[
        CustomFieldEntity | None, Query(description="Only the fields of this entity.")
    ] = None,
) -> Page[CustomFieldRead]:
    """The company's custom field definitions, by position then key."""
    page = await service.list_custom_fields(
        session, principal, entity=entity, params=params, codec=codec
    )
    return as_page(page, CustomFieldRead.model_validate)


@router.post("", operation_id="custom_fields_create", status_code=status.HTTP_201_CREATED)
async def create_custom_field(
    body: CustomFieldCreate, principal: SettingsWrite, session: SessionDep, response: Response
) -> CustomFieldRead:
    custom_field = await service.create_custom_field(session, principal, body)
    set_etag(response, custom_field.version)
    response.headers["Location"] = f"{router.prefix}/{custom_field.id}"
    return CustomFieldRead.model_validate(custom_field)


@router.get("/{custom_field_id:uuid}", operation_id="custom_fields_get")
async def get_custom_field(
    custom_field_id: uuid.UUID, principal: CustomersRead, session: SessionDep, response: Response
) -> CustomFieldRead:
    custom_field = await service.get_custom_field(session, principal, custom_field_id)
    set_etag(response, custom_field.version)
    return CustomFieldRead.model_validate(custom_field)


@router.patch("/{custom_field_id:uuid}", operation_id="custom_fields_update")
async def update_custom_field(
    custom_field_id: uuid.UUID,
    body: CustomFieldUpdate,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> CustomFieldRead:
    """Entity, key and type cannot change; `options` only on a `select` field."""
    custom_field = await service.update_custom_field(
        session, principal, custom_field_id, body, expected_version=if_match
    )
    set_etag(response, custom_field.version)
    return CustomFieldRead.model_validate(custom_field)


@router.delete(
    "/{custom_field_id:uuid}",
    operation_id="custom_fields_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409),
)
async def delete_custom_field(
    custom_field_id: uuid.UUID,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    confirm: Annotated[
        bool,
        Query(
            description="Delete even though records hold values for the field: "
            "the values are removed too. Without it, that is a 409 saying how many."
        ),
    ] = False,
) -> Response:
    await service.delete_custom_field(
        session, principal, custom_field_id, confirm=confirm, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
