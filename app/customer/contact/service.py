"""Contacts: the people at a customer (seed 004). A customer with contacts has exactly one
primary contact.

Every change that can move the primary flag first locks the customer row (SELECT ... FOR
UPDATE), so that changes to one customer's contacts run one after another: two requests
making different contacts primary, or adding the first two contacts, cannot both end with a
primary or none. The partial unique index `uq_contact_primary` backs this up. Locks are
always taken customer first, then contact, so these changes cannot deadlock each other.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.customer.contact.models import Contact
from app.customer.contact.repository import ContactRepository
from app.customer.contact.schemas import ContactCreate, ContactUpdate
from app.customer.models import Customer
from app.customer.repository import CustomerRepository
from app.errors import ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort

SORT = Sort("created_at", Contact.created_at, Contact.id)


async def _customer(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    return await CustomerRepository(session, principal.company_id).get_or_404(
        customer_id, for_update=lock
    )


async def _set_primary(
    session: AsyncSession,
    principal: Principal,
    customer: Customer,
    contact: Contact,
    value: bool,
) -> None:
    """Flip one contact's flag on its own flush, audited; a flag cleared before another is
    set, so the unique index never sees two primaries."""
    before = events.snapshot(contact)
    contact.is_primary = value
    await session.flush()
    events.record(session, principal, "updated", contact, before=before, parent=customer)


async def list_contacts(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[Contact]:
    """The customer's contacts, oldest first; 404 when the customer is not the company's."""
    customer = await _customer(session, principal, customer_id)
    repository = ContactRepository(session, principal.company_id, customer.id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_contact(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, contact_id: uuid.UUID
) -> Contact:
    """One contact of the customer; 404 for another customer's contact."""
    customer = await _customer(session, principal, customer_id)
    return await ContactRepository(session, principal.company_id, customer.id).get_or_404(
        contact_id
    )


async def create_contact(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, body: ContactCreate
) -> Contact:
    """Add a contact, under the customer's lock. The customer's first contact is primary
    whatever `is_primary` says; `is_primary: true` takes the flag from the current primary
    in the same transaction."""
    customer = await _customer(session, principal, customer_id, lock=True)
    repository = ContactRepository(session, principal.company_id, customer.id)
    current = await repository.primary()
    if current is not None and body.is_primary:
        await _set_primary(session, principal, customer, current, False)
    contact = repository.add(
        Contact(
            title=body.title,
            first_name=body.first_name,
            last_name=body.last_name,
            phone=body.phone,
            email=body.email,
            is_primary=current is None or body.is_primary,
        )
    )
    await session.flush()
    events.record(session, principal, "created", contact, parent=customer)
    return contact


async def update_contact(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    body: ContactUpdate,
    *,
    expected_version: int | None,
) -> Contact:
    """Change the fields sent, under the customer's lock. `is_primary: true` moves the flag
    here from the current primary in the same transaction; `is_primary: false` on the
    primary is refused (422 naming is_primary), since a customer with contacts always has
    one: make another contact primary instead."""
    customer = await _customer(session, principal, customer_id, lock=True)
    repository = ContactRepository(session, principal.company_id, customer.id)
    contact = await repository.get_or_404(contact_id, for_update=True)
    check_version(contact.version, expected_version)
    changes = body.changes()
    make_primary = changes.pop("is_primary", None)
    if make_primary is False and contact.is_primary:
        raise ValidationFailed.field(
            "is_primary",
            "the primary contact cannot be unset: make another contact primary instead",
        )
    before = events.snapshot(contact)
    if make_primary and not contact.is_primary:
        current = await repository.primary()
        if current is not None:
            await _set_primary(session, principal, customer, current, False)
        contact.is_primary = True
    for field, value in changes.items():
        setattr(contact, field, value)
    await session.flush()
    events.record(session, principal, "updated", contact, before=before, parent=customer)
    return contact


async def delete_contact(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Delete a contact, under the customer's lock; when it was the primary one, the oldest
    remaining contact becomes primary in the same transaction."""
    customer = await _customer(session, principal, customer_id, lock=True)
    repository = ContactRepository(session, principal.company_id, customer.id)
    contact = await repository.get_or_404(contact_id, for_update=True)
    check_version(contact.version, expected_version)
    before = events.snapshot(contact)
    was_primary = contact.is_primary
    await repository.delete(contact)
    await session.flush()
    events.record(
        session, principal, "deleted", contact, before=before, deleted=True, parent=customer
    )
    if was_primary:
        successor = await repository.oldest()
        if successor is not None:
            await _set_primary(session, principal, customer, successor, True)


async def require_contact(
    session: AsyncSession,
    company_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    customer_id: uuid.UUID | None,
    field: str = "contact_id",
) -> Contact:
    """The contact `contact_id` of customer `customer_id`, for a record of that customer
    which names it (an order, seed 004). Refuses (422 naming `field`) any other id: another
    customer's contact, another company's, none at all, or any when the record has no
    customer."""
    contact = None
    if customer_id is not None:
        contact = await ContactRepository(session, company_id, customer_id).get(contact_id)
    if contact is None:
        raise ValidationFailed.field(
            field, f"contact {contact_id} is not one of the customer's contacts"
        )
    return contact
