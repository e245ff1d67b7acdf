from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.customer.attachment.models import Attachment
from app.kit.repository import ChildRepository
from app.storage.files import BlobSpace

# The blobs attachments reference (app/storage/files.py), apart from order files'.
BLOBS = BlobSpace(
    "attachment", company_id=Attachment.company_id, sha256=Attachment.sha256, prefix="attachment"
)


class AttachmentRepository(ChildRepository[Attachment]):
    """The attachments of one customer; for a caller who sees only what field staff see
    (`office=False`), its field-visible ones only, so that any other is as missing as one of
    another company, in lists and by id alike."""

    model = Attachment
    label = "Attachment"
    parent_key = "customer_id"

    def __init__(
        self,
        session: AsyncSession,
        company_id: uuid.UUID,
        customer_id: uuid.UUID,
        *,
        office: bool = True,
    ) -> None:
        super().__init__(session, company_id, customer_id)
        self.office = office

    def select(self) -> Select[tuple[Attachment]]:
        stmt = super().select()
        if not self.office:
            stmt = stmt.where(Attachment.visible_to_field)
        return stmt


async def shas_of_customer(
    session: AsyncSession, company_id: uuid.UUID, customer_id: uuid.UUID
) -> list[str]:
    """The blobs the customer's attachments reference (all of them, whoever asks)."""
    rows = await session.scalars(
        select(Attachment.sha256)
        .where(Attachment.company_id == company_id, Attachment.customer_id == customer_id)
        .distinct()
    )
    return sorted(rows)
