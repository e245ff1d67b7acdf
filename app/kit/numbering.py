"""Per-company sequential numbers (customer 1, 2, 3 …), safe under concurrency.

One counter row per (company, sequence). The upsert increments it and holds its row lock
until the transaction ends, so two concurrent allocations queue instead of colliding, and
a rolled-back request gives its number back: numbers stay dense.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base


class Counter(Base):
    __tablename__ = "counter"

    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


async def next_number(session: AsyncSession, company_id: uuid.UUID, sequence: str) -> int:
    stmt = (
        insert(Counter)
        .values(company_id=company_id, name=sequence, value=1)
        .on_conflict_do_update(
            index_elements=[Counter.company_id, Counter.name],
            set_={"value": Counter.value + 1},
        )
        .returning(Counter.value)
    )
    value: int = (await session.execute(stmt)).scalar_one()
    return value
