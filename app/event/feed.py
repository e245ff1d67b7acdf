"""The change feed (`events_feed`): every event of the company exactly once, in the order
their transactions became visible, for an integration that syncs by polling.

Why ordering by id (or time) would lose events: ids are taken when a row is written, not
when its transaction commits. A transaction that wrote event A, then waits, commits after
one that wrote B later; a reader polling in between sees B, moves its cursor past B, and
never sees A.

What the feed does instead. Every event records its top-level transaction's id (`txid`,
`xid8`, assigned by PostgreSQL when the transaction first writes; 64-bit, so it never
wraps). The feed serves only events below a horizon: the oldest transaction that was still
running when the reading statement took its snapshot. Every transaction below the horizon
had committed (its events are in the snapshot) or rolled back (it left none) by then, so
no event below the horizon can appear later. Events are served in (txid, id) order and the
cursor is the last (txid, id) served: whatever is served next lies after it, and nothing
can be added before it. So a reader sees each event once and never skips one, however
commits interleave. The cost: an event waits for every older transaction of this database
to end (a long transaction delays the feed; it never loses from it).

The horizon is `pg_snapshot_xmin` of the snapshot, except that a running transaction known
to belong to another database of the server is passed over: it cannot write to this
database's event table. (It is known by its `backend_xid` in `pg_stat_activity`; one
whose database cannot be told, say because it ended meanwhile or its session is hidden
from us, still holds the horizon back: unknown is treated as ours.) Without this, every
transaction of every database on a shared server would hold the feed back. Events from
before the feed existed have txid 1 and come first.

A caller without `customers:office` does not get the events of office-only records (as
in the audit log). Deletions are in the feed as tombstones: the `*.deleted` event, with
the record's last state in `before` and `after` null.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, literal, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.event import service as events
from app.event.models import XID8, Event
from app.kit.pagination import CursorCodec

CURSOR_SORT = "feed"
# The oldest transaction running at the statement's snapshot, other databases' aside (see
# above); with none, the snapshot's xmax (every transaction id below it has ended).
HORIZON = literal_column(
    """coalesce(
        (SELECT min(running) FROM pg_snapshot_xip(pg_current_snapshot()) AS running
         WHERE NOT EXISTS (
             SELECT FROM pg_stat_activity AS session
             WHERE session.backend_xid = running::xid
               AND session.datid <> (SELECT oid FROM pg_database
                                     WHERE datname = current_database()))),
        pg_snapshot_xmax(pg_current_snapshot()))""",
    type_=XID8(),
)
# Before every event: where a reader without a cursor starts.
ORIGIN_TXID = 0
ORIGIN_ID = uuid.UUID(int=0)


@dataclass(frozen=True)
class FeedPage:
    # Each event, and whether it is a tombstone (a deletion).
    events: list[tuple[Event, bool]]
    # Where to continue from: after the last event served, or `after` itself when none was.
    next_cursor: str
    has_more: bool


async def read(
    session: AsyncSession,
    principal: Principal,
    *,
    after: str | None,
    types: list[str] | None,
    limit: int,
    codec: CursorCodec,
) -> FeedPage:
    position: list[Any] = [ORIGIN_TXID, ORIGIN_ID]
    if after is not None:
        position = codec.decode(after, principal.company_id, CURSOR_SORT, field="after")
    # A txid goes through text: the driver has no codec for xid8.
    txid = cast(cast(literal(str(position[0])), String), XID8())
    stmt = (
        select(Event, cast(Event.txid, String))
        .where(
            Event.company_id == principal.company_id,
            Event.txid < HORIZON,
            tuple_(Event.txid, Event.id) > tuple_(txid, position[1]),
        )
        .order_by(Event.txid, Event.id)
        .limit(limit + 1)
    )
    if types:
        stmt = stmt.where(Event.type.in_(types))
    stmt = events.visible(stmt, principal)
    rows = (await session.execute(stmt)).all()
    served = rows[:limit]
    if served:
        last, last_txid = served[-1]
        position = [int(last_txid), last.id]
    return FeedPage(
        events=[(event, event.type.endswith(".deleted")) for event, _ in served],
        next_cursor=codec.encode(principal.company_id, CURSOR_SORT, position),
        has_more=len(rows) > limit,
    )
