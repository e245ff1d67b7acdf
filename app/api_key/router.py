from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.api_key import service
from app.api_key.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.auth.dependencies import ApiKeysManage
from app.kit.dependencies import CursorCodecDep, PageParamsDep, SessionDep
from app.kit.responses import as_page, set_etag
from app.kit.schemas import Page
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/api-keys", route_class=UnitOfWorkRoute, tags=["api keys"])


@router.get("", operation_id="api_keys_list")
async def list_keys(
    principal: ApiKeysManage,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[ApiKeyRead]:
    page = await service.list_keys(session, principal, params=params, codec=codec)
    return as_page(page, ApiKeyRead.model_validate)


@router.post("", operation_id="api_keys_create", status_code=status.HTTP_201_CREATED)
async def create_key(
    body: ApiKeyCreate,
    principal: ApiKeysManage,
    session: SessionDep,
    response: Response,
) -> ApiKeyCreated:
    """Create a key. The response is the only time the full key is shown."""
    key, secret = await service.create_key(session, principal, body)
    set_etag(response, key.version)
    response.headers["Location"] = f"{router.prefix}/{key.id}"
    return ApiKeyCreated.model_validate(
        {**ApiKeyRead.model_validate(key).model_dump(), "key": secret}
    )


@router.get("/{api_key_id:uuid}", operation_id="api_keys_get")
async def get_key(
    api_key_id: uuid.UUID,
    principal: ApiKeysManage,
    session: SessionDep,
    response: Response,
) -> ApiKeyRead:
    key = await service.get_key(session, principal, api_key_id)
    set_etag(response, key.version)
    return ApiKeyRead.model_validate(key)


@router.post("/{api_key_id:uuid}/revoke", operation_id="api_keys_revoke")
async def revoke_key(
    api_key_id: uuid.UUID,
    principal: ApiKeysManage,
    session: SessionDep,
    response: Response,
) -> ApiKeyRead:
    key = await service.revoke_key(session, principal, api_key_id)
    set_etag(response, key.version)
    return ApiKeyRead.model_validate(key)
