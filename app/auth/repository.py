"""Credential lookups. These are the only queries not scoped to a company by construction:
a login names an email and a credential names itself, and the company comes from the row."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_key.models import ApiKey
from app.auth.models import RefreshToken
from app.group.models import Group
from app.user.models import User, UserGroup


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


async def user_with_permissions(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[User, frozenset[str]] | None:
    """The user and the union of their groups' permissions, in one query."""
    rows = (
        await session.execute(
            select(User, Group.permissions)
            .outerjoin(
                UserGroup,
                (UserGroup.user_id == User.id) & (UserGroup.company_id == User.company_id),
            )
            .outerjoin(
                Group,
                (Group.id == UserGroup.group_id) & (Group.company_id == User.company_id),
            )
            .where(User.id == user_id)
        )
    ).all()
    if not rows:
        return None
    permissions = frozenset(p for _, perms in rows for p in perms or ())
    return rows[0][0], permissions


async def api_key_by_prefix(session: AsyncSession, prefix: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))


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
