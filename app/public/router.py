"""The public JSON API (no credentials): a company's order form and its submissions.
Limited per client IP (PUBLIC) and, for submissions, per IP and per form; CORS for the
company's own origins only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import PUBLIC
from app.kit.dependencies import SessionDep, SettingsDep
from app.kit.problem import problem_responses
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order_form.logo import service as logos
from app.order_form.service import PublicForm
from app.order_form.submission.schemas import (
    PublicFieldRead,
    PublicFormRead,
    SubmissionAccepted,
    SubmissionCreate,
)
from app.public import submissions
from app.public.dependencies import SUBMISSION_LIMITS, FormTokensDep, OrderFormDep, Slug
from app.public.security import API_HEADERS, PREFLIGHT_HEADERS, cors_headers
from app.storage.dependencies import BlobStoreDep

router = APIRouter(
    prefix="/v1/public/forms",
    route_class=UnitOfWorkRoute,
    tags=["public"],
    dependencies=[PUBLIC],
)
LOGO_PATH = "/v1/public/forms/{slug}/logo"


def definition(form: PublicForm, token: str) -> PublicFormRead:
    return PublicFormRead(
        company_name=form.company_name,
        fields=[
            PublicFieldRead(
                name=f.name,
                label=f.label,
                type=f.type,
                required=f.required,
                options=f.options,
            )
            for f in form.fields
        ],
        referral_options=form.referral_options,
        style=form.style,
        logo_url=LOGO_PATH.format(slug=form.slug) if form.logo_sha256 else None,
        form_token=token,
    )


@router.get("/{slug}", operation_id="public_forms_get")
async def get_form(
    slug: Slug,
    form: OrderFormDep,
    tokens: FormTokensDep,
    request: Request,
    response: Response,
) -> PublicFormRead:
    """The company's order form for a page of the company's own (no credentials): its
    fields, referral options, style, display name, and a `form_token` to send back with
    the submission. 404 when there is no enabled form at this address."""
    response.headers.update(API_HEADERS)
    response.headers.update(cors_headers(request.headers.get("origin"), form.allowed_origins))
    return definition(form, tokens.issue(slug))


@router.post(
    "/{slug}/submissions",
    operation_id="public_forms_submit",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[SUBMISSION_LIMITS],
    responses=problem_responses(409),
)
async def submit_form(
    slug: Slug,
    body: SubmissionCreate,
    form: OrderFormDep,
    tokens: FormTokensDep,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Makes a retry safe (scoped to this form); without it, the form "
            "token's own nonce does the same for a double submission.",
        ),
    ] = None,
) -> SubmissionAccepted:
    """Send the form: a customer (created, or linked when the email or phone matches one
    exactly; nothing about a match is revealed) and an order waiting for review, with the
    message as its note. 202 with a reference and the thank-you message."""
    outcome = await submissions.receive(
        request, session, settings, tokens, form, body, idempotency_key
    )
    response.headers.update(API_HEADERS)
    response.headers.update(cors_headers(request.headers.get("origin"), form.allowed_origins))
    return SubmissionAccepted(
        reference=uuid.UUID(outcome.reference), thank_you_message=outcome.thank_you_message
    )


@router.options(
    "/{slug}/submissions", operation_id="public_forms_submit_preflight", include_in_schema=False
)
async def preflight(slug: Slug, form: OrderFormDep, request: Request) -> Response:
    """CORS preflight: allowed for the company's own origins only."""
    headers = cors_headers(request.headers.get("origin"), form.allowed_origins)
    if "Access-Control-Allow-Origin" in headers:
        headers.update(PREFLIGHT_HEADERS)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)


@router.get(
    "/{slug}/logo",
    operation_id="public_forms_logo",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The logo image.",
            "content": {
                "image/png": {"schema": {}},
                "image/jpeg": {"schema": {}},
                "image/gif": {"schema": {}},
                "image/webp": {"schema": {}},
            },
        }
    },
)
async def get_logo(slug: Slug, form: OrderFormDep, store: BlobStoreDep) -> StreamingResponse:
    """The form's logo (404 when it has none), with the type its bytes were checked to be."""
    chunks, media_type = await logos.open_logo(form, store)
    return StreamingResponse(
        chunks,
        headers={
            "Content-Type": media_type,
            "Cache-Control": "public, max-age=300",
            **API_HEADERS,
        },
    )
