from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, delete, func, insert, select

from app.group.models import Group
from app.kit.repository import TenantRepository
from app.user.models import User, UserGroup


class UserRepository(TenantRepository[User]):
    model = User
    label = "User"

    def select(self) -> Select[tuple[User]]:
        """The company's users that are not deleted: a deleted user is a 404 everywhere
        users are managed or picked (their rows stay only for the history naming them)."""
        return super().select().where(User.deleted_at.is_(None))

    async def lock_admins(self) -> None:
        """Serialise, per company, the changes that could leave it without an active admin
        (demote, disable, delete): two admins removing each other at once would both count
        two admins. Taken after the changed user's row lock, and no such change locks
        another user's row, so it cannot deadlock."""
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"admins:{self.company_id}")))
        )

    async def group_ids(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """Group memberships of many users in one query (no N+1 on lists)."""
        result: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        if not user_ids:
            return result
        rows = await self.session.execute(
            select(UserGroup.user_id, UserGroup.group_id)
            .where(UserGroup.company_id == self.company_id, UserGroup.user_id.in_(user_ids))
            .order_by(UserGroup.group_id)
        )
        for user_id, group_id in rows:
            result[user_id].append(group_id)
        return result

    async def active_by_ids(self, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, User]:
        ids = set(user_ids)
        if not ids:
            return {}
        found = await self.session.scalars(
            select(User).where(User.company_id == self.company_id, User.id.in_(ids), User.is_active)
        )
        return {user.id: user for user in found}

    async def active_ids(self, user_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
        """Those of `user_ids` that are active users of the company, by id."""
        return sorted((await self.active_by_ids(user_ids)).keys())

    async def active_admin_ids(self) -> list[uuid.UUID]:
        rows = await self.session.scalars(
            select(User.id)
            .where(User.company_id == self.company_id, User.is_active, User.is_admin)
            .order_by(User.id)
        )
        return list(rows.all())

    async def existing_group_ids(self, group_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = set(group_ids)
        if not ids:
            return set()
        found = await self.session.scalars(
            select(Group.id).where(Group.company_id == self.company_id, Group.id.in_(ids))
        )
        return set(found)

    async def set_groups(self, user_id: uuid.UUID, group_ids: Iterable[uuid.UUID]) -> None:
        await self.session.execute(
            delete(UserGroup).where(
                UserGroup.company_id == self.company_id, UserGroup.user_id == user_id
            )
        )
        rows = [
            {"company_id": self.company_id, "user_id": user_id, "group_id": g}
            for g in sorted(set(group_ids))
        ]
        if rows:
            await self.session.execute(insert(UserGroup), rows)

    async def count_active(self, *, admins_only: bool = False) -> int:
        """Active users of the company (what a plan's user limit counts), or active admins."""
        stmt = (
            select(func.count())
            .select_from(User)
            .where(User.company_id == self.company_id, User.is_active)
        )
        if admins_only:
            stmt = stmt.where(User.is_admin)
        count = await self.session.scalar(stmt)
        return int(count or 0)

    async def count_active_admins(self) -> int:
        return await self.count_active(admins_only=True)

    async def email_taken(self, email: str, *, except_id: uuid.UUID | None = None) -> bool:
        # Emails are unique across companies (login names only an email).
        stmt = select(User.id).where(User.email == email)
        if except_id is not None:
            stmt = stmt.where(User.id != except_id)
        return await self.session.scalar(stmt) is not None
