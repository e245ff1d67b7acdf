"""Positions of field devices and the geofence events they give (seed 002's enter and exit
alerts).

A user's positions are evaluated in `recorded_at` order, whatever order their batches
arrive in: the events of a user are always those that the whole of their stored position
history gives (app.geofence.position.tracking), so a batch posted twice, or batches posted
out of order, end with the same events.

How: each batch stores the positions not stored before (unique per user and time; a
retried batch stores none and changes nothing). From the earliest new position on, the
user's history is evaluated again: the fences the user was in just before it come from the
events before it (the last one of each fence), and the events from it on are replaced by
those the evaluation gives, keeping the ones that are the same (same fence, kind and time,
so their notifications are not sent twice). In the usual case (batches in order) that is
just the new batch; a batch arriving late re-evaluates the positions after it, and may
withdraw events (with their notifications) that its positions show did not happen.

A user's batches run one at a time (their `user_tracking` row, locked FOR UPDATE), so two
concurrent batches each see what the other committed. That row also keeps where the last
evaluated position left the user (the fences they were inside), so a batch that follows in
time reads neither the user's history nor their events.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.errors import Forbidden
from app.geofence import service as geofences
from app.geofence.models import GeofenceEvent
from app.geofence.position.repository import GeofenceEventRepository, TrackingRepository
from app.geofence.position.tracking import Fix, crossings
from app.geofence.schemas import GeofenceEventRead, PositionBatch, PositionsRecorded
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort
from app.notification import service as notifications

NEWEST_FIRST = Sort("-occurred_at", GeofenceEvent.occurred_at, GeofenceEvent.id, descending=True)


def _key(event: Any) -> tuple[uuid.UUID, str, datetime]:
    return (event.geofence_id, event.kind, event.occurred_at)


async def record_positions(
    session: AsyncSession, principal: Principal, body: PositionBatch
) -> PositionsRecorded:
    """Store the caller's positions and turn the crossings they show into events, each
    notifying the fence's users (per its `alert_on`). Refuses an API key (403): positions
    are a signed-in user's own device's. Locks the user's tracking row until commit.
    Candidate fences come from the bounding-box GiST index; containment is then measured
    exactly (geodesic distance for circles, shapely for polygons)."""
    if principal.api_key_id is not None:
        raise Forbidden(
            "Positions are reported by a signed-in user's device (an access token): an API "
            "key acts for its creator, who is not the one moving."
        )
    repository = TrackingRepository(session, principal.company_id, principal.user_id)
    tracking = await repository.lock()
    fixes = [Fix(p.recorded_at, p.latitude, p.longitude, p.accuracy_m) for p in body.positions]
    stored = await repository.store(fixes)
    received = len(body.positions)
    if not stored:
        return PositionsRecorded(
            received=received, stored=0, evaluated_from=None, events=[], events_withdrawn=0
        )
    since = min(stored)
    history = await repository.history(since)
    last = tracking.last_recorded_at
    # Following the last evaluated position in time: where it left the user. Earlier (a
    # late batch): from the events before the window.
    in_order = last is not None and since > last
    inside = set(tracking.inside) if in_order else await repository.inside_before(since)
    near = await repository.near(history)
    fences = {g.id: g for g in await repository.fences(inside.union(*near))}
    shapes = {fence_id: geofences.shape_of(g) for fence_id, g in fences.items()}
    derived, holding = crossings(history, near, shapes, inside)
    tracking.last_recorded_at = history[-1].recorded_at
    tracking.inside = sorted(holding)

    existing = {_key(e): e for e in await repository.events_since(since)}
    wanted = {_key(c): c for c in derived}
    withdrawn = [e.id for key, e in existing.items() if key not in wanted]
    await repository.withdraw(withdrawn)
    added = await repository.add_events(
        [c for key, c in wanted.items() if key not in existing], fences
    )
    await notifications.notify_geofence_events(session, principal.company_id, [e.id for e in added])
    return PositionsRecorded(
        received=received,
        stored=len(stored),
        evaluated_from=since,
        events=[GeofenceEventRead.model_validate(e, from_attributes=True) for e in added],
        events_withdrawn=len(withdrawn),
    )


async def list_events(
    session: AsyncSession,
    principal: Principal,
    *,
    customer_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    geofence_id: uuid.UUID | None,
    occurred_from: datetime | None,
    occurred_to: datetime | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[GeofenceEvent]:
    """The company's geofence events, newest first, filtered by customer, user, fence and
    period (`occurred_from` inclusive, `occurred_to` exclusive)."""
    repository = GeofenceEventRepository(session, principal.company_id)
    stmt = repository.filtered(
        customer_id=customer_id,
        user_id=user_id,
        geofence_id=geofence_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    return await repository.page(stmt, sort=NEWEST_FIRST, params=params, codec=codec)
