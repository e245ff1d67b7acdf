"""Everything a route depends on that the app built at start-up (app/main.py sets
`app.state`; this module is the one that reads it), and the `*Dep` aliases routes declare.

Dependencies here are `async def`: FastAPI runs a plain `def` dependency in a thread pool,
and that hop costs more than these bodies do (bench/ profile of the customer list).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from arq.connections import ArqRedis
from fastapi import Depends, Header, Query, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.kit.concurrency import parse_if_match
from app.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, CursorCodec, PageParams

SAFE_METHODS = frozenset({"GET", "HEAD"})
T = TypeVar("T")


def from_state(name: str, kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency on what app/main.py put in `app.state.<name>`, typed as `kind`, for a
    domain's own alias (`GatewayDep = Annotated[StripeGateway, Depends(from_state(...))]`):
    this module stays the one that reads the app's state, and depends on no domain."""

    async def get(request: Request) -> T:
        value: T = getattr(request.app.state, name)
        return value

    get.__name__ = f"get_{name}"
    return get


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


async def get_session(request: Request) -> AsyncSession:
    """The request's one session; the unit of work (app.kit.unit_of_work) commits or rolls it
    back and closes it. Safe methods read in autocommit (app.db.create_read_session_factory)."""
    session: AsyncSession | None = getattr(request.state, "session", None)
    if session is None:
        state = request.app.state
        factory = state.read_sessions if request.method in SAFE_METHODS else state.sessions
        session = factory()
        request.state.session = session
    return session


async def get_redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


async def get_arq(request: Request) -> ArqRedis:
    arq: ArqRedis = request.app.state.arq
    return arq


async def get_cursor_codec(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.cursor_codec
    return codec


async def get_secret_key(request: Request) -> str:
    key: str = request.app.state.secret_key
    return key


# The check a user must pass to become active: the company's plan limit. Set by the
# composition root (app/main.py) from the billing service, so that users, which billing
# counts, need not import billing.
UserLimit = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]


async def get_user_limit(request: Request) -> UserLimit:
    check: UserLimit = request.app.state.user_limit
    return check


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=1000, description="`next_cursor` of the previous page."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


async def if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=200,
            description="The ETag you last read; a stale one answers 412.",
        ),
    ] = None,
) -> int | None:
    """The version If-Match names (app.kit.concurrency.parse_if_match)."""
    return parse_if_match(if_match)


SessionDep = Annotated[AsyncSession, Depends(get_session)]
RedisDep = Annotated[Redis, Depends(get_redis)]
ArqDep = Annotated[ArqRedis, Depends(get_arq)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CursorCodecDep = Annotated[CursorCodec, Depends(get_cursor_codec)]
SecretKeyDep = Annotated[str, Depends(get_secret_key)]
PageParamsDep = Annotated[PageParams, Depends(page_params)]
IfMatch = Annotated[int | None, Depends(if_match_version)]
UserLimitDep = Annotated[UserLimit, Depends(get_user_limit)]
