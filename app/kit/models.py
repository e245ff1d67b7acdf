"""The declarative base every table uses: naming convention, UUIDv7 keys, timestamps, tenancy."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from uuid_utils.compat import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> uuid.UUID:
    """A time-ordered UUIDv7, so primary-key indexes stay append-mostly."""
    return uuid7()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class VersionedMixin:
    """A row version, bumped on every UPDATE; it is the resource's ETag.

    SQLAlchemy adds `WHERE version = :seen` to each UPDATE, so a write racing another
    fails (StaleDataError, answered 412) instead of overwriting it.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        # eager_defaults: read server-set columns (updated_at) back with RETURNING, because
        # a lazy refresh after flush is not possible under asyncio.
        return {
            "version_id_col": cls.__table__.c.version,  # type: ignore[attr-defined]
            "eager_defaults": True,
        }


class TenantMixin:
    """Every tenant-owned table: `company_id` plus UNIQUE(company_id, id).

    The unique pair is what other tenant tables reference, with composite foreign keys
    `(company_id, x_id) -> x(company_id, id)`, so the database itself refuses a row that
    points into another company.
    """

    @declared_attr
    def company_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805
        # No index of its own: UNIQUE(company_id, id) leads with company_id and serves it.
        return mapped_column(ForeignKey("company.id", ondelete="CASCADE"))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        return tenant_table_args()


def tenant_table_args(*extra: Any) -> tuple[Any, ...]:
    """`__table_args__` for a tenant table that needs more constraints than the mixin's."""
    return (UniqueConstraint("company_id", "id"), *extra)
