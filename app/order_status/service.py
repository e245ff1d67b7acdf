"""Order statuses: the company's order pipeline (seed 000), in an order it chooses. Each
status has a stage and a `counts_as_sold` flag for the sold ratio; exactly one is the
default for new orders. Every write takes the company's status lock first (see
OrderStatusRepository.lock_all), so the one-default rule and unique names hold under
concurrency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import Conflict, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.order_status.models import OrderStatus
from app.order_status.repository import OrderStatusRepository
from app.order_status.schemas import MAX_STATUSES, OrderStatusCreate, OrderStatusUpdate

SORT = Sort("position", OrderStatus.position, OrderStatus.id)
DUPLICATE = "An order status with this name already exists (names are unique ignoring case)."


@dataclass(frozen=True)
class _Preset:
    name: str
    color: str
    stage: str
    counts_as_sold: bool = False
    is_default: bool = False


# A new company's pipeline: enquiry, estimate, won, finished, or lost.
DEFAULTS = (
    _Preset("New", "#607D8B", "quote", is_default=True),
    _Preset("Quoted", "#2196F3", "quote"),
    _Preset("Sold", "#4CAF50", "open", counts_as_sold=True),
    _Preset("Installed", "#009688", "done", counts_as_sold=True),
    _Preset("Lost", "#F44336", "lost"),
)


async def create_defaults(
    session: AsyncSession, company_id: uuid.UUID, *, actor: Principal | None = None
) -> None:
    """Give a new company the default pipeline (New is the default). Audited when an
    `actor` is given (signup passes the company's first admin)."""
    repository = OrderStatusRepository(session, company_id)
    statuses = [
        repository.add(
            OrderStatus(
                name=preset.name,
                color=preset.color,
                position=position,
                stage=preset.stage,
                counts_as_sold=preset.counts_as_sold,
                is_default=preset.is_default,
            )
        )
        for position, preset in enumerate(DEFAULTS)
    ]
    await session.flush()
    if actor is not None:
        for status in statuses:
            events.record(session, actor, "created", status)


async def default_status(session: AsyncSession, company_id: uuid.UUID) -> OrderStatus:
    """The status new orders get; 422 naming `status_id` if the company has none (it
    always should: signup creates one and it cannot be unset or deleted)."""
    status = await OrderStatusRepository(session, company_id).default()
    if status is None:
        raise ValidationFailed.field(
            "status_id", "the company has no default order status; name one explicitly"
        )
    return status


async def require_status(
    session: AsyncSession, company_id: uuid.UUID, status_id: uuid.UUID
) -> OrderStatus:
    """The company's status with this id; 422 naming `status_id` when there is none (another
    company's id included), because it is a reference in the caller's body, not the path."""
    status = await OrderStatusRepository(session, company_id).get(status_id)
    if status is None:
        raise ValidationFailed.field("status_id", f"unknown order status {status_id}")
    return status


async def all_statuses(session: AsyncSession, company_id: uuid.UUID) -> list[OrderStatus]:
    """Every status of the company, by position (what an order's view needs to know)."""
    return await OrderStatusRepository(session, company_id).all_ordered()


async def list_statuses(
    session: AsyncSession, principal: Principal, *, params: PageParams, codec: CursorCodec
) -> PageResult[OrderStatus]:
    """The company's statuses by position."""
    repository = OrderStatusRepository(session, principal.company_id)
    return await repository.page(repository.select(), sort=SORT, params=params, codec=codec)


async def get_status(
    session: AsyncSession, principal: Principal, status_id: uuid.UUID
) -> OrderStatus:
    return await OrderStatusRepository(session, principal.company_id).get_or_404(status_id)


async def _take_default(
    session: AsyncSession, principal: Principal, repository: OrderStatusRepository, new: OrderStatus
) -> None:
    """Take the default mark off the current default (audited); the caller then sets it on
    `new`. The company's status lock is held, so no other writer moves it meanwhile."""
    previous = await repository.default(for_update=True)
    if previous is None or previous.id == new.id:
        return
    before = events.snapshot(previous)
    previous.is_default = False
    # Flushed on its own: the partial unique index allows one default at any moment.
    await session.flush()
    events.record(session, principal, "updated", previous, before=before)


async def create_status(
    session: AsyncSession, principal: Principal, body: OrderStatusCreate
) -> OrderStatus:
    """Add a status at the end of the list. A taken name (ignoring case) is a 409 naming
    `name`; `is_default` takes the default mark off the previous default."""
    repository = OrderStatusRepository(session, principal.company_id)
    await repository.lock_all()
    if await repository.name_taken(body.name):
        raise Conflict(DUPLICATE, field="name")
    if await repository.count() >= MAX_STATUSES:
        raise Conflict(f"A company has at most {MAX_STATUSES} order statuses.")
    status = OrderStatus(
        name=body.name,
        color=body.color,
        position=await repository.next_position(),
        stage=body.stage,
        counts_as_sold=body.counts_as_sold,
        is_default=False,
    )
    repository.add(status)
    await session.flush()
    if body.is_default:
        await _take_default(session, principal, repository, status)
        status.is_default = True
        await session.flush()
    events.record(session, principal, "created", status)
    return status


async def update_status(
    session: AsyncSession,
    principal: Principal,
    status_id: uuid.UUID,
    body: OrderStatusUpdate,
    *,
    expected_version: int | None,
) -> OrderStatus:
    """Change a status (locked; 412 on a stale If-Match; 409 naming `name` on a taken name).
    `is_default: true` moves the default mark here; `false` on the default is a 422, since
    there must always be a default."""
    repository = OrderStatusRepository(session, principal.company_id)
    await repository.lock_all()
    status = await repository.get_or_404(status_id, for_update=True)
    check_version(status.version, expected_version)
    before = events.snapshot(status)
    changes = body.changes()
    if "name" in changes and await repository.name_taken(changes["name"], except_id=status.id):
        raise Conflict(DUPLICATE, field="name")
    if changes.get("is_default") is False and status.is_default:
        raise ValidationFailed.field(
            "is_default",
            "there must always be a default status: make another status the default instead",
        )
    for name in ("name", "color", "stage", "counts_as_sold"):
        if name in changes:
            setattr(status, name, changes[name])
    if changes.get("is_default") and not status.is_default:
        await _take_default(session, principal, repository, status)
        status.is_default = True
    await session.flush()
    events.record(session, principal, "updated", status, before=before)
    return status


async def reorder_statuses(
    session: AsyncSession, principal: Principal, ids: list[uuid.UUID]
) -> list[OrderStatus]:
    """Put the statuses in the order of `ids`, which must name every status of the company
    exactly once (else 422 naming `ids`). Each status that moves is audited."""
    repository = OrderStatusRepository(session, principal.company_id)
    await repository.lock_all()
    statuses = {s.id: s for s in await repository.all_ordered(for_update=True)}
    duplicates = sorted({str(i) for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValidationFailed.field("ids", f"named more than once: {', '.join(duplicates)}")
    unknown = [str(i) for i in ids if i not in statuses]
    if unknown:
        raise ValidationFailed.field("ids", f"unknown order status(es): {', '.join(unknown)}")
    missing = [str(i) for i in statuses if i not in set(ids)]
    if missing:
        raise ValidationFailed.field(
            "ids", f"must name every status of the company; missing: {', '.join(missing)}"
        )
    moved = []
    for position, status_id in enumerate(ids):
        status = statuses[status_id]
        if status.position != position:
            moved.append((status, events.snapshot(status)))
            status.position = position
    await session.flush()
    for status, before in moved:
        events.record(session, principal, "updated", status, before=before)
    return [statuses[i] for i in ids]


async def delete_status(
    session: AsyncSession,
    principal: Principal,
    status_id: uuid.UUID,
    *,
    move_to: uuid.UUID | None,
    expected_version: int | None,
) -> None:
    """Delete a status. The default status is a 409 (make another one the default first).
    A status that orders use is a 409 saying how many, unless `move_to` names another
    status of the company: then those orders move there first (422 naming `move_to` when it
    is not one). The status row is locked, so an order created in it meanwhile either
    waits and is counted, or fails on its foreign key."""
    repository = OrderStatusRepository(session, principal.company_id)
    await repository.lock_all()
    status = await repository.get_or_404(status_id, for_update=True)
    check_version(status.version, expected_version)
    if status.is_default:
        raise Conflict(
            "This is the default status for new orders: make another status the default "
            "before deleting it."
        )
    target: OrderStatus | None = None
    if move_to is not None:
        target = await repository.get(move_to)
        if target is None or target.id == status.id:
            raise ValidationFailed.field(
                "move_to", "must name another order status of the company", "query"
            )
    in_use = await repository.orders_using(status.id)
    if in_use and target is None:
        raise Conflict(
            f"{in_use} order(s) have this status: pass `move_to` with another status's id "
            "to move them there and delete it.",
            orders_count=in_use,
        )
    before = events.snapshot(status)
    if target is not None and in_use:
        # Kept with the deletion's event: where this status's orders went.
        before["orders_moved_to"] = str(target.id)
        before["orders_moved"] = await repository.move_orders(status.id, target.id)
    await repository.delete(status)
    await session.flush()
    events.record(session, principal, "deleted", status, before=before, deleted=True)
