from __future__ import annotations

from sqlalchemy import func, select

from app.kit.repository import ChildRepository
from app.order.checklist.models import ChecklistItem


class ChecklistItemRepository(ChildRepository[ChecklistItem]):
    """The installer checklist of one order."""

    model = ChecklistItem
    label = "Checklist item"
    parent_key = "order_id"

    async def next_position(self) -> int:
        """One past the last item's position (1 for the first item). Serialised per order
        until the transaction ends, so two items added at once get distinct positions."""
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"checklist:{self.parent_id}")))
        )
        last = await self.session.scalar(
            select(func.max(ChecklistItem.position)).where(
                ChecklistItem.company_id == self.company_id,
                ChecklistItem.order_id == self.parent_id,
            )
        )
        return (last or 0) + 1
