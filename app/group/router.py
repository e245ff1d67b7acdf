from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import UsersManage
from app.group import service
from app.group.schemas import GroupCreate, GroupRead, GroupUpdate
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/groups", route_class=UnitOfWorkRoute, tags=["groups"])


@router.get("", operation_id="groups_list")
async def list_groups(
    principal: UsersManage,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[GroupRead]:
    page = await service.list_groups(session, principal, params=params, codec=codec)
    return as_page(page, GroupRead.model_validate)


@router.post("", operation_id="groups_create", status_code=status.HTTP_201_CREATED)
async def create_group(
    body: GroupCreate, principal: UsersManage, session: SessionDep, response: Response
) -> GroupRead:
    group = await service.create_group(session, principal, body)
    set_etag(response, group.version)
    response.headers["Location"] = f"{router.prefix}/{group.id}"
    return GroupRead.model_validate(group)


@router.get("/{group_id:uuid}", operation_id="groups_get")
async def get_group(
    group_id: uuid.UUID, principal: UsersManage, session: SessionDep, response: Response
) -> GroupRead:
    group = await service.get_group(session, principal, group_id)
    set_etag(response, group.version)
    return GroupRead.model_validate(group)


@router.patch("/{group_id:uuid}", operation_id="groups_update")
async def update_group(
    group_id: uuid.UUID,
    body: GroupUpdate,
    principal: UsersManage,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> GroupRead:
    group = await service.update_group(
        session, principal, group_id, body, expected_version=if_match
    )
    set_etag(response, group.version)
    return GroupRead.model_validate(group)


@router.delete(
    "/{group_id:uuid}", operation_id="groups_delete", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_group(
    group_id: uuid.UUID, principal: UsersManage, session: SessionDep, if_match: IfMatch
) -> Response:
    await service.delete_group(session, principal, group_id, expected_version=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
