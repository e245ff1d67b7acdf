"""RFC 9457 problem details: the one shape of every error response.

`to_problem(exc, request)` is the one builder: any exception raised while handling a request
becomes its problem response (ours by their status and code, validation as 422 naming the
fields, a stale version as 412, anything else a logged 500). `problem_document(exc)` is the
same document without a response, for one embedded in another (a bulk action's items).
`problem_responses(...)` documents them in the contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.errors import (
    Conflict,
    FieldError,
    PreconditionFailed,
    TrackrError,
    ValidationFailed,
)
from app.kit.context import request_id_var

PROBLEM_TYPE_BASE = "https://trackr.dev/problems/"
MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger(__name__)


class ProblemFieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `email`.")
    location: str = Field(description="Where the field is: body, query, path or header.")
    message: str


class ProblemMatch(BaseModel):
    """A record the refused one would duplicate."""

    id: str
    number: int
    name: str


class ProblemScheduleConflict(BaseModel):
    """An appointment the refused booking would overlap, for one of its users."""

    id: str
    order_id: str
    starts_at: str = Field(description="RFC 3339, UTC.")
    ends_at: str = Field(description="RFC 3339, UTC.")


class Problem(BaseModel):
    """An RFC 9457 problem document (`application/problem+json`). Beside the standard members,
    a problem carries the extension members of its type, each present only where it
    applies: the field at fault, the duplicates found, what still uses a record, or the
    plan limit reached."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemFieldError] | None = None
    permission: str | None = Field(
        default=None, description="`permission-denied`: the permission the action needs."
    )
    field: str | None = Field(
        default=None, description="`conflict`: the field whose value is taken, e.g. `email`."
    )
    matches: list[ProblemMatch] | None = Field(
        default=None,
        description="`conflict` on a customer create: the customers it would duplicate.",
    )
    orders_count: int | None = Field(
        default=None,
        description="`conflict` on a status or service location delete: orders that have it.",
    )
    appointments_count: int | None = Field(
        default=None,
        description="`conflict` on a service location delete: appointments that name it.",
    )
    equipment_count: int | None = Field(
        default=None,
        description="`conflict` on a service location delete: equipment installed there.",
    )
    geofences_count: int | None = Field(
        default=None,
        description="`conflict` on a service location delete: its geofences.",
    )
    vendors_count: int | None = Field(
        default=None, description="`conflict` on a contact type delete: vendors that have it."
    )
    lines_count: int | None = Field(
        default=None, description="`conflict` on a catalog item delete: lines made from it."
    )
    value_count: int | None = Field(
        default=None,
        description="`conflict` on a custom field delete: records that hold a value for it.",
    )
    conflicts: list[ProblemScheduleConflict] | None = Field(
        default=None,
        description="`schedule-conflict`: the appointments an assigned user is already on.",
    )
    plan: str | None = Field(default=None, description="`plan-limit-reached`: the plan's code.")
    limit: int | None = Field(
        default=None, description="`plan-limit-reached`: the active users the plan allows."
    )
    active_users: int | None = Field(
        default=None, description="`plan-limit-reached`: the company's active users."
    )


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


def _response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
    instance: str | None = None,
) -> ProblemResponse:
    body = _body(status, code, title, detail, errors=errors, extra=extra, instance=instance)
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


def _body(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, str]] | None = None,
    extra: Mapping[str, Any] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if request_id := request_id_var.get():
        body["request_id"] = request_id
    if errors is not None:
        body["errors"] = list(errors)
    if extra:
        body.update(extra)
    return body


def _field_errors(errors: Sequence[FieldError]) -> list[dict[str, str]]:
    return [{"field": e.field, "location": e.location, "message": e.message} for e in errors]


def _from_trackr_error(exc: TrackrError, request: Request) -> ProblemResponse:
    return ProblemResponse(
        problem_document(exc, request.url.path), status_code=exc.status, headers=exc.headers
    )


def problem_document(exc: TrackrError, instance: str | None = None) -> dict[str, Any]:
    """The problem document of one of our errors (also embedded, e.g. per bulk item)."""
    errors = _field_errors(exc.errors) if isinstance(exc, ValidationFailed) else None
    return _body(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        errors=errors,
        extra=exc.extra,
        instance=instance,
    )


def _validation_problem(exc: RequestValidationError, request: Request) -> ProblemResponse:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        location = (
            loc[0] if loc and loc[0] in {"body", "query", "path", "header", "cookie"} else "body"
        )
        path = loc[1:] if loc and loc[0] == location else loc
        field = ".".join(path) or location
        errors.append({"field": field, "location": location, "message": str(err.get("msg", ""))})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request"
    return _response(
        422,
        "validation-error",
        "Validation error",
        detail,
        errors=errors,
        instance=request.url.path,
    )


def _internal_error(request: Request, exc: BaseException) -> ProblemResponse:
    """A 500 never carries the traceback; the log does, under the same request id."""
    log.error("unhandled_exception", exc_info=exc, path=request.url.path)
    return _response(
        500,
        "internal-error",
        "Internal server error",
        "Something went wrong on our side; quote the request id if you contact support.",
        instance=request.url.path,
    )


def to_problem(exc: BaseException, request: Request) -> ProblemResponse:
    """Map any exception raised while handling a request to its problem response."""
    if isinstance(exc, TrackrError):
        return _from_trackr_error(exc, request)
    if isinstance(exc, RequestValidationError):
        return _validation_problem(exc, request)
    if isinstance(exc, StaleDataError):
        return _from_trackr_error(PreconditionFailed(), request)
    if isinstance(exc, IntegrityError):
        log.info("integrity_error", error=str(exc.orig))
        return _from_trackr_error(
            Conflict(
                "The change conflicts with existing data (a duplicate or a missing reference)."
            ),
            request,
        )
    if isinstance(exc, StarletteHTTPException):
        status = exc.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail = exc.detail if isinstance(exc.detail, str) else phrase
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return _response(
            status,
            phrase.lower().replace(" ", "-"),
            phrase,
            detail,
            headers=headers,
            instance=request.url.path,
        )
    return _internal_error(request, exc)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def _allowed_methods(request: Request) -> str:
    """Every method the request's path answers (RFC 9110 `Allow`). Starlette names only the
    methods of the first route matching the path, not those of the path's other routes."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def install(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> ProblemResponse:
        return to_problem(exc, request)

    for exc_type in (
        TrackrError,
        RequestValidationError,
        StaleDataError,
        IntegrityError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(exc_type, handle)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting the problem statuses a route can answer."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
