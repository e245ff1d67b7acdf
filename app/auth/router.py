from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from app.auth import permissions
from app.auth import service as auth_service
from app.auth.dependencies import PUBLIC, Authenticated, PasswordsDep
from app.auth.schemas import (
    MeRead,
    RefreshCreate,
    SignupCreate,
    SignupRead,
    TokenCreate,
    TokenRead,
)
from app.auth.service import TokenPair, TokenPolicy
from app.company.schemas import CompanyRead
from app.kit.dependencies import SessionDep, from_state
from app.kit.problem import problem_responses
from app.kit.schemas import ReadSchema
from app.kit.unit_of_work import UnitOfWorkRoute
from app.user import service as user_service

router = APIRouter(prefix="/v1", route_class=UnitOfWorkRoute, tags=["auth"])


TokenPolicyDep = Annotated[TokenPolicy, Depends(from_state("token_policy", TokenPolicy))]


def _token_read(pair: TokenPair) -> TokenRead:
    return TokenRead(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        refresh_expires_in=pair.refresh_expires_in,
    )


@router.post(
    "/signup",
    operation_id="auth_signup",
    status_code=status.HTTP_201_CREATED,
    dependencies=[PUBLIC],
    responses=problem_responses(409),
)
async def signup(
    body: SignupCreate, session: SessionDep, policy: TokenPolicyDep, passwords: PasswordsDep
) -> SignupRead:
    """Create a company and its admin user, and sign that user in."""
    company, user = await auth_service.signup(
        session,
        passwords,
        company_name=body.company_name,
        name=body.name,
        email=str(body.email),
        password=body.password,
        currency=body.currency,
        timezone=body.timezone,
    )
    pair = await auth_service.issue_tokens(session, policy, user)
    return SignupRead(
        company=CompanyRead.model_validate(company),
        user=user_service.to_read(user, []),
        token=_token_read(pair),
    )


@router.post(
    "/auth/token",
    operation_id="auth_token",
    dependencies=[PUBLIC],
    responses=problem_responses(401),
)
async def token(
    body: TokenCreate, session: SessionDep, policy: TokenPolicyDep, passwords: PasswordsDep
) -> TokenRead:
    """Exchange email and password for an access token and a refresh token."""
    pair = await auth_service.login(
        session, policy, passwords, email=str(body.email), password=body.password
    )
    return _token_read(pair)


@router.post(
    "/auth/refresh",
    operation_id="auth_refresh",
    dependencies=[PUBLIC],
    responses=problem_responses(401),
)
async def refresh(body: RefreshCreate, session: SessionDep, policy: TokenPolicyDep) -> TokenRead:
    """Rotate a refresh token. Reusing a rotated token revokes its whole family."""
    return _token_read(await auth_service.refresh(session, policy, body.refresh_token))


@router.post(
    "/auth/revoke",
    operation_id="auth_revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[PUBLIC],
)
async def revoke(body: RefreshCreate, session: SessionDep) -> Response:
    """Log out: revoke the refresh token and every token rotated from the same login."""
    await auth_service.revoke(session, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", operation_id="me_get")
async def me(principal: Authenticated, session: SessionDep) -> MeRead:
    """The signed-in user, their company and their effective permissions."""
    user, group_ids, company = await user_service.get_me(session, principal)
    return MeRead(
        user=user_service.to_read(user, group_ids),
        company=CompanyRead.model_validate(company),
        permissions=sorted(principal.permissions),
        api_key_id=principal.api_key_id,
    )


class PermissionRead(ReadSchema):
    name: str
    description: str
    admin_only: bool


class PermissionList(ReadSchema):
    data: list[PermissionRead]


@router.get("/permissions", operation_id="permissions_list")
async def list_permissions(principal: Authenticated) -> PermissionList:
    """The permission catalogue: what groups and API keys can be granted."""
    return PermissionList(
        data=[PermissionRead.model_validate(p, from_attributes=True) for p in permissions.CATALOGUE]
    )
