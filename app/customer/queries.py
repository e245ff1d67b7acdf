"""What is derived about customers, computed in one place: balance, is_lead, name keys.

Until orders exist (issue 4), every customer is a lead and owes nothing. When they do,
`is_lead_clause` becomes NOT EXISTS(order) and `derived_values` aggregates the page's
orders in one query, so lists stay free of N+1 queries.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession

_PUNCTUATION = re.compile(r"[^\w\s]+")


def name_key(name: str) -> str:
    """The name as duplicate detection compares it: case, spacing and punctuation ignored."""
    return " ".join(_PUNCTUATION.sub("", name.casefold()).split())


@dataclass(frozen=True)
class Derived:
    balance: int = 0
    is_lead: bool = True


def is_lead_clause() -> ColumnElement[bool]:
    """WHERE-clause form of `is_lead` for list filters."""
    return true()


async def derived_values(
    session: AsyncSession, company_id: uuid.UUID, customer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Derived]:
    """Balance and lead status of many customers, in at most one query."""
    del session, company_id  # no orders yet: nothing to aggregate
    return {customer_id: Derived() for customer_id in customer_ids}
