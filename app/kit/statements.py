"""Read statements built and compiled once, bound per request, run on asyncpg itself.

On the hot read paths, building a SQLAlchemy statement, finding its compiled form and
turning asyncpg's records into SQLAlchemy rows cost more than PostgreSQL's answer (bench/
profile of the customer list). A `Prepared` statement is written with SQLAlchemy as any
other (so it is checked against the models), with named `bindparam`s for what varies, and
compiled once; a request only binds values and runs the SQL through the session's own
asyncpg connection, where asyncpg's statement cache keeps it prepared.

The tenant stays the repository's: a prepared statement names `:company_id`, and
`TenantRepository.fetch` (app/kit/repository.py) always binds it to the repository's
company, after the caller's values, so no caller can leave it out or change it. A missing
value is a KeyError, never a silently unbound parameter.

Only for reads outside a transaction's business (GET routes, whose sessions autocommit):
the statement bypasses SQLAlchemy's connection wrapper, hence its lazy BEGIN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Prepared:
    sql: str
    names: tuple[str, ...]
    processors: Mapping[str, Callable[[Any], Any]]
    # The statement's own constants (literal strings SQLAlchemy binds): not the caller's.
    constants: Mapping[str, Any]

    @classmethod
    def of(cls, stmt: ClauseElement) -> Prepared:
        """Compile `stmt` for asyncpg ($1, $2...), keeping the order of its parameters, the
        values of those it fixed itself, and the bind processors SQLAlchemy would apply
        (JSON serialisation)."""
        compiled: Any = stmt.compile(dialect=_DIALECT)
        names = tuple(compiled.positiontup or ())
        # No public accessor for the bind processors; there since SQLAlchemy 1.4.
        processors = {n: p for n, p in compiled._bind_processors.items() if n in names}
        constants = {
            compiled.bind_names[bind]: bind.value
            for bind in compiled.binds.values()
            if not bind.required
        }
        return cls(compiled.string, names, processors, constants)

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        """The statement's arguments in order: a constant, or the value of that name (a
        KeyError when it is missing)."""
        found = []
        for name in self.names:
            value = self.constants[name] if name in self.constants else values[name]
            processor = self.processors.get(name)
            found.append(value if processor is None else processor(value))
        return found


async def _driver(session: AsyncSession) -> Any:
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


async def fetch(
    session: AsyncSession, prepared: Prepared, values: Mapping[str, Any]
) -> Sequence[Any]:
    """Every row (asyncpg records: mappings by column label)."""
    driver = await _driver(session)
    rows: Sequence[Any] = await driver.fetch(prepared.sql, *prepared.arguments(values))
    return rows


async def fetchrow(session: AsyncSession, prepared: Prepared, values: Mapping[str, Any]) -> Any:
    """The first row, or None."""
    driver = await _driver(session)
    return await driver.fetchrow(prepared.sql, *prepared.arguments(values))
