from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status

from app.auth.dependencies import OrdersRead, SettingsWrite
from app.kit.dependencies import IfMatch, SessionDep
from app.kit.problem import problem_responses
from app.kit.responses import set_etag
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order_form import service
from app.order_form.logo import service as logos
from app.order_form.schemas import (
    FieldSetting,
    FormStyle,
    OrderFormRead,
    OrderFormUpdate,
    ReferralOptionCreate,
    ReferralOptionRead,
    ReferralOptionUpdate,
)
from app.storage.dependencies import BlobStoreDep

router = APIRouter(
    prefix="/v1/company/order-form", route_class=UnitOfWorkRoute, tags=["order form"]
)
referrals = APIRouter(
    prefix="/v1/referral-options", route_class=UnitOfWorkRoute, tags=["order form"]
)
LOGO_PATH = "/v1/public/forms/{slug}/logo"


def to_read(found: service.FormSettings) -> OrderFormRead:
    return OrderFormRead(
        enabled=found.enabled,
        slug=found.slug,
        fields={k: FieldSetting.model_validate(v) for k, v in found.fields.items()},
        thank_you_message=found.thank_you_message,
        style=FormStyle.model_validate(found.style),
        logo_url=LOGO_PATH.format(slug=found.slug) if found.logo_sha256 else None,
        allowed_origins=found.allowed_origins,
        review_recipient_ids=found.review_recipient_ids,
        referral_options=found.referral_options,
        updated_at=found.updated_at,
    )


@router.get("", operation_id="company_order_form_get")
async def get_order_form(
    principal: SettingsWrite, session: SessionDep, response: Response
) -> OrderFormRead:
    """The external order form's settings (the defaults until first saved)."""
    found = await service.get_settings(session, principal)
    if found.version is not None:
        set_etag(response, found.version)
    return to_read(found)


@router.put("", operation_id="company_order_form_update")
async def update_order_form(
    body: OrderFormUpdate,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> OrderFormRead:
    """Replace the form's settings: enabled, fields shown and required, thank-you message,
    style, allowed origins and review recipients. No free-form CSS is taken: colours, a font
    from a fixed list and a radius are all the page's style reads."""
    found = await service.update_settings(session, principal, body, expected_version=if_match)
    if found.version is not None:
        set_etag(response, found.version)
    return to_read(found)


@router.put("/logo", operation_id="company_order_form_logo_put")
async def put_logo(
    file: Annotated[
        UploadFile,
        File(description="A PNG, JPEG, GIF or WebP image of at most 512 KiB."),
    ],
    principal: SettingsWrite,
    session: SessionDep,
    store: BlobStoreDep,
    response: Response,
) -> OrderFormRead:
    """Set the form's logo. Its type is what its bytes are (not what the upload claims):
    PNG, JPEG, GIF or WebP, else a 422; no SVG. Larger than 512 KiB is a 413."""
    form = await logos.set_logo(session, principal, store, await file.read(logos.MAX_BYTES + 1))
    set_etag(response, form.version)
    return to_read(await service.get_settings(session, principal))


@router.delete(
    "/logo",
    operation_id="company_order_form_logo_delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def delete_logo(
    principal: SettingsWrite, session: SessionDep, store: BlobStoreDep
) -> Response:
    """Take the logo off the form."""
    await logos.remove_logo(session, principal, store)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@referrals.get("", operation_id="referral_options_list")
async def list_referral_options(
    principal: OrdersRead, session: SessionDep
) -> list[ReferralOptionRead]:
    """The company's own referral options by position (empty: the form offers Trackr's
    defaults, listed in `GET /v1/company/order-form`)."""
    return [
        ReferralOptionRead.model_validate(o)
        for o in await service.list_referral_options(session, principal)
    ]


@referrals.post(
    "",
    operation_id="referral_options_create",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_referral_option(
    body: ReferralOptionCreate, principal: SettingsWrite, session: SessionDep, response: Response
) -> ReferralOptionRead:
    """Add a referral option; the company's own options replace Trackr's defaults."""
    option = await service.create_referral_option(session, principal, body)
    set_etag(response, option.version)
    response.headers["Location"] = f"{referrals.prefix}/{option.id}"
    return ReferralOptionRead.model_validate(option)


@referrals.get("/{referral_option_id:uuid}", operation_id="referral_options_get")
async def get_referral_option(
    referral_option_id: uuid.UUID, principal: OrdersRead, session: SessionDep, response: Response
) -> ReferralOptionRead:
    option = await service.get_referral_option(session, principal, referral_option_id)
    set_etag(response, option.version)
    return ReferralOptionRead.model_validate(option)


@referrals.patch(
    "/{referral_option_id:uuid}",
    operation_id="referral_options_update",
    responses=problem_responses(409),
)
async def update_referral_option(
    referral_option_id: uuid.UUID,
    body: ReferralOptionUpdate,
    principal: SettingsWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> ReferralOptionRead:
    option = await service.update_referral_option(
        session, principal, referral_option_id, body, expected_version=if_match
    )
    set_etag(response, option.version)
    return ReferralOptionRead.model_validate(option)


@referrals.delete(
    "/{referral_option_id:uuid}",
    operation_id="referral_options_delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_referral_option(
    referral_option_id: uuid.UUID, principal: SettingsWrite, session: SessionDep, if_match: IfMatch
) -> Response:
    """Delete an option; orders keep the label they were given."""
    await service.delete_referral_option(
        session, principal, referral_option_id, expected_version=if_match
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
