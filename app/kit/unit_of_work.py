"""The request's unit of work, applied to every route by `UnitOfWorkRoute`:
- the request's session commits once, after the endpoint returned and before the response
  is sent; any error rolls it back, so a failed request leaves no partial write;
- work a service asked for with `app.kit.transaction.after_commit` runs after that commit,
  once the response is sent, and is dropped when the request fails;
- an authenticated POST honours `Idempotency-Key` (app/kit/idempotency.py), storing the
  response in the same commit as the change;
- an exception that is not one of ours becomes a 500 problem without a traceback;
- the contract documents the problem statuses a route of its shape can answer (412 only
  where the route reads If-Match).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTasks

from app.kit.dependencies import get_session, get_sessions, if_match_version
from app.kit.idempotency import (
    REPLAYED_HEADERS,
    Claim,
    Replay,
    StoredResponse,
    complete,
    release,
    replayed,
    with_idempotency,
)
from app.kit.problem import problem_responses, to_problem
from app.kit.transaction import take_after_commit, take_on_commit


def _takes_if_match(dependant: Dependant) -> bool:
    return any(d.call is if_match_version or _takes_if_match(d) for d in dependant.dependencies)


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
    if "POST" in methods and not public:
        statuses.add(409)  # Idempotency-Key still in progress
    return problem_responses(*sorted(statuses))


class UnitOfWorkRoute(APIRoute):
    """Every route's unit of work (see the module's docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        public = _is_public(kwargs.get("dependencies"))
        if "POST" in methods and not public:
            endpoint = with_idempotency(endpoint)
        kwargs["responses"] = {
            **_default_responses(path, methods, public),
            **(kwargs.get("responses") or {}),
        }
        super().__init__(path, endpoint, **kwargs)
        extra: list[int] = []
        if self.body_field is not None and 400 not in self.responses:
            # A body that cannot be read as JSON text at all (not UTF-8, nested too deep) is
            # a 400 from FastAPI; well-formed JSON of the wrong shape is a 422.
            extra.append(400)
        if 412 not in self.responses and _takes_if_match(self.dependant):
            extra.append(412)  # only a route that reads If-Match can fail its precondition
        if extra:
            responses = {**self.responses, **problem_responses(*extra)}
            self.responses = dict(sorted(responses.items(), key=lambda item: str(item[0])))

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                try:
                    response = await handler(request)
                except Replay as replay:
                    return replayed(replay.stored)
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
                _run_after_response(request, response)
                return response
            finally:
                session: AsyncSession | None = getattr(request.state, "session", None)
                if session is not None:
                    await session.close()

        return run


async def _commit(request: Request, response: Response) -> None:
    session: AsyncSession | None = getattr(request.state, "session", None)
    held: Claim | None = getattr(request.state, "idempotency_claim", None)
    if held is not None:
        if session is None:
            session = await get_session(request)
        headers = {k: v for k, v in response.headers.items() if k in REPLAYED_HEADERS}
        await complete(
            session,
            held,
            StoredResponse(response.status_code, headers, bytes(getattr(response, "body", b""))),
        )
    if session is not None:
        await session.commit()
        request.state.idempotency_claim = None
        for work in take_on_commit(session):
            try:
                await work()
            except Exception as exc:  # noqa: BLE001 - committed: the answer stands
                to_problem(exc, request)  # logged as a 500


async def _abandon(request: Request) -> None:
    session: AsyncSession | None = getattr(request.state, "session", None)
    try:
        if session is not None:
            take_after_commit(session)  # the change it was for did not happen
            take_on_commit(session)
            await session.rollback()
        held: Claim | None = getattr(request.state, "idempotency_claim", None)
        if held is not None:
            request.state.idempotency_claim = None
            await release(get_sessions(request), held)
    except Exception as exc:  # noqa: BLE001 - the original error is the one to report
        to_problem(exc, request)  # logged as a 500; the first error is the answer


def _run_after_response(request: Request, response: Response) -> None:
    """Hand the work services asked for to Starlette, which runs it after the response is
    sent (the transaction has committed by now)."""
    session: AsyncSession | None = getattr(request.state, "session", None)
    work = take_after_commit(session) if session is not None else []
    if not work:
        return
    tasks = BackgroundTasks()
    if response.background is not None:
        tasks.add_task(response.background)
    for job in work:
        tasks.add_task(job)
    response.background = tasks
