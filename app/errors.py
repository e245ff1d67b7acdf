"""The project's own errors. Services raise these; app/kit/problem.py turns them into
RFC 9457 problem+json responses. Nothing outside the routers knows about HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    location: str = "body"  # or query, path, header


class TrackrError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}


class Unauthorized(TrackrError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": "Bearer"}


class PermissionDenied(TrackrError):
    status = 403
    code = "permission-denied"
    title = "Permission denied"

    def __init__(self, permission: str) -> None:
        super().__init__(f"This action needs the '{permission}' permission.", permission=permission)


class NotFound(TrackrError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(TrackrError):
    status = 409
    code = "conflict"
    title = "Conflict"


class PreconditionFailed(TrackrError):
    status = 412
    code = "precondition-failed"
    title = "Precondition failed"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail or "The resource changed since you read it; fetch it again and retry."
        )


class PayloadTooLarge(TrackrError):
    status = 413
    code = "payload-too-large"
    title = "Payload too large"


class ValidationFailed(TrackrError):
    status = 422
    code = "validation-error"
    title = "Validation error"

    def __init__(self, errors: Sequence[FieldError], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = list(errors)

    @classmethod
    def field(cls, field: str, message: str, location: str = "body") -> ValidationFailed:
        return cls([FieldError(field, message, location)])

    def within(self, prefix: str) -> ValidationFailed:
        """The same errors for a body nested under `prefix` (`customer.custom_fields.zz`)."""
        return ValidationFailed(
            [FieldError(f"{prefix}.{e.field}", e.message, e.location) for e in self.errors]
        )


class RateLimited(TrackrError):
    status = 429
    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limit exceeded; retry in {retry_after} seconds.")
        self.headers = {"Retry-After": str(retry_after)}


class BadGateway(TrackrError):
    """A provider we depend on (Stripe) answered with an error or something unreadable."""

    status = 502
    code = "bad-gateway"
    title = "Bad gateway"


class ServiceUnavailable(TrackrError):
    status = 503
    code = "service-unavailable"
    title = "Service unavailable"


class Forbidden(TrackrError):
    """The caller may not do this whatever its permissions (a position reported with an
    API key rather than by a user)."""

    status = 403
    code = "forbidden"
    title = "Forbidden"
