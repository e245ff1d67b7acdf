"""The users associated with an order in a role (seed 000's user order associations): the
salesperson who sold it, the installers who do it. A user is on an order at most once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import Conflict, NotFound
from app.event import service as events
from app.kit.concurrency import check_version
from app.order.assignee.models import OrderAssignee
from app.order.assignee.repository import OrderAssigneeRepository
from app.order.assignee.schemas import OrderAssigneeCreate, OrderAssigneeUpdate
from app.order.models import Order
from app.order.repository import OrderRepository
from app.user import service as users


@dataclass(frozen=True)
class Assignee:
    user_id: uuid.UUID
    user_name: str
    role: str
    created_at: datetime
    version: int


def _view(assignee: OrderAssignee, user_name: str) -> Assignee:
    return Assignee(
        assignee.user_id, user_name, assignee.role, assignee.created_at, assignee.version
    )


async def assignees_of(
    session: AsyncSession, company_id: uuid.UUID, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Assignee]]:
    """The assignees of each of these orders (oldest first; an order without any maps to an
    empty list), in one query, for order lists and details."""
    result: dict[uuid.UUID, list[Assignee]] = defaultdict(list)
    for assignee, name in await OrderAssigneeRepository(session, company_id).of_orders(order_ids):
        result[assignee.order_id].append(_view(assignee, name))
    return result


async def _order(session: AsyncSession, principal: Principal, order_id: uuid.UUID) -> Order:
    return await OrderRepository(session, principal.company_id).get_or_404(order_id)


async def _assigned(
    repository: OrderAssigneeRepository, order: Order, user_id: uuid.UUID
) -> tuple[OrderAssignee, str]:
    """The user's association with the order, row-locked; 404 when the user is not on it."""
    found = await repository.get(order.id, user_id, for_update=True)
    if found is None:
        raise NotFound(f"User {user_id} is not assigned to order {order.id}.")
    return found


async def list_assignees(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID
) -> list[Assignee]:
    """The order's assignees, oldest first; 404 when the order is not the company's."""
    order = await _order(session, principal, order_id)
    return (await assignees_of(session, principal.company_id, [order.id]))[order.id]


async def add_assignee(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, body: OrderAssigneeCreate
) -> Assignee:
    """Associate an active user of the company with the order. Refuses another company's,
    a disabled or an unknown user (422 naming `user_id`) and a user already on the order
    (409 naming `user_id`, also when two requests add the same user at once)."""
    order = await _order(session, principal, order_id)
    (user,) = await users.require_active_users(
        session, principal.company_id, [body.user_id], field="user_id"
    )
    assignee = await OrderAssigneeRepository(session, principal.company_id).insert(
        order.id, user.id, body.role
    )
    if assignee is None:
        raise Conflict(f"User {user.id} is already assigned to this order.", field="user_id")
    events.record(session, principal, "created", assignee, entity_id=user.id, parent=order)
    return _view(assignee, user.name)


async def update_assignee(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    body: OrderAssigneeUpdate,
    *,
    expected_version: int | None,
) -> Assignee:
    """Change the user's role on the order, under the association's row lock; a stale
    `expected_version` is refused (412)."""
    order = await _order(session, principal, order_id)
    assignee, name = await _assigned(
        OrderAssigneeRepository(session, principal.company_id), order, user_id
    )
    check_version(assignee.version, expected_version)
    before = events.snapshot(assignee)
    changes = body.changes()
    if "role" in changes:
        assignee.role = changes["role"]
    await session.flush()
    events.record(
        session, principal, "updated", assignee, before=before, entity_id=user_id, parent=order
    )
    return _view(assignee, name)


async def remove_assignee(
    session: AsyncSession,
    principal: Principal,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    expected_version: int | None,
) -> None:
    """Take the user off the order (the user stays a user); a stale `expected_version` is
    refused (412)."""
    order = await _order(session, principal, order_id)
    repository = OrderAssigneeRepository(session, principal.company_id)
    assignee, _ = await _assigned(repository, order, user_id)
    check_version(assignee.version, expected_version)
    before = events.snapshot(assignee)
    await repository.delete(assignee)
    await session.flush()
    events.record(
        session,
        principal,
        "deleted",
        assignee,
        before=before,
        deleted=True,
        entity_id=user_id,
        parent=order,
    )
