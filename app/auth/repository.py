"""Credential lookups. These are the only queries not scoped to a company by construction:
a login names an email and a credential names itself, and the company comes from the row."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_key.models import ApiKey
from app.auth.models import RefreshToken
from app.group.models import Group
from app.user.models import User, UserGroup

Ts = TypeVarTuple("Ts")


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


def _with_group_permissions(stmt: Select[*Ts]) -> Select[*Ts]:
    """Join the user's groups, so that each row carries one group's permissions."""
    return stmt.outerjoin(
        UserGroup, (UserGroup.user_id == User.id) & (UserGroup.company_id == User.company_id)
    ).outerjoin(Group, (Group.id == UserGroup.group_id) & (Group.company_id == User.company_id))


async def user_with_permissions(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[User, frozenset[str]] | None:
    """The user and the union of their groups' permissions, in one query."""
    rows = (
        await session.execute(
            _with_group_permissions(select(User, Group.permissions)).where(User.id == user_id)
        )
    ).all()
    if not rows:
        return None
    permissions = frozenset(p for _, perms in rows for p in perms or ())
    return rows[0][0], permissions


async def api_key_with_creator(
    session: AsyncSession, prefix: str
) -> tuple[ApiKey, User, frozenset[str]] | None:
    """The key, its creator and the union of the creator's group permissions, in one query:
    it runs on every request made with an API key."""
    rows = (
        await session.execute(
            _with_group_permissions(
                select(ApiKey, User, Group.permissions).join(
                    User,
                    (User.id == ApiKey.created_by_id) & (User.company_id == ApiKey.company_id),
                )
            ).where(ApiKey.prefix == prefix)
        )
    ).all()
    if not rows:
        return None
    permissions = frozenset(p for _, _, perms in rows for p in perms or ())
    return rows[0][0], rows[0][1], permissions


async def touch_api_key(session: AsyncSession, key_id: uuid.UUID, now: datetime) -> None:
    # A plain UPDATE, not an ORM change: using a key must not bump its ETag version.
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    )


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_user_tokens(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_api_keys_created_by(
    session: AsyncSession, company_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> None:
    """Revoke every key the user created (a deleted user's keys must never work again,
    whatever becomes of the user's row); each key gets a new version (ETag)."""
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.company_id == company_id,
            ApiKey.created_by_id == user_id,
            ApiKey.revoked_at.is_(None),
        )
        .values(revoked_at=now, version=ApiKey.version + 1)
        .execution_options(synchronize_session=False)
    )
