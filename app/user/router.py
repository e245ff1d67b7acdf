from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import Authenticated, PasswordsDep, UsersManage
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep, UserLimitDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import NO_NUL_PATTERN, Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.user import service
from app.user.models import User
from app.user.schemas import DirectoryUserRead, UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/v1/users", route_class=UnitOfWorkRoute, tags=["users"])
# The users' names for everyone of the company: the user pickers of any screen.
directory_router = APIRouter(prefix="/v1/directory", route_class=UnitOfWorkRoute, tags=["users"])

UserSort = Literal["created_at", "-created_at", "email", "name"]


def _respond(response: Response, user: User, group_ids: list[uuid.UUID]) -> UserRead:
    set_etag(response, user.version)
    return service.to_read(user, group_ids)


@router.get("", operation_id="users_list")
async def list_users(
    principal: UsersManage,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    is_active: Annotated[bool | None, Query(description="Only enabled or disabled users.")] = None,
    sort: UserSort = "created_at",
) -> Page[UserRead]:
    page, groups = await service.list_users(
        session, principal, is_active=is_active, sort=sort, params=params, codec=codec
    )
    return as_page(page, lambda user: service.to_read(user, groups[user.id]))


@router.post("", operation_id="users_create", status_code=status.HTTP_201_CREATED)
async def create_user(
    body: UserCreate,
    principal: UsersManage,
    session: SessionDep,
    response: Response,
    user_limit: UserLimitDep,
    passwords: PasswordsDep,
) -> UserRead:
    user, group_ids = await service.create_user(
        session, principal, body, ensure_room=user_limit, passwords=passwords
    )
    response.headers["Location"] = f"{router.prefix}/{user.id}"
    return _respond(response, user, group_ids)


@router.get("/{user_id:uuid}", operation_id="users_get")
async def get_user(
    user_id: uuid.UUID, principal: UsersManage, session: SessionDep, response: Response
) -> UserRead:
    user, group_ids = await service.get_user(session, principal, user_id)
    return _respond(response, user, group_ids)


@router.patch("/{user_id:uuid}", operation_id="users_update")
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    principal: UsersManage,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
    passwords: PasswordsDep,
) -> UserRead:
    user, group_ids = await service.update_user(
        session, principal, user_id, body, expected_version=if_match, passwords=passwords
    )
    return _respond(response, user, group_ids)


@router.delete(
    "/{user_id:uuid}",
    operation_id="users_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412),
)
async def delete_user(
    user_id: uuid.UUID,
    principal: UsersManage,
    session: SessionDep,
    if_match: IfMatch,
    passwords: PasswordsDep,
) -> Response:
    """Delete a user. Their name stays on everything they did or were assigned (orders,
    payments, notes, appointments, the audit trail); they can never sign in again, their
    refresh tokens and the API keys they created are revoked at once, their email is free
    for a new user, and they no longer count towards the plan. Deleting yourself or the
    last active admin is a 409."""
    await service.delete_user(
        session, principal, user_id, expected_version=if_match, passwords=passwords
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{user_id:uuid}/disable", operation_id="users_disable")
async def disable_user(
    user_id: uuid.UUID,
    principal: UsersManage,
    session: SessionDep,
    response: Response,
    user_limit: UserLimitDep,
) -> UserRead:
    """Disable a user: their tokens stop working and they cannot log in."""
    user, group_ids = await service.set_active(
        session, principal, user_id, active=False, ensure_room=user_limit
    )
    return _respond(response, user, group_ids)


@router.post("/{user_id:uuid}/enable", operation_id="users_enable")
async def enable_user(
    user_id: uuid.UUID,
    principal: UsersManage,
    session: SessionDep,
    response: Response,
    user_limit: UserLimitDep,
) -> UserRead:
    user, group_ids = await service.set_active(
        session, principal, user_id, active=True, ensure_room=user_limit
    )
    return _respond(response, user, group_ids)


@directory_router.get("/users", operation_id="directory_users_list")
async def list_directory_users(
    principal: Authenticated,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NO_NUL_PATTERN,
            description="Only users whose name contains this, in any case.",
        ),
    ] = None,
) -> Page[DirectoryUserRead]:
    """The company's active users, by name: id and name only, for any signed-in caller or
    API key (a user picker: assign a job, choose who is notified). Managing users, with
    their emails and groups, is `users_list` (admins)."""
    page = await service.directory(session, principal, q=q, params=params, codec=codec)
    return as_page(page, DirectoryUserRead.model_validate)
