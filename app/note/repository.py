from __future__ import annotations

import uuid

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.repository import TenantRepository
from app.note.models import Note


class NoteRepository(TenantRepository[Note]):
    """The notes of one customer: company and customer are fixed when it is built, so a
    note id under another customer is as missing as one of another company."""

    model = Note
    label = "Note"

    def __init__(
        self, session: AsyncSession, company_id: uuid.UUID, customer_id: uuid.UUID
    ) -> None:
        super().__init__(session, company_id)
        self.customer_id = customer_id

    def select(self) -> Select[tuple[Note]]:
        return super().select().where(Note.customer_id == self.customer_id)

    def add(self, entity: Note) -> Note:
        entity.customer_id = self.customer_id
        return super().add(entity)
