"""The external order form's settings (seed 000: Settings -> Style, Settings -> Referrals)
and its public definition. Nothing here is shown to a visitor that the company did not put
on the form: the definition carries the fields, referral options, style and display name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import Conflict, NotFound, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.order_form.models import OrderForm, ReferralOption
from app.order_form.repository import (
    OrderFormRepository,
    ReferralOptionRepository,
    open_company_by_slug,
)
from app.order_form.schemas import (
    CUSTOM_FIELD_PREFIX,
    FieldSetting,
    FormStyle,
    OrderFormUpdate,
    ReferralOptionCreate,
    ReferralOptionUpdate,
)
from app.user import service as users

DEFAULT_REFERRALS = ("Search engine", "Friend or family", "Social media", "Advertisement", "Other")
DEFAULT_THANK_YOU = "Thank you! We have received your request and will be in touch soon."
DEFAULT_FIELDS = {
    "phone": {"shown": True, "required": False},
    "email": {"shown": True, "required": True},
    "address": {"shown": True, "required": False},
    "message": {"shown": True, "required": False},
    "preferred_date": {"shown": False, "required": False},
    "referral": {"shown": True, "required": False},
}
BUILTIN_LABELS = {
    "name": "Your name",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "message": "How can we help?",
    "preferred_date": "Preferred date",
    "referral": "How did you hear about us?",
}
DUPLICATE = "A referral option with this label already exists (labels are unique ignoring case)."


@dataclass(frozen=True)
class FormSettings:
    """The settings as the API shows them: the stored row or the defaults."""

    slug: str
    enabled: bool
    fields: dict[str, Any]
    thank_you_message: str
    style: dict[str, Any]
    logo_sha256: str | None
    allowed_origins: list[str]
    review_recipient_ids: list[uuid.UUID]
    referral_options: list[str]
    version: int | None
    updated_at: Any


@dataclass(frozen=True)
class PublicField:
    name: str  # a builtin name or cf.<key>
    label: str
    type: str  # text, email, tel, textarea, date, select, number, boolean
    required: bool
    options: list[str] = field(default_factory=list)
    entity: str | None = None  # a custom field's entity (customer or order)


@dataclass(frozen=True)
class PublicForm:
    """What a visitor may see of a company's form, and what a submission needs."""

    company_id: uuid.UUID
    slug: str
    company_name: str
    fields: list[PublicField]
    referral_options: list[str]
    thank_you_message: str
    style: FormStyle
    logo_sha256: str | None
    logo_content_type: str | None
    allowed_origins: list[str]
    review_recipient_ids: list[uuid.UUID]
    version: int


async def effective_referrals(session: AsyncSession, company_id: uuid.UUID) -> list[str]:
    """The company's active referral options in order; Trackr's defaults while it has none
    of its own (inactive ones count as its own: they still replace the defaults)."""
    own = await ReferralOptionRepository(session, company_id).in_order()
    if not own:
        return list(DEFAULT_REFERRALS)
    return [o.label for o in own if o.active]


async def get_settings(session: AsyncSession, principal: Principal) -> FormSettings:
    repository = OrderFormRepository(session, principal.company_id)
    return await _settings(session, repository, await repository.get())


async def _settings(
    session: AsyncSession, repository: OrderFormRepository, form: OrderForm | None
) -> FormSettings:
    company = await repository.company()
    referrals = await effective_referrals(session, repository.company_id)
    if form is None:
        return FormSettings(
            slug=company.slug,
            enabled=False,
            fields=DEFAULT_FIELDS,
            thank_you_message=DEFAULT_THANK_YOU,
            style=FormStyle().model_dump(),
            logo_sha256=None,
            allowed_origins=[],
            review_recipient_ids=[],
            referral_options=referrals,
            version=None,
            updated_at=None,
        )
    return FormSettings(
        slug=company.slug,
        enabled=form.enabled,
        fields=form.fields,
        thank_you_message=form.thank_you_message,
        style=FormStyle.model_validate(form.style).model_dump(),
        logo_sha256=form.logo_sha256,
        allowed_origins=list(form.allowed_origins),
        review_recipient_ids=[uuid.UUID(i) for i in form.review_recipient_ids],
        referral_options=referrals,
        version=form.version,
        updated_at=form.updated_at,
    )


async def update_settings(
    session: AsyncSession,
    principal: Principal,
    body: OrderFormUpdate,
    *,
    expected_version: int | None,
) -> FormSettings:
    """Replace the form's settings (created on first use). Custom fields named must be the
    company's (422 naming `fields.cf.<key>`); review recipients its active users (422).
    If-Match is checked on the locked row."""
    repository = OrderFormRepository(session, principal.company_id)
    form = await repository.get(for_update=True)
    if form is not None:
        check_version(form.version, expected_version)
    known = {f"{CUSTOM_FIELD_PREFIX}{d.key}" for d in await repository.custom_fields()}
    unknown = [n for n in body.fields if n.startswith(CUSTOM_FIELD_PREFIX) and n not in known]
    if unknown:
        raise ValidationFailed.field(f"fields.{unknown[0]}", "no custom field has this key")
    if body.review_recipient_ids:
        await users.require_active_users(
            session, principal.company_id, body.review_recipient_ids, "review_recipient_ids"
        )
    before = None if form is None else events.snapshot(form)
    if form is None:
        form = repository.add(OrderForm())
    form.enabled = body.enabled
    form.fields = {k: v.model_dump() for k, v in body.fields.items()}
    form.thank_you_message = body.thank_you_message
    form.style = body.style.model_dump()
    form.allowed_origins = list(dict.fromkeys(o.lower() for o in body.allowed_origins))
    form.review_recipient_ids = [str(i) for i in dict.fromkeys(body.review_recipient_ids)]
    await session.flush()
    events.record(
        session,
        principal,
        "created" if before is None else "updated",
        form,
        before=before,
        entity_id=principal.company_id,
    )
    return await _settings(session, repository, form)


async def public_form(session: AsyncSession, slug: str) -> PublicForm:
    """The enabled form at `slug`; 404 for an unknown slug, a disabled form or a company
    whose billing is suspended (one answer for all three: nothing to learn from it)."""
    company = await open_company_by_slug(session, slug)
    form = None
    if company is not None:
        form = await OrderFormRepository(session, company.id).get()
    if company is None or form is None or not form.enabled:
        raise NotFound("No order form at this address.")
    repository = OrderFormRepository(session, company.id)
    definitions = {f"{CUSTOM_FIELD_PREFIX}{d.key}": d for d in await repository.custom_fields()}
    fields = [PublicField("name", BUILTIN_LABELS["name"], "text", required=True)]
    types = {"phone": "tel", "email": "email", "message": "textarea", "preferred_date": "date"}
    referrals = await effective_referrals(session, company.id)
    # A stable order whatever the settings' JSON kept: contact details, the company's own
    # fields (in their definitions' order), then the request itself.
    custom = [n for n in definitions if n in form.fields]
    ordered = ["email", "phone", "address", *custom, "preferred_date", "message", "referral"]
    for name in ordered:
        if name not in form.fields:
            continue
        setting = FieldSetting.model_validate(form.fields[name])
        if not setting.shown:
            continue
        if name in BUILTIN_LABELS:
            if name == "referral" and not referrals:
                continue
            kind = "select" if name == "referral" else types.get(name, "text")
            options = referrals if name == "referral" else []
            fields.append(PublicField(name, BUILTIN_LABELS[name], kind, setting.required, options))
        else:
            d = definitions[name]
            fields.append(
                PublicField(name, d.label, d.type, setting.required, list(d.options), d.entity)
            )
    return PublicForm(
        company_id=company.id,
        slug=company.slug,
        company_name=company.name,
        fields=fields,
        referral_options=referrals,
        thank_you_message=form.thank_you_message,
        style=FormStyle.model_validate(form.style),
        logo_sha256=form.logo_sha256,
        logo_content_type=form.logo_content_type,
        allowed_origins=list(form.allowed_origins),
        review_recipient_ids=[uuid.UUID(i) for i in form.review_recipient_ids],
        version=form.version,
    )


# --- Referral options ----------------------------------------------------------------------


async def list_referral_options(
    session: AsyncSession, principal: Principal
) -> list[ReferralOption]:
    """The company's own options by position (at most a few dozen: no paging needed)."""
    return list(await ReferralOptionRepository(session, principal.company_id).in_order())


async def create_referral_option(
    session: AsyncSession, principal: Principal, body: ReferralOptionCreate
) -> ReferralOption:
    """Add an option; the company's options then replace Trackr's defaults. Labels are
    unique ignoring case (409)."""
    repository = ReferralOptionRepository(session, principal.company_id)
    if await repository.label_taken(body.label):
        raise Conflict(DUPLICATE, field="label")
    option = repository.add(
        ReferralOption(label=body.label, position=body.position, active=body.active)
    )
    await session.flush()
    events.record(session, principal, "created", option)
    return option


async def get_referral_option(
    session: AsyncSession, principal: Principal, option_id: uuid.UUID
) -> ReferralOption:
    return await ReferralOptionRepository(session, principal.company_id).get_or_404(option_id)


async def update_referral_option(
    session: AsyncSession,
    principal: Principal,
    option_id: uuid.UUID,
    body: ReferralOptionUpdate,
    *,
    expected_version: int | None,
) -> ReferralOption:
    repository = ReferralOptionRepository(session, principal.company_id)
    option = await repository.get_or_404(option_id, for_update=True)
    check_version(option.version, expected_version)
    changes = body.changes()
    if "label" in changes and await repository.label_taken(changes["label"], exclude=option.id):
        raise Conflict(DUPLICATE, field="label")
    before = events.snapshot(option)
    for name, value in changes.items():
        setattr(option, name, value)
    await session.flush()
    events.record(session, principal, "updated", option, before=before)
    return option


async def delete_referral_option(
    session: AsyncSession,
    principal: Principal,
    option_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete an option; orders keep the label they were given (a copy, not a link)."""
    repository = ReferralOptionRepository(session, principal.company_id)
    option = await repository.get_or_404(option_id, for_update=True)
    check_version(option.version, expected_version)
    before = events.snapshot(option)
    await repository.delete(option)
    await session.flush()
    events.record(session, principal, "deleted", option, before=before, deleted=True)
