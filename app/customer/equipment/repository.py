from __future__ import annotations

from app.customer.equipment.models import Equipment
from app.kit.repository import ChildRepository


class EquipmentRepository(ChildRepository[Equipment]):
    """The equipment of one customer: an id under another customer is as missing as one of
    another company."""

    model = Equipment
    label = "Equipment"
    parent_key = "customer_id"
