from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.dependencies import CustomersRead, SettingsWrite
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import as_page, set_etag
from app.kit.schemas import NO_NUL_PATTERN, Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.tag import service
from app.tag.schemas import TagCreate, TagRead, TagUpdate

router = APIRouter(prefix="/v1/tags", route_class=UnitOfWorkRoute, tags=["tags"])

# Anyone who sees customers sees the vocabulary their tags come from.


@router.get("", operation_id="tags_list")
async def list_tags(
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    q: Annotated[
        str | None,
        Query(
            max_length=50,
            pattern=NO_NUL_PATTERN,
            description="Only tags whose name contains this, ignoring case.",
        ),
    ] = None,
) -> Page[TagRead]:
    """The company's tags, by name."""
    page = await service.list_tags(session, principal, q=q, params=params, codec=codec)
    return as_page(page, TagRead.model_validate)


@router.post("", operation_id="tags_create", status_code=status.HTTP_201_CREATED)
async def create_tag(
    body: TagCreate, principal: SettingsWrite, session: SessionDep, response: Response
) -> TagRead:
    tag = await service.create_tag(session, principal, body)
    set_etag(response, tag.version)
    response.headers["Location"] = f"{router.prefix}/{tag.id}"
    return TagRead.model_validate(tag)


@router.get("/{tag_id:uuid}", operation_id="tags_get")
async def get_tag(
    tag_id: uuid.UUID, principal: CustomersRead, session: SessionDep, response: Response
) -> TagRead:
    tag = await service.get_tag(session, principal, tag_id)
    set_etag(response, tag.version)
    return TagRead.model_validate(tag)


@router.patch("/{tag_id:uuid}", operation_id="tags_update", responses=problem_responses(409))
async def update_tag(
    tag_id: uuid.UUID,
    body: TagUpdate,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> TagRead:
    tag = await service.update_tag(session, principal, tag_id, body, expected_version=if_match)
    set_etag(response, tag.version)
    return TagRead.model_validate(tag)


@router.delete("/{tag_id:uuid}", operation_id="tags_delete", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tag(
    tag_id: uuid.UUID, principal: SettingsWrite, session: SessionDep, if_match: IfMatch
) -> Response:
    """Delete a tag; it is taken off every customer that carried it."""
    await service.delete_tag(session, principal, tag_id, expected_version=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
