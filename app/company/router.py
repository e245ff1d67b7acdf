from __future__ import annotations

from fastapi import APIRouter, Response

from app.auth.dependencies import Authenticated, SettingsWrite
from app.company import service
from app.company.schemas import CompanyRead, CompanyUpdate
from app.kit.dependencies import IfMatch, SessionDep
from app.kit.responses import set_etag
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/company", route_class=UnitOfWorkRoute, tags=["company"])


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
