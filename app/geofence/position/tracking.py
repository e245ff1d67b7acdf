"""Crossings from a user's positions, in time order: the state machine of who is inside
which fence, with the anti-jitter rules. Pure: no database, so the same positions always
give the same crossings, whatever order they arrived in."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.geofence.geometry import Shape

# However accurate the device claims to be, a point has to be this far outside a fence it
# was in before that counts as leaving it.
JITTER_FLOOR_M = 25.0


@dataclass(frozen=True)
class Fix:
    recorded_at: datetime
    latitude: float
    longitude: float
    accuracy_m: float


@dataclass(frozen=True)
class Crossing:
    geofence_id: uuid.UUID
    kind: str  # enter | exit
    occurred_at: datetime

    @property
    def key(self) -> tuple[uuid.UUID, str, datetime]:
        return (self.geofence_id, self.kind, self.occurred_at)


def crossings(
    fixes: Sequence[Fix],
    near: Sequence[Collection[uuid.UUID]],
    shapes: Mapping[uuid.UUID, Shape],
    inside: Collection[uuid.UUID],
) -> tuple[list[Crossing], set[uuid.UUID]]:
    """The crossings of `fixes` (in `recorded_at` order; `near[i]` the fences whose bounding
    box holds fix i), starting inside the fences `inside`. For each fix, each fence near it
    or holding the user:
    - a fix less accurate than the fence is wide (`accuracy_m > width_m`) says nothing about it;
    - outside it, a fix inside it (at or within its edge) enters it;
    - inside it, a fix outside by more than max(accuracy_m, 25 m) exits it; closer than
      that, the user may well still be in it (GPS jitter at the edge), and stays.
    A fence no longer in `shapes` (deleted) is left without an event. Also returns the
    fences the user is inside after the last fix."""
    holding = set(inside)
    found: list[Crossing] = []
    for fix, candidates in zip(fixes, near, strict=True):
        for fence_id in sorted(holding.union(candidates)):
            shape = shapes.get(fence_id)
            if shape is None:
                holding.discard(fence_id)
                continue
            if fix.accuracy_m > shape.width_m:
                continue
            distance = shape.signed_distance_m(fix.latitude, fix.longitude)
            if fence_id in holding:
                if distance > max(fix.accuracy_m, JITTER_FLOOR_M):
                    holding.discard(fence_id)
                    found.append(Crossing(fence_id, "exit", fix.recorded_at))
            elif distance <= 0:
                holding.add(fence_id)
                found.append(Crossing(fence_id, "enter", fix.recorded_at))
    return found, holding
