"""Signup, login, refresh-token rotation and credential checks."""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import permissions
from app.auth import repository as credentials
from app.auth.models import RefreshToken
from app.auth.passwords import Passwords
from app.auth.principal import Principal
from app.auth.tokens import (
    AccessClaims,
    api_key_prefix,
    hash_secret,
    issue_access_token,
    new_refresh_token,
    read_access_token,
)
from app.company.models import Company
from app.errors import Conflict, Unauthorized
from app.event import service as events
from app.order_status import service as order_statuses
from app.user.models import User

# Touch `api_key.last_used_at` at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


@dataclass(frozen=True)
class TokenPolicy:
    secret_key: str
    access_ttl: timedelta
    refresh_ttl: timedelta


def _now() -> datetime:
    return datetime.now(UTC)


def _slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "company"
    return f"{base}-{secrets.token_hex(3)}"


async def signup(
    session: AsyncSession,
    passwords: Passwords,
    *,
    company_name: str,
    name: str,
    email: str,
    password: str,
    currency: str = "USD",
    timezone: str = "UTC",
) -> tuple[Company, User]:
    """Create a company and its first user, an admin, with the default order statuses.
    Refuses an email already registered."""
    email = email.lower()
    if await credentials.user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.", field="email")
    company = Company(
        name=company_name,
        slug=_slug(company_name),
        currency=currency,
        timezone=timezone,
    )
    session.add(company)
    await session.flush()
    user = User(
        company_id=company.id,
        email=email,
        name=name,
        password_hash=await passwords.hash(password),
        is_admin=True,
        is_active=True,
    )
    session.add(user)
    await session.flush()
    actor = Principal(company.id, user.id, permissions.ALL, is_admin=True)
    events.record(session, actor, "created", company)
    events.record(session, actor, "created", user)
    await order_statuses.create_defaults(session, company.id, actor=actor)
    return company, user


async def issue_tokens(session: AsyncSession, policy: TokenPolicy, user: User) -> TokenPair:
    return await _issue(session, policy, user, family_id=uuid.uuid4())


async def _issue(
    session: AsyncSession, policy: TokenPolicy, user: User, *, family_id: uuid.UUID
) -> TokenPair:
    refresh = new_refresh_token()
    session.add(
        RefreshToken(
            company_id=user.company_id,
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_secret(refresh),
            expires_at=_now() + policy.refresh_ttl,
        )
    )
    await session.flush()
    return TokenPair(
        access_token=issue_access_token(
            policy.secret_key, user.id, user.company_id, policy.access_ttl
        ),
        expires_in=int(policy.access_ttl.total_seconds()),
        refresh_token=refresh,
        refresh_expires_in=int(policy.refresh_ttl.total_seconds()),
    )


async def login(
    session: AsyncSession,
    policy: TokenPolicy,
    passwords: Passwords,
    *,
    email: str,
    password: str,
) -> TokenPair:
    """Check email and password (constant cost whether or not the email exists)."""
    user = await credentials.user_by_email(session, email)
    if not await passwords.verify(password, user.password_hash if user else None) or user is None:
        raise Unauthorized("Wrong email or password.")
    if not user.is_active:
        raise Unauthorized("This user is disabled.")
    return await issue_tokens(session, policy, user)


async def refresh(session: AsyncSession, policy: TokenPolicy, refresh_token: str) -> TokenPair:
    """Rotate a refresh token: it is spent, and the next one joins its family.

    Presenting a token that was already rotated means it was stolen or replayed: the whole
    family is revoked (and the caller must log in again). The row is locked, so two
    concurrent refreshes with one token cannot both succeed.
    """
    token = await credentials.refresh_token_by_hash(session, hash_secret(refresh_token))
    now = _now()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    if token.rotated_at is not None:
        await credentials.revoke_family(session, token.family_id, now)
        # Commit the revocation even though the request fails.
        await session.commit()
        raise Unauthorized("The refresh token was already used; all its sessions are revoked.")
    found = await credentials.user_with_permissions(session, token.user_id)
    if found is None or not found[0].is_active:
        raise Unauthorized("This user is disabled.")
    token.rotated_at = now
    return await _issue(session, policy, found[0], family_id=token.family_id)


async def revoke(session: AsyncSession, refresh_token: str) -> None:
    """Log out: revoke the token's whole family. Unknown tokens are ignored (no oracle)."""
    token = await credentials.refresh_token_by_hash(session, hash_secret(refresh_token))
    if token is not None:
        await credentials.revoke_family(session, token.family_id, _now())


async def authenticate(
    session: AsyncSession, secret_key: str, credential: str, *, claims: AccessClaims | None = None
) -> Principal:
    """Turn a bearer credential into a Principal, or raise Unauthorized. `claims`: the
    access token's, when the caller has already verified it.

    An API key acts with its own permissions intersected with its creator's current ones,
    so demoting or disabling the creator narrows or stops the key at once.
    """
    prefix = api_key_prefix(credential)
    if prefix is not None:
        return await _authenticate_api_key(session, prefix, credential)
    if claims is None:
        claims = read_access_token(secret_key, credential)
    found = await credentials.user_with_permissions(session, claims.user_id)
    if found is None or found[0].company_id != claims.company_id or not found[0].is_active:
        raise Unauthorized("The user behind this token no longer has access.")
    user, granted = found
    return Principal(
        company_id=user.company_id,
        user_id=user.id,
        permissions=permissions.ALL if user.is_admin else granted & permissions.ALL,
        is_admin=user.is_admin,
    )


async def _authenticate_api_key(session: AsyncSession, prefix: str, credential: str) -> Principal:
    found = await credentials.api_key_with_creator(session, prefix)
    if found is None or not hmac.compare_digest(found[0].secret_hash, hash_secret(credential)):
        raise Unauthorized("The API key is invalid.")
    key, creator, granted = found
    if key.revoked_at is not None:
        raise Unauthorized("The API key has been revoked.")
    if not creator.is_active:
        raise Unauthorized("The API key's creator is disabled.")
    creator_permissions = permissions.ALL if creator.is_admin else granted
    now = _now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        await credentials.touch_api_key(session, key.id, now)
    return Principal(
        company_id=key.company_id,
        user_id=creator.id,
        permissions=frozenset(key.permissions) & creator_permissions & permissions.GRANTABLE,
        api_key_id=key.id,
    )
