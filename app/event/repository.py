from __future__ import annotations

from app.event.models import Event
from app.kit.repository import TenantRepository


class EventRepository(TenantRepository[Event]):
    model = Event
    label = "Event"
