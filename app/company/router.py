from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.auth.dependencies import Authenticated, Authorize
from app.auth.principal import Principal
from app.company import service
from app.company.schemas import CompanyRead, CompanyUpdate
from app.kit.routing import IfMatch, SessionDep, TrackrRoute, set_etag

router = APIRouter(prefix="/v1/company", route_class=TrackrRoute, tags=["company"])

SettingsWrite = Annotated[Principal, Depends(Authorize("settings:write"))]


@router.get("", operation_id="company_get")
async def get_company(
    principal: Authenticated, session: SessionDep, response: Response
) -> CompanyRead:
    """The caller's company and its settings (anyone signed in may read them)."""
    company = await service.get_company(session, principal)
    set_etag(response, company.version)
    return CompanyRead.model_validate(company)


@router.patch("", operation_id="company_update")
async def update_company(
    body: CompanyUpdate,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> CompanyRead:
    """Change the name, timezone or payment terms; the currency cannot change."""
    company = await service.update_company(session, principal, body, expected_version=if_match)
    set_etag(response, company.version)
    return CompanyRead.model_validate(company)
