"""What the public routes share: the form at a slug, its tokens, the submission limits, and
the submission's idempotency (scoped to the form)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path, Request

from app.kit import ratelimit
from app.kit.dependencies import SessionDep, SettingsDep, get_secret_key, get_sessions
from app.kit.idempotency import Replay, StoredResponse, claim, fingerprint
from app.order_form import service as forms
from app.order_form.service import PublicForm
from app.public.tokens import FormTokens

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
Slug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=80, description="The company's slug.")]


async def order_form(slug: Slug, session: SessionDep) -> PublicForm:
    """The enabled form at `slug` (404 otherwise: unknown, disabled, suspended alike)."""
    return await forms.public_form(session, slug)


OrderFormDep = Annotated[PublicForm, Depends(order_form)]


async def form_tokens(request: Request, settings: SettingsDep) -> FormTokens:
    return FormTokens(
        secret=await get_secret_key(request),
        audience="order-form",
        min_fill_seconds=settings.public_form_min_fill_seconds,
        ttl_seconds=settings.public_form_token_ttl_seconds,
    )


FormTokensDep = Annotated[FormTokens, Depends(form_tokens)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_submissions(request: Request, slug: Slug, settings: SettingsDep) -> None:
    """429 with Retry-After beyond the submissions a minute allowed from one client IP, or
    to one form (what a botnet spread over many addresses meets)."""
    redis = request.app.state.redis
    await ratelimit.hit(
        redis,
        f"form-ip:{client_ip(request)}",
        settings.public_form_submissions_per_ip_per_minute,
    )
    await ratelimit.hit(redis, f"form:{slug}", settings.public_form_submissions_per_form_per_minute)


SUBMISSION_LIMITS = Depends(limit_submissions)


async def claim_submission(
    request: Request, form: PublicForm, key: str, settings: SettingsDep
) -> None:
    """Claim `key` (the client's Idempotency-Key, or the form token's nonce) for this
    submission, scoped to the form: a replay answers the stored response (raises Replay),
    a concurrent duplicate is a 409, the same key for another body a 422. The claim is
    completed by the request's commit (app/kit/unit_of_work.py) or released on failure."""
    scoped = "form:" + hashlib.sha256(f"{form.slug}\x00{key}".encode()).hexdigest()
    result = await claim(
        get_sessions(request),
        form.company_id,
        scoped,
        fingerprint(request.method, request.url.path, await request.body()),
        timedelta(seconds=settings.idempotency_ttl_seconds),
    )
    if isinstance(result, StoredResponse):
        raise Replay(result)
    request.state.idempotency_claim = result
