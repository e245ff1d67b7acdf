from __future__ import annotations

from app.customer.equipment.models import Equipment
from app.kit.repository import ChildRepository, TenantRepository


class EquipmentRepository(ChildRepository[Equipment]):
    """The equipment of one customer: an id under another customer is as missing as one of
    another company."""

    model = Equipment
    label = "Equipment"
    parent_key = "customer_id"


class CompanyEquipmentRepository(TenantRepository[Equipment]):
    """Any of the company's equipment, for a record that names a piece by id."""

    model = Equipment
    label = "Equipment"
