"""Users of a company. Only admins manage them (permission `users:manage`)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository as credentials
from app.auth.passwords import Passwords
from app.auth.principal import Principal
from app.company.models import Company
from app.errors import Conflict, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.user.models import User
from app.user.repository import UserRepository
from app.user.schemas import UserCreate, UserRead, UserUpdate

SORTS = {
    "created_at": Sort("created_at", User.created_at, User.id),
    "-created_at": Sort("-created_at", User.created_at, User.id, descending=True),
    "email": Sort("email", User.email, User.id),
    "name": Sort("name", User.name, User.id),
}


DIRECTORY_SORT = Sort("name", User.name, User.id)


def to_read(user: User, group_ids: Sequence[uuid.UUID]) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        is_active=user.is_active,
        group_ids=list(group_ids),
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


async def get_me(
    session: AsyncSession, principal: Principal
) -> tuple[User, list[uuid.UUID], Company]:
    repository = UserRepository(session, principal.company_id)
    user = await repository.get_or_404(principal.user_id)
    company = await session.get_one(Company, principal.company_id)
    groups = await repository.group_ids([user.id])
    return user, groups[user.id], company


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    is_active: bool | None,
    sort: str,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[PageResult[User], dict[uuid.UUID, list[uuid.UUID]]]:
    repository = UserRepository(session, principal.company_id)
    stmt = repository.select()
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    page = await repository.page(stmt, sort=SORTS[sort], params=params, codec=codec)
    return page, await repository.group_ids([u.id for u in page.items])


async def directory(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[User]:
    """The company's active users by name, for pickers (assign a job, notify a user): any
    caller of the company may list them, so the read schema shows a name and an id only.
    `q` keeps those whose name contains it, in any case."""
    repository = UserRepository(session, principal.company_id)
    stmt = repository.select().where(User.is_active)
    if q:
        stmt = stmt.where(User.name.icontains(q, autoescape=True))
    return await repository.page(stmt, sort=DIRECTORY_SORT, params=params, codec=codec)


async def get_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> tuple[User, list[uuid.UUID]]:
    repository = UserRepository(session, principal.company_id)
    user = await repository.get_or_404(user_id)
    return user, (await repository.group_ids([user.id]))[user.id]


async def require_active_users(
    session: AsyncSession, company_id: uuid.UUID, user_ids: Sequence[uuid.UUID], field: str
) -> list[User]:
    """The company's active users with these ids, once each, in the order first named.
    Refuses (422 naming `field`) an id that is not an active user of this company: another
    company's, a disabled one, or none at all."""
    wanted = list(dict.fromkeys(user_ids))
    found = await UserRepository(session, company_id).active_by_ids(wanted)
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        raise ValidationFailed.field(
            field, f"not an active user of this company: {', '.join(unknown)}"
        )
    return [found[i] for i in wanted]


async def _check_groups(repository: UserRepository, group_ids: Sequence[uuid.UUID]) -> None:
    missing = set(group_ids) - await repository.existing_group_ids(group_ids)
    if missing:
        raise ValidationFailed.field(
            "group_ids", f"unknown group(s): {', '.join(sorted(map(str, missing)))}"
        )


# What the company's plan says about one more active user (app.billing.service
# .ensure_room_for_user, handed in by the router): it raises when there is no room. Passed in
# rather than imported, so that billing, which counts users, and users do not import each
# other.
EnsureRoom = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]


async def count_active_users(session: AsyncSession, company_id: uuid.UUID) -> int:
    """The company's active users: what a plan's user limit counts."""
    return await UserRepository(session, company_id).count_active()


async def create_user(
    session: AsyncSession,
    principal: Principal,
    body: UserCreate,
    *,
    ensure_room: EnsureRoom,
    passwords: Passwords,
) -> tuple[User, list[uuid.UUID]]:
    """Create a user in the caller's company. Refuses a taken email (409), unknown groups
    (422) or a user beyond the plan's limit (`ensure_room`)."""
    repository = UserRepository(session, principal.company_id)
    email = str(body.email).lower()
    if await repository.email_taken(email):
        raise Conflict("A user with this email already exists.", field="email")
    await _check_groups(repository, body.group_ids)
    await ensure_room(session, principal.company_id)
    user = repository.add(
        User(
            email=email,
            name=body.name,
            password_hash=await passwords.hash(body.password),
            is_admin=body.is_admin,
            is_active=True,
        )
    )
    await session.flush()
    await repository.set_groups(user.id, body.group_ids)
    group_ids = sorted(set(body.group_ids))
    events.record(session, principal, "created", user, group_ids=group_ids)
    return user, group_ids


async def update_user(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    body: UserUpdate,
    *,
    expected_version: int | None,
    passwords: Passwords,
) -> tuple[User, list[uuid.UUID]]:
    """Change only the fields sent. The company always keeps at least one active admin."""
    repository = UserRepository(session, principal.company_id)
    user = await repository.get_or_404(user_id, for_update=True)
    check_version(user.version, expected_version)
    before_groups = (await repository.group_ids([user.id]))[user.id]
    before = events.snapshot(user, group_ids=before_groups)
    changes = body.changes()
    if "email" in changes:
        email = str(changes["email"]).lower()
        if await repository.email_taken(email, except_id=user.id):
            raise Conflict("A user with this email already exists.", field="email")
        user.email = email
    if "name" in changes:
        user.name = changes["name"]
    if "password" in changes:
        user.password_hash = await passwords.hash(changes["password"])
        await credentials.revoke_user_tokens(session, user.id, datetime.now(UTC))
    if "is_admin" in changes and changes["is_admin"] != user.is_admin:
        if not changes["is_admin"]:
            await _keep_an_admin(repository, user)
        user.is_admin = changes["is_admin"]
    group_ids = before_groups
    if "group_ids" in changes:
        await _check_groups(repository, changes["group_ids"])
        await repository.set_groups(user.id, changes["group_ids"])
        group_ids = sorted(set(changes["group_ids"]))
        user.updated_at = datetime.now(UTC)  # membership is part of the user: new ETag
    await session.flush()
    events.record(session, principal, "updated", user, before=before, group_ids=group_ids)
    return user, group_ids


async def _keep_an_admin(repository: UserRepository, user: User) -> None:
    if user.is_admin and user.is_active:
        await repository.lock_admins()
        if await repository.count_active_admins() <= 1:
            raise Conflict("The company must keep at least one active admin.")


async def set_active(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    active: bool,
    ensure_room: EnsureRoom,
) -> tuple[User, list[uuid.UUID]]:
    """Enable or disable a user. Disabling revokes their refresh tokens at once; access
    tokens stop working on their next request. Nobody can disable themselves."""
    repository = UserRepository(session, principal.company_id)
    user = await repository.get_or_404(user_id, for_update=True)
    if not active and user.id == principal.user_id:
        raise Conflict("You cannot disable yourself.")
    if user.is_active != active:
        before = events.snapshot(user)
        if active:
            await ensure_room(session, principal.company_id)
        else:
            await _keep_an_admin(repository, user)
            await credentials.revoke_user_tokens(session, user.id, datetime.now(UTC))
        user.is_active = active
        await session.flush()
        events.record(session, principal, "enabled" if active else "disabled", user, before=before)
    group_ids = (await repository.group_ids([user.id]))[user.id]
    return user, group_ids


# Where a deleted user's email goes: `.invalid` can never be a real address (RFC 2606), and
# the id keeps it unique, so the original email is free for a new user.
DELETED_EMAIL_DOMAIN = "deleted.invalid"


async def delete_user(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    expected_version: int | None,
    passwords: Passwords,
) -> None:
    """Delete a user for good, keeping the row for the history that names them.

    Orders, payments, notes, assignments, appointments and events keep the user's id and
    name. The user is disabled and can never sign in again nor be enabled: their email is
    replaced (the original is free for a new user), their password with a random one, their
    refresh tokens and the API keys they created are revoked, their group memberships go;
    a cached access token or key is refused by every API process at once (the change bumps
    the company's auth version on commit). They no longer count towards the plan's users.

    Refuses (409) deleting yourself and deleting the last active admin (serialised with
    every other change that removes an admin, so two admins deleting each other at once
    cannot both succeed); a stale `If-Match` is 412; a deleted or unknown user is 404.
    """
    repository = UserRepository(session, principal.company_id)
    user = await repository.get_or_404(user_id, for_update=True)
    check_version(user.version, expected_version)
    if user.id == principal.user_id:
        raise Conflict("You cannot delete yourself.")
    await _keep_an_admin(repository, user)
    before = events.snapshot(user, group_ids=(await repository.group_ids([user.id]))[user.id])
    now = datetime.now(UTC)
    user.deleted_at = now
    user.is_active = False
    user.email = f"deleted-{user.id}@{DELETED_EMAIL_DOMAIN}"
    user.password_hash = await passwords.hash(secrets.token_urlsafe(32))
    await repository.set_groups(user.id, [])
    await credentials.revoke_user_tokens(session, user.id, now)
    await credentials.revoke_api_keys_created_by(session, principal.company_id, user.id, now)
    await session.flush()
    events.record(session, principal, "deleted", user, before=before, group_ids=[])


async def review_recipients(
    session: AsyncSession, company_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Who hears of something to review: the active users among `user_ids`; when none of
    them is (or none is named), the company's active admins."""
    repository = UserRepository(session, company_id)
    named = await repository.active_ids(user_ids) if user_ids else []
    return named or await repository.active_admin_ids()
