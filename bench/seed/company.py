"""What the seed steps look up about a company that the API created."""

from __future__ import annotations

import uuid

import asyncpg


async def first_admin(connection: asyncpg.Connection, company_id: uuid.UUID) -> asyncpg.Record:
    """(id, email) of the company's first active admin: the one who signed it up."""
    found = await connection.fetchrow(
        'SELECT id, email FROM "user" WHERE company_id = $1 AND is_admin AND is_active '
        "ORDER BY created_at LIMIT 1",
        company_id,
    )
    if found is None:
        raise RuntimeError(f"company {company_id} has no active admin")
    return found


async def default_status(connection: asyncpg.Connection, company_id: uuid.UUID) -> uuid.UUID:
    """The order status new orders get."""
    found: uuid.UUID | None = await connection.fetchval(
        "SELECT id FROM order_status WHERE company_id = $1 AND is_default", company_id
    )
    if found is None:
        raise RuntimeError("the company has no default order status")
    return found


async def order_defaults(
    connection: asyncpg.Connection, company_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    """(status, created_by) of an order seeded for the company: its default status, and its
    first admin as the author."""
    status_id = await default_status(connection, company_id)
    admin = await first_admin(connection, company_id)
    return status_id, admin["id"]


async def reserve_order_numbers(
    connection: asyncpg.Connection, company_id: uuid.UUID, count: int
) -> int:
    """Take the next `count` order numbers as the API does, under the counter row's lock
    (held until the caller's transaction ends). Returns the last number taken before them."""
    last: int = await connection.fetchval(
        "SELECT value FROM counter WHERE company_id = $1 AND name = 'order' FOR UPDATE",
        company_id,
    )
    await connection.execute(
        "UPDATE counter SET value = $2 WHERE company_id = $1 AND name = 'order'",
        company_id,
        last + count,
    )
    return last
