"""Auth versions: what lets every API process cache principals and still refuse a revoked
credential within a second.

Each company has a version in Redis (`authv:<company id>`), plus one global version for a
change whose company cannot be told. A change that can affect access (an API key revoked or
edited, a user disabled, enabled, made admin or moved between groups, a group's permissions
changed or the group deleted) sets a new random version once its transaction commits. An API
process reads the versions in the same Redis round trip as the rate limit, and uses a cached
principal only when they still match the ones it was read under (app/auth/authenticator.py).

Changes are found where they are written, not where they are asked for: a session listener
looks at every flush (ORM changes to users, groups, API keys, group memberships) and at
every DML statement run through a session against those tables, so a new service that
changes access cannot forget to bump. The bump runs through the unit of work's `on_commit`
(after the commit, before the answer is sent); a session committed elsewhere (a worker)
bumps nothing, which the cache's own short lifetime bounds.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import BinaryExpression, BindParameter, Column, Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql import visitors

from app.api_key.models import ApiKey
from app.group.models import Group
from app.kit.transaction import on_commit
from app.user.models import User, UserGroup

KEY_PREFIX = "authv:"
GLOBAL = "*"  # the version every principal also depends on
# Versions live long past any cache entry; the key expiring only forces a re-read.
VERSION_TTL_SECONDS = 7 * 24 * 3600
# A session's info key: its Redis (set by the session factory) and the companies changed.
REDIS_INFO_KEY = "trackr.auth_redis"
_CHANGED_INFO_KEY = "trackr.auth_changed"

# Every row of these tables says who may do what: any change to one is an access change.
_ACCESS_MODELS = (User, Group, ApiKey, UserGroup)
_ACCESS_TABLES: frozenset[Table] = frozenset(m.__table__ for m in _ACCESS_MODELS)  # type: ignore[misc]
# Except writing when a key was last used, which happens on every minute of its use.
_BOOKKEEPING_COLUMNS = frozenset({"last_used_at"})

log = structlog.get_logger(__name__)


def version_key(company: uuid.UUID | str) -> str:
    return f"{KEY_PREFIX}{company}"


def version_keys(company_id: uuid.UUID) -> tuple[str, str]:
    """The Redis keys a principal of `company_id` depends on: its company's and the global."""
    return version_key(company_id), version_key(GLOBAL)


async def bump(redis: Redis, companies: Iterable[uuid.UUID | str]) -> None:
    """Give each company (or GLOBAL) a new version: every cached principal of it is stale.

    A random value rather than a counter, so that a Redis that lost its data and counts
    again can never hand out a version a process has already cached under."""
    keys = [version_key(c) for c in companies]
    if not keys:
        return
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.set(key, secrets.token_hex(8), ex=VERSION_TTL_SECONDS)
            await pipe.execute()
    except (RedisError, OSError) as exc:
        # Processes that cannot read the version do not use their cache either; the
        # others keep a stale principal for at most the cache's lifetime.
        log.warning("auth_version_bump_failed", error=str(exc), companies=len(keys))


def _mark(session: Session, companies: Iterable[uuid.UUID | str]) -> None:
    """Remember the companies whose access changed; bump them once the session commits."""
    redis: Redis | None = session.info.get(REDIS_INFO_KEY)
    if redis is None:
        return  # a session without Redis (a worker's, a test's): nothing to tell
    changed: set[uuid.UUID | str] | None = session.info.get(_CHANGED_INFO_KEY)
    if changed is None:
        changed = session.info[_CHANGED_INFO_KEY] = set()
        on_commit(session, partial(_bump_changed, session, redis))
    changed.update(companies)


async def _bump_changed(session: Session, redis: Redis) -> None:
    await bump(redis, session.info.pop(_CHANGED_INFO_KEY, set()))


def _changes_access(session: Session, instance: object) -> bool:
    if not isinstance(instance, _ACCESS_MODELS):
        return False
    if instance in session.deleted:
        return True
    state: Any = inspect(instance)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return bool(changed - _BOOKKEEPING_COLUMNS)


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    # Before the flush: afterwards the history of what changed is gone. New rows need no
    # bump (nothing was cached for a user or key that did not exist), changed and deleted
    # ones do.
    companies = {
        instance.company_id
        for instance in (*session.dirty, *session.deleted)
        if _changes_access(session, instance)
    }
    if companies:
        _mark(session, companies)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if table not in _ACCESS_TABLES:
        return
    values = getattr(state.statement, "_values", None) or {}
    written = {getattr(c, "key", c) for c in values}
    if state.is_update and written and written <= _BOOKKEEPING_COLUMNS:
        return
    _mark(state.session, _companies_of(state, table) or {GLOBAL})


def _companies_of(state: ORMExecuteState, table: Table) -> set[uuid.UUID | str]:
    """The companies a DML statement is limited to (`company_id = :value` in its WHERE
    clause, or its rows' values); empty when that cannot be told."""
    found: set[uuid.UUID | str] = set()
    company: Column[Any] = table.c.company_id
    where = getattr(state.statement, "whereclause", None)
    if where is not None:
        for node in visitors.iterate(where):
            if (
                isinstance(node, BinaryExpression)
                and node.left is company
                and isinstance(node.right, BindParameter)
                and node.right.value is not None
            ):
                found.add(node.right.value)
    if state.is_insert:
        params: Any = state.parameters
        rows: list[Any] = params if isinstance(params, list) else [params] if params else []
        companies = {row.get("company_id") for row in rows}
        if None in companies or not companies:
            return set()
        found.update(c for c in companies if c is not None)
    return found
