"""The request's unit of work, Idempotency-Key and ETags, applied to every route.

`TrackrRoute` wraps each endpoint so that:
- the request's session commits once, after the endpoint returned and before the response
  is sent; any error rolls it back, so a failed request leaves no partial write;
- an authenticated POST honours `Idempotency-Key` (app/kit/idempotency.py), storing the
  response in the same commit as the change;
- an exception that is not one of ours becomes a 500 problem without a traceback.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response, params
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic_core import to_json
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import UploadFile

from app.config import Settings
from app.kit import idempotency
from app.kit.pagination import CursorCodec
from app.kit.problem import internal_error, problem_responses, to_problem
from app.kit.schemas import Page

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Our ETags are row versions (>= 1); an If-Match of any other form is this, a stale version.
NEVER_MATCHES = 0
_ETAG_VERSION = re.compile(r"[0-9]{1,18}")
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Dependencies here are `async def`: FastAPI runs a plain `def` dependency in a thread pool,
# and that hop costs more than these bodies do (bench/ profile of the customer list).


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


async def get_session(request: Request) -> AsyncSession:
    """The request's one session; TrackrRoute commits or rolls it back and closes it. Safe
    methods read in autocommit (app.db.create_read_session_factory)."""
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


async def get_cursor_codec(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.cursor_codec
    return codec


SessionDep = Annotated[AsyncSession, Depends(get_session)]
RedisDep = Annotated[Redis, Depends(get_redis)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CursorCodecDep = Annotated[CursorCodec, Depends(get_cursor_codec)]


async def _if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=200,
            description="The ETag you last read; a stale one answers 412.",
        ),
    ] = None,
) -> int | None:
    """The version If-Match names; a tag that is not one of ours can never match.

    The precondition is evaluated by the service against the row, after the request was
    validated and the row found (RFC 9110 13.2.1: a 422 or 404 takes precedence over 412).
    """
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not _ETAG_VERSION.fullmatch(tag):
        return NEVER_MATCHES
    return int(tag)


IfMatch = Annotated[int | None, Depends(_if_match)]


def model_response(model: BaseModel, *, headers: dict[str, str] | None = None) -> Response:
    """A 200 JSON response of `model`, serialised once. A returned model would be validated
    again against the route's response model first; a route returning this declares
    `response_model=` itself, so the contract is unchanged. For models built from our own
    rows, on the hot paths (bench/ profile of the customer list)."""
    return Response(model.model_dump_json(), media_type="application/json", headers=headers)


def json_response(content: Any) -> Response:
    """A 200 JSON response of plain data (dicts and lists of database values), serialised
    by pydantic-core. For a hot list whose rows come from the database named as its read
    schema's fields; the route declares that schema as `response_model=`, and the contract
    tests check what is served against it."""
    return Response(to_json(content), media_type="application/json")


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


async def _content(request: Request) -> bytes:
    """What an Idempotency-Key fingerprint covers: the body; for a form (a file upload), its
    fields and files as parsed, since parsing consumed the body and a retry may frame the
    same parts with another multipart boundary."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None or not isinstance(body_field.field_info, params.Form):
        return await request.body()
    parts: list[list[str | None]] = []
    for name, value in (await request.form()).multi_items():
        if isinstance(value, UploadFile):
            digest = hashlib.sha256()
            while chunk := await value.read(64 * 1024):
                digest.update(chunk)
            await value.seek(0)
            parts.append([name, value.filename, value.content_type, digest.hexdigest()])
        else:
            parts.append([name, value])
    return json.dumps(parts).encode()


async def _claim_idempotency(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            min_length=1,
            max_length=255,
            description="Makes a retried POST safe: the same key replays the first response.",
        ),
    ] = None,
) -> None:
    principal = getattr(request.state, "principal", None)
    if key is None or principal is None:
        return
    settings: Settings = request.app.state.settings
    sessions = get_sessions(request)
    result = await idempotency.claim(
        sessions,
        principal.company_id,
        key,
        idempotency.fingerprint(request.method, request.url.path, await _content(request)),
        timedelta(seconds=settings.idempotency_ttl_seconds),
    )
    if isinstance(result, idempotency.StoredResponse):
        raise _Replay(result)
    request.state.idempotency_claim = result


class _Replay(Exception):
    def __init__(self, stored: idempotency.StoredResponse) -> None:
        self.stored = stored


def _with_idempotency(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Append the Idempotency-Key dependency as the endpoint's last parameter, so that
    FastAPI resolves it after authentication has established the company."""
    signature = inspect.signature(endpoint, eval_str=True)
    extra = inspect.Parameter(
        "_idempotency",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[None, Depends(_claim_idempotency)],
    )

    async def wrapper(*args: Any, _idempotency: None = None, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    wrapper.__name__ = endpoint.__name__
    wrapper.__doc__ = endpoint.__doc__
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), extra]
    )
    return wrapper


def _is_public(dependencies: Any) -> bool:
    """A route is public when one of its dependencies says so (app.auth.dependencies.Public)."""
    return any(getattr(d.dependency, "public", False) for d in dependencies or ())


def _default_responses(path: str, methods: set[str], public: bool) -> dict[int | str, Any]:
    """The problem statuses any route of this shape can answer, documented once here."""
    statuses = {422, 429, 500}
    if not public:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if methods & {"POST", "PUT", "PATCH"}:
        statuses.add(413)
    if methods & {"PUT", "PATCH", "DELETE"}:
        statuses.add(412)
    if "POST" in methods and not public:
        statuses.add(409)  # Idempotency-Key still in progress
    return problem_responses(*sorted(statuses))


class TrackrRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        public = _is_public(kwargs.get("dependencies"))
        if "POST" in methods and not public:
            endpoint = _with_idempotency(endpoint)
        kwargs["responses"] = {
            **_default_responses(path, methods, public),
            **(kwargs.get("responses") or {}),
        }
        super().__init__(path, endpoint, **kwargs)
        if self.body_field is not None and 400 not in self.responses:
            # A body that cannot be read as JSON text at all (not UTF-8, nested too deep) is
            # a 400 from FastAPI; well-formed JSON of the wrong shape is a 422.
            responses = {**self.responses, **problem_responses(400)}
            self.responses = dict(sorted(responses.items(), key=lambda item: str(item[0])))

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                try:
                    response = await handler(request)
                except _Replay as replay:
                    return _replayed(replay.stored)
                except Exception as exc:  # noqa: BLE001 - every failure becomes a problem
                    await _abandon(request)
                    return to_problem(exc, request)
                if response.status_code >= 400:
                    await _abandon(request)
                    return response
                try:
                    await _commit(request, response)
                except Exception as exc:  # noqa: BLE001
                    await _abandon(request)
                    return to_problem(exc, request)
                return response
            finally:
                session: AsyncSession | None = getattr(request.state, "session", None)
                if session is not None:
                    await session.close()

        return run


def _replayed(stored: idempotency.StoredResponse) -> Response:
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    return Response(content=stored.body, status_code=stored.status_code, headers=headers)


async def _commit(request: Request, response: Response) -> None:
    session: AsyncSession | None = getattr(request.state, "session", None)
    held: idempotency.Claim | None = getattr(request.state, "idempotency_claim", None)
    if held is not None:
        if session is None:
            session = await get_session(request)
        headers = {k: v for k, v in response.headers.items() if k in idempotency.REPLAYED_HEADERS}
        await idempotency.complete(
            session,
            held,
            idempotency.StoredResponse(
                response.status_code, headers, bytes(getattr(response, "body", b""))
            ),
        )
    if session is not None:
        await session.commit()
        request.state.idempotency_claim = None


async def _abandon(request: Request) -> None:
    session: AsyncSession | None = getattr(request.state, "session", None)
    try:
        if session is not None:
            await session.rollback()
        held: idempotency.Claim | None = getattr(request.state, "idempotency_claim", None)
        if held is not None:
            request.state.idempotency_claim = None
            await idempotency.release(get_sessions(request), held)
    except Exception as exc:  # noqa: BLE001 - the original error is the one to report
        internal_error(request, exc)


__all__ = [
    "CursorCodecDep",
    "IfMatch",
    "Page",
    "RedisDep",
    "SessionDep",
    "SettingsDep",
    "TrackrRoute",
    "etag",
    "json_response",
    "model_response",
    "set_etag",
]
