"""Bulk actions on customers: one result per id, each item applied and audited on its own.

Every item runs in a savepoint: one failing item rolls back only itself, and the others
commit with the request. Ids of another company are reported as not_found, exactly like
ids that never existed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import permissions
from app.auth.principal import Principal
from app.customer import service
from app.customer.repository import CustomerRepository, CustomerTagRepository
from app.customer.schemas import CustomerUpdate
from app.errors import NotFound, TrackrError
from app.event import service as events
from app.storage.blob import BlobStore
from app.tag import service as tags

BulkAction = Literal["enable", "disable", "delete", "update", "add_tags", "remove_tags"]


@dataclass(frozen=True)
class BulkOutcome:
    id: uuid.UUID
    status: Literal["ok", "not_found", "error"]
    error: TrackrError | None = None


async def run(
    session: AsyncSession,
    principal: Principal,
    *,
    action: BulkAction,
    ids: list[uuid.UUID],
    fields: CustomerUpdate | None,
    tag_ids: list[uuid.UUID],
    store: BlobStore,
) -> list[BulkOutcome]:
    """Apply `action` to each id in order (duplicates once). `delete` needs
    customers:delete on top of the route's customers:write."""
    if action == "delete":
        permissions.require(principal, permissions.CUSTOMERS_DELETE)
    tag_list = []
    if action in ("add_tags", "remove_tags"):
        tag_list = await tags.require_tags(session, principal.company_id, tag_ids)
    outcomes = []
    for customer_id in dict.fromkeys(ids):
        try:
            async with session.begin_nested():
                await _apply(
                    session,
                    principal,
                    action,
                    customer_id,
                    fields,
                    [t.id for t in tag_list],
                    store=store,
                )
        except NotFound:
            outcomes.append(BulkOutcome(customer_id, "not_found"))
        except TrackrError as error:
            outcomes.append(BulkOutcome(customer_id, "error", error))
        else:
            outcomes.append(BulkOutcome(customer_id, "ok"))
    return outcomes


async def _apply(
    session: AsyncSession,
    principal: Principal,
    action: BulkAction,
    customer_id: uuid.UUID,
    fields: CustomerUpdate | None,
    tag_ids: list[uuid.UUID],
    *,
    store: BlobStore,
) -> None:
    if action == "delete":
        await service.delete_customer(
            session, principal, customer_id, expected_version=None, store=store
        )
    elif action in ("enable", "disable"):
        status = CustomerUpdate(status="active" if action == "enable" else "disabled")
        await service.update_customer(
            session, principal, customer_id, status, expected_version=None
        )
    elif action == "update" and fields is not None:
        await service.update_customer(
            session, principal, customer_id, fields, expected_version=None
        )
    else:
        await _change_tags(session, principal, customer_id, tag_ids, add=action == "add_tags")


async def _change_tags(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    tag_ids: list[uuid.UUID],
    *,
    add: bool,
) -> None:
    customer = await CustomerRepository(session, principal.company_id).get_or_404(
        customer_id, for_update=True
    )
    repository = CustomerTagRepository(session, principal.company_id)
    before_ids = sorted(str(t.id) for t in (await repository.tags_of([customer.id]))[customer.id])
    before = events.snapshot(customer, tag_ids=before_ids)
    if add:
        await repository.add_tags([customer.id], tag_ids)
    else:
        await repository.remove_tags([customer.id], tag_ids)
    after_ids = sorted(str(t.id) for t in (await repository.tags_of([customer.id]))[customer.id])
    if after_ids != before_ids:
        customer.updated_at = datetime.now(UTC)  # tags are part of the record: new ETag
        await session.flush()
    events.record(session, principal, "updated", customer, before=before, tag_ids=after_ids)
