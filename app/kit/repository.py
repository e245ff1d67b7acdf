"""The repository base: the company is fixed when a repository is built, so every query it
makes is scoped to that company by construction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.kit import statements
from app.kit.models import Base
from app.kit.pagination import CursorCodec, PageParams, PageResult, Sort, paginate
from app.kit.statements import Prepared

# The parameter every prepared statement of a tenant table names for its company
# (app/kit/statements.py); only TenantRepository.fetch binds it.
COMPANY_PARAM = "company_id"


LIKE_ESCAPE = "/"


def like_pattern(term: str) -> str:
    """`%term%` for `LIKE :pattern ESCAPE '/'`, the term's own % and _ matching themselves
    (what `contains(..., autoescape=True)` does, for a statement prepared once)."""
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
    escaped = escaped.replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


PARENT_PARAM = "parent_id"


def parent_param() -> BindParameter[Any]:
    """`:parent_id` in a prepared statement of a child table; only ChildRepository.fetch
    binds it, to the repository's parent."""
    return bindparam(PARENT_PARAM)


def company_param() -> BindParameter[Any]:
    """`:company_id` in a prepared statement: `Model.company_id == company_param()`."""
    return bindparam(COMPANY_PARAM)


M = TypeVar("M", bound=Base)


class TenantRepository(Generic[M]):
    model: ClassVar[type[Any]]
    # Used in "not found" messages: "Group not found".
    label: ClassVar[str] = "Resource"

    def __init__(self, session: AsyncSession, company_id: uuid.UUID) -> None:
        self.session = session
        self.company_id = company_id

    def select(self) -> Select[tuple[M]]:
        return select(self.model).where(self.model.company_id == self.company_id)

    async def get(self, entity_id: uuid.UUID, *, for_update: bool = False) -> M | None:
        stmt = self.select().where(self.model.id == entity_id)
        if for_update:
            stmt = stmt.with_for_update()
        entity: M | None = await self.session.scalar(stmt)
        return entity

    async def get_or_404(self, entity_id: uuid.UUID, *, for_update: bool = False) -> M:
        """Another company's id is indistinguishable from a missing one: both are 404."""
        entity = await self.get(entity_id, for_update=for_update)
        if entity is None:
            raise NotFound(f"{self.label} {entity_id} not found.")
        return entity

    async def fetch(self, prepared: Prepared, **values: Any) -> Sequence[Any]:
        """Run a prepared read statement (app/kit/statements.py) for this company: its
        `:company_id` is bound here, after the caller's values, so no caller can leave it out
        or name another company."""
        return await statements.fetch(
            self.session, prepared, {**values, COMPANY_PARAM: self.company_id}
        )

    async def fetchrow(self, prepared: Prepared, **values: Any) -> Any:
        """`fetch`'s first row, or None."""
        return await statements.fetchrow(
            self.session, prepared, {**values, COMPANY_PARAM: self.company_id}
        )

    def add(self, entity: M) -> M:
        entity.company_id = self.company_id  # type: ignore[attr-defined]
        self.session.add(entity)
        return entity

    async def delete(self, entity: M) -> None:
        await self.session.delete(entity)

    async def page(
        self, stmt: Select[Any], *, sort: Sort, params: PageParams, codec: CursorCodec
    ) -> PageResult[M]:
        return await paginate(
            self.session,
            stmt,
            sort=sort,
            params=params,
            codec=codec,
            company_id=self.company_id,
        )

    async def page_rows(
        self, stmt: Select[Any], *, sort: Sort, params: PageParams, codec: CursorCodec
    ) -> PageResult[Any]:
        """`page` for a statement selecting the entity first, then more columns: rows."""
        return await paginate(
            self.session,
            stmt,
            sort=sort,
            params=params,
            codec=codec,
            company_id=self.company_id,
        )


class ChildRepository(TenantRepository[M]):
    """The rows of one parent record (a customer's notes): company and parent are
    fixed when it is built, so a child id under another parent is as missing as one of
    another company. `parent_key` names the model's column holding the parent's id."""

    parent_key: ClassVar[str]

    def __init__(self, session: AsyncSession, company_id: uuid.UUID, parent_id: uuid.UUID) -> None:
        super().__init__(session, company_id)
        self.parent_id = parent_id

    def select(self) -> Select[tuple[M]]:
        return super().select().where(getattr(self.model, self.parent_key) == self.parent_id)

    def add(self, entity: M) -> M:
        setattr(entity, self.parent_key, self.parent_id)
        return super().add(entity)

    async def fetch(self, prepared: Prepared, **values: Any) -> Sequence[Any]:
        """`TenantRepository.fetch` with `:parent_id` bound to this repository's parent."""
        return await super().fetch(prepared, **{**values, PARENT_PARAM: self.parent_id})
