"""Groups: named permission sets. Only grantable catalogue permissions may be named."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import permissions
from app.auth.principal import Principal
from app.errors import Conflict, ValidationFailed
from app.event import service as events
from app.group.models import Group
from app.group.repository import GroupRepository
from app.group.schemas import GroupCreate, GroupUpdate
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort

SORT = Sort("name", Group.name, Group.id)


def valid_permissions(names: Sequence[str], field: str = "permissions") -> list[str]:
    """Refuse names outside the catalogue and admin-only ones; return them sorted, unique."""
    unknown = [n for n in names if n not in permissions.BY_NAME]
    if unknown:
        raise ValidationFailed.field(field, f"unknown permission(s): {', '.join(unknown)}")
    admin_only = [n for n in names if n not in permissions.GRANTABLE]
    if admin_only:
        raise ValidationFailed.field(
            field,
            f"admin-only permission(s) cannot be granted: {', '.join(admin_only)}",
        )
    return sorted(set(names))


async def list_groups(
    session: AsyncSession,
    principal: Principal,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Group]:
    repository = GroupRepository(session, principal.company_id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_group(session: AsyncSession, principal: Principal, group_id: uuid.UUID) -> Group:
    return await GroupRepository(session, principal.company_id).get_or_404(group_id)


async def create_group(session: AsyncSession, principal: Principal, body: GroupCreate) -> Group:
    """Create a group; its name is unique in the company (409)."""
    repository = GroupRepository(session, principal.company_id)
    granted = valid_permissions(body.permissions)
    if await repository.name_taken(body.name):
        raise Conflict("A group with this name already exists.", field="name")
    group = repository.add(Group(name=body.name, permissions=granted))
    await session.flush()
    events.record(session, principal, "created", group)
    return group


async def update_group(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    body: GroupUpdate,
    *,
    expected_version: int | None,
) -> Group:
    repository = GroupRepository(session, principal.company_id)
    group = await repository.get_or_404(group_id, for_update=True)
    check_version(group.version, expected_version)
    before = events.snapshot(group)
    changes = body.changes()
    if "name" in changes:
        if await repository.name_taken(changes["name"], except_id=group.id):
            raise Conflict("A group with this name already exists.", field="name")
        group.name = changes["name"]
    if "permissions" in changes:
        group.permissions = valid_permissions(changes["permissions"])
    await session.flush()
    events.record(session, principal, "updated", group, before=before)
    return group


async def delete_group(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete a group; its members simply lose what it granted."""
    repository = GroupRepository(session, principal.company_id)
    group = await repository.get_or_404(group_id, for_update=True)
    check_version(group.version, expected_version)
    before = events.snapshot(group)
    await repository.delete(group)
    await session.flush()
    events.record(session, principal, "deleted", group, before=before, deleted=True)
