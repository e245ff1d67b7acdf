"""The one path of a submission, whichever page sent it (the JSON API or the HTML form):
the trap and the token decide whether it is kept; a kept one is claimed for idempotency,
then stored."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from app.config import Settings
from app.errors import ValidationFailed
from app.order_form.service import PublicForm
from app.order_form.submission import service as submissions
from app.order_form.submission.schemas import SubmissionCreate
from app.public.dependencies import claim_submission
from app.public.tokens import FormTokens, Verdict


@dataclass(frozen=True)
class Outcome:
    reference: str
    thank_you_message: str
    stored: bool


async def receive(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    tokens: FormTokens,
    form: PublicForm,
    body: SubmissionCreate,
    idempotency_key: str | None,
) -> Outcome:
    """Keep or drop one submission. The honeypot filled, a token that is not this form's,
    or a form sent back faster than a person fills it: answered like a success (so a bot
    learns nothing) and stored nowhere. An expired token is a 422 naming `form_token`."""
    checked = tokens.check(body.form_token, form.slug)
    if body.website or checked.verdict in {Verdict.FORGED, Verdict.TOO_FAST}:
        return Outcome(str(uuid7()), form.thank_you_message, stored=False)
    if checked.verdict is Verdict.EXPIRED:
        raise ValidationFailed.field("form_token", "the form has expired: reload the page")
    submissions.check(form, body)  # before the claim: a refused body does not consume it
    key = idempotency_key or f"nonce:{checked.nonce}"
    await claim_submission(request, form, key, settings)
    done = await submissions.submit(session, form, body)
    return Outcome(str(done.reference), done.thank_you_message, stored=True)
