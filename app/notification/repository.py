from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    Select,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.company.models import Company
from app.customer.equipment.models import Equipment
from app.customer.models import Customer
from app.customer.reminder.models import CustomerReminder
from app.geofence.models import Geofence, GeofenceEvent, GeofenceUser
from app.kit.repository import ChildRepository
from app.notification.models import Notification
from app.notification.schemas import BatchResult, LocalDates
from app.order.assignee.models import OrderAssignee
from app.order.models import Order
from app.user.models import User

_INSERTED_COLUMNS = ["id", "company_id", "user_id", "kind", "due_on", "message"]


class NotificationRepository(ChildRepository[Notification]):
    """One user's notifications: another user's id is as missing as another company's."""

    model = Notification
    label = "Notification"
    parent_key = "user_id"

    def select_rows(self) -> Select[*tuple[Any, ...]]:
        """The user's notifications, each with what it is about: the order (number, title),
        the customer reminder, the equipment or the geofence event, and the customer (an
        order's may have none)."""
        customer_id = func.coalesce(
            CustomerReminder.customer_id,
            Equipment.customer_id,
            Order.customer_id,
            GeofenceEvent.customer_id,
        )
        stmt: Select[*tuple[Any, ...]] = (
            select(
                Notification,
                Order.number.label("order_number"),
                Order.title.label("order_title"),
                customer_id.label("customer_id"),
                func.coalesce(Customer.name, Order.customer_name).label("customer_name"),
            )
            .outerjoin(
                Order,
                and_(
                    Order.company_id == Notification.company_id, Order.id == Notification.order_id
                ),
            )
            .outerjoin(
                CustomerReminder,
                and_(
                    CustomerReminder.company_id == Notification.company_id,
                    CustomerReminder.id == Notification.customer_reminder_id,
                ),
            )
            .outerjoin(
                Equipment,
                and_(
                    Equipment.company_id == Notification.company_id,
                    Equipment.id == Notification.equipment_id,
                ),
            )
            .outerjoin(
                GeofenceEvent,
                and_(
                    GeofenceEvent.company_id == Notification.company_id,
                    GeofenceEvent.id == Notification.geofence_event_id,
                ),
            )
            .outerjoin(
                Customer,
                and_(Customer.company_id == Notification.company_id, Customer.id == customer_id),
            )
            .where(
                Notification.company_id == self.company_id,
                Notification.user_id == self.parent_id,
            )
        )
        return stmt

    async def get_row(self, notification_id: uuid.UUID) -> Any | None:
        result = await self.session.execute(
            self.select_rows().where(Notification.id == notification_id)
        )
        return result.first()

    async def mark_read(self, notification_id: uuid.UUID) -> bool:
        """Set `read_at` unless it is set (the first read stays); False when the user has no
        such notification."""
        found = await self.session.scalar(
            update(Notification)
            .where(
                Notification.company_id == self.company_id,
                Notification.user_id == self.parent_id,
                Notification.id == notification_id,
            )
            .values(read_at=func.coalesce(Notification.read_at, func.now()))
            .returning(Notification.id)
        )
        return found is not None

    async def mark_all_read(self) -> int:
        result: Any = await self.session.execute(
            update(Notification)
            .where(
                Notification.company_id == self.company_id,
                Notification.user_id == self.parent_id,
                Notification.read_at.is_(None),
            )
            .values(read_at=func.now())
        )
        return int(result.rowcount or 0)


# --- The reminder scan: across companies, every join on company_id --------------------------


def _uuid7() -> ColumnElement[uuid.UUID]:
    """A UUIDv7 made by PostgreSQL (15 has no uuidv7()): the Unix time in milliseconds over
    gen_random_uuid()'s first 48 bits, the version nibble set to 7 (a v4's variant bits are
    a v7's), so that ids stay time-ordered like app.kit.models.new_id's."""
    millis = cast(func.floor(func.extract("epoch", func.clock_timestamp()) * 1000), BigInteger)
    stamped = func.overlay(
        func.uuid_send(func.gen_random_uuid()), func.substring(func.int8send(millis), 3), 1, 6
    )
    return cast(func.encode(func.set_bit(func.set_bit(stamped, 52, 1), 53, 1), "hex"), Uuid)


def _company_today(dates: LocalDates) -> tuple[Any, ColumnElement[date]]:
    """The table of zones and their dates, and "today" of the company joined to it."""
    zone = (
        func.unnest(
            cast(literal(list(dates.zones)), ARRAY(String)),
            cast(literal(list(dates.todays)), ARRAY(Date)),
        )
        .table_valued("name", "today")
        .render_derived(name="zone")
    )
    return zone, func.coalesce(zone.c.today, dates.utc_today)


def order_batch(dates: LocalDates, limit: int) -> Select[Any]:
    """One batch of order reminders: up to `limit` orders whose reminder date has come in
    their company's timezone and was not notified yet, row-locked (rows another scan holds
    are skipped); a notification for each active assignee (the unique index drops one that
    exists); the orders marked notified for that date. One statement, one snapshot."""
    zone, today = _company_today(dates)
    due = (
        select(Order.company_id, Order.id, Order.number, Order.title, Order.reminder_on)
        .join(Company, Company.id == Order.company_id)
        .outerjoin(zone, zone.c.name == Company.timezone)
        .where(
            # The partial index ix_orders_reminder_pending, ranged by the latest "today".
            Order.reminder_on.is_not(None),
            Order.reminder_notified_on.is_distinct_from(Order.reminder_on),
            Order.reminder_on <= dates.latest,
            Order.reminder_on <= today,
        )
        .order_by(Order.reminder_on)
        .limit(limit)
        .with_for_update(of=Order, skip_locked=True)
        .cte("due")
    )
    assignees = (
        select(
            _uuid7(),
            due.c.company_id,
            OrderAssignee.user_id,
            literal("order_reminder"),
            due.c.reminder_on,
            func.concat("Order #", due.c.number, ": ", due.c.title),
            due.c.id,
        )
        .select_from(due)
        .join(
            OrderAssignee,
            and_(OrderAssignee.company_id == due.c.company_id, OrderAssignee.order_id == due.c.id),
        )
        .join(
            User,
            and_(User.company_id == OrderAssignee.company_id, User.id == OrderAssignee.user_id),
        )
        .where(User.is_active)
    )
    notified = _insert("order_id", assignees).returning(Notification.id).cte("notified")
    marked = (
        update(Order)
        .where(Order.company_id == due.c.company_id, Order.id == due.c.id)
        # Not a change of the order (no new version): keep updated_at as it is.
        .values(reminder_notified_on=due.c.reminder_on, updated_at=Order.updated_at)
        .returning(Order.id)
        .cte("marked")
    )
    return _counts(marked, notified)


def customer_reminder_batch(dates: LocalDates, limit: int) -> Select[Any]:
    """One batch of customer reminders, as `order_batch`: due in the company's timezone and
    not notified, locked, a notification for the assigned user if still active, the
    reminder marked notified (a new row version: its `notified_at` is part of what it
    shows)."""
    zone, today = _company_today(dates)
    due = (
        select(
            CustomerReminder.company_id,
            CustomerReminder.id,
            CustomerReminder.assigned_user_id,
            CustomerReminder.due_on,
            CustomerReminder.message,
        )
        .join(Company, Company.id == CustomerReminder.company_id)
        .outerjoin(zone, zone.c.name == Company.timezone)
        .where(
            # The partial index ix_customer_reminder_pending.
            CustomerReminder.notified_at.is_(None),
            CustomerReminder.due_on <= dates.latest,
            CustomerReminder.due_on <= today,
        )
        .order_by(CustomerReminder.due_on)
        .limit(limit)
        .with_for_update(of=CustomerReminder, skip_locked=True)
        .cte("due")
    )
    users = (
        select(
            _uuid7(),
            due.c.company_id,
            due.c.assigned_user_id,
            literal("customer_reminder"),
            due.c.due_on,
            due.c.message,
            due.c.id,
        )
        .select_from(due)
        .join(User, and_(User.company_id == due.c.company_id, User.id == due.c.assigned_user_id))
        .where(User.is_active)
    )
    notified = _insert("customer_reminder_id", users).returning(Notification.id).cte("notified")
    marked = (
        update(CustomerReminder)
        .where(CustomerReminder.company_id == due.c.company_id, CustomerReminder.id == due.c.id)
        .values(notified_at=func.now(), version=CustomerReminder.version + 1)
        .returning(CustomerReminder.id)
        .cte("marked")
    )
    return _counts(marked, notified)


def warranty_batch(dates: LocalDates, limit: int) -> Select[Any]:
    """One batch of equipment warranties, as `order_batch`: up to `limit` whose reminder day
    (the expiry less the company's reminder days) has come in the company's timezone and
    whose expiry was not notified yet, locked; a notification for each of the company's
    warranty recipients still active (none of them: its active admins), unless the
    warranty expired before today (equipment recorded late: nothing left to act on); the
    equipment marked notified for that expiry date."""
    zone, today = _company_today(dates)
    due = (
        select(
            Equipment.company_id,
            Equipment.id,
            Equipment.type,
            Equipment.manufacturer,
            Equipment.model,
            Equipment.serial_number,
            Equipment.warranty_expires_on,
            Company.warranty_expiry_recipient_ids.label("recipients"),
            today.label("today"),
        )
        .join(Company, Company.id == Equipment.company_id)
        .outerjoin(zone, zone.c.name == Company.timezone)
        .where(
            # The partial index ix_equipment_warranty_pending, ranged by the latest "today".
            Equipment.warranty_remind_on.is_not(None),
            Equipment.warranty_notified_for.is_distinct_from(Equipment.warranty_expires_on),
            Equipment.warranty_remind_on <= dates.latest,
            Equipment.warranty_remind_on <= today,
        )
        .order_by(Equipment.warranty_remind_on)
        .limit(limit)
        .with_for_update(of=Equipment, skip_locked=True)
        .cte("due")
    )
    named = aliased(User)
    any_named = exists().where(
        named.company_id == due.c.company_id,
        named.id == any_(due.c.recipients),
        named.is_active,
    )
    serial = literal(" (serial ") + due.c.serial_number + literal(")")
    message = func.concat_ws(
        "",
        "Warranty expires on ",
        func.to_char(due.c.warranty_expires_on, "YYYY-MM-DD"),
        ": ",
        func.concat_ws(" ", due.c.type, due.c.manufacturer, due.c.model),
        serial,
    )
    users = (
        select(
            _uuid7(),
            due.c.company_id,
            User.id,
            literal("warranty_expiry"),
            due.c.warranty_expires_on,
            message,
            due.c.id,
        )
        .select_from(due)
        .join(User, User.company_id == due.c.company_id)
        .where(
            User.is_active,
            due.c.warranty_expires_on >= due.c.today,
            or_(User.id == any_(due.c.recipients), and_(User.is_admin, ~any_named)),
        )
    )
    notified = _insert("equipment_id", users).returning(Notification.id).cte("notified")
    marked = (
        update(Equipment)
        .where(Equipment.company_id == due.c.company_id, Equipment.id == due.c.id)
        # Not a change of the equipment as shown (no new version, same updated_at).
        .values(warranty_notified_for=due.c.warranty_expires_on, updated_at=Equipment.updated_at)
        .returning(Equipment.id)
        .cte("marked")
    )
    return _counts(marked, notified)


def _insert(subject: str, rows: Select[*tuple[Any, ...]]) -> Insert:
    """A notification for each of `rows` (`_INSERTED_COLUMNS` and then the `subject`
    column), except those already there: the partial unique indexes of each subject decide,
    also when two scans or two batches run at once."""
    return (
        pg_insert(Notification)
        .from_select([*_INSERTED_COLUMNS, subject], rows)
        .on_conflict_do_nothing()
    )


def _counts(marked: Any, notified: Any) -> Select[Any]:
    return select(
        select(func.count()).select_from(marked).scalar_subquery().label("reminders"),
        select(func.count()).select_from(notified).scalar_subquery().label("notifications"),
    )


async def run_batch(session: AsyncSession, statement: Select[Any]) -> BatchResult:
    row = (await session.execute(statement)).one()
    return BatchResult(reminders=int(row.reminders), notifications=int(row.notifications))


def geofence_event_batch(company_id: uuid.UUID, event_ids: list[uuid.UUID]) -> Any:
    """A notification of each of these geofence events for each active user its fence
    notifies, when the fence alerts on that kind of crossing (`alert_on`); one per event and
    user (the unique index drops a repeat). "Ann Field entered Warehouse gate (Acme)"."""
    mover = User.__table__.alias("mover")
    rows = (
        select(
            _uuid7(),
            GeofenceEvent.company_id,
            GeofenceUser.user_id,
            literal("geofence_event"),
            cast(func.timezone("UTC", GeofenceEvent.occurred_at), Date),
            func.concat(
                mover.c.name,
                case((GeofenceEvent.kind == "enter", " entered "), else_=" left "),
                Geofence.name,
                " (",
                Customer.name,
                ")",
            ),
            GeofenceEvent.id,
        )
        .join(
            Geofence,
            and_(
                Geofence.company_id == GeofenceEvent.company_id,
                Geofence.id == GeofenceEvent.geofence_id,
            ),
        )
        .join(
            GeofenceUser,
            and_(
                GeofenceUser.company_id == Geofence.company_id,
                GeofenceUser.geofence_id == Geofence.id,
            ),
        )
        .join(
            User, and_(User.company_id == GeofenceUser.company_id, User.id == GeofenceUser.user_id)
        )
        .join(
            mover,
            and_(
                mover.c.company_id == GeofenceEvent.company_id, mover.c.id == GeofenceEvent.user_id
            ),
        )
        .join(
            Customer,
            and_(
                Customer.company_id == GeofenceEvent.company_id,
                Customer.id == GeofenceEvent.customer_id,
            ),
        )
        .where(
            GeofenceEvent.company_id == company_id,
            GeofenceEvent.id == any_(bindparam("event_ids", event_ids, type_=ARRAY(Uuid()))),
            User.is_active,
            (Geofence.alert_on == "both") | (Geofence.alert_on == GeofenceEvent.kind),
        )
    )
    return _insert("geofence_event_id", rows)
