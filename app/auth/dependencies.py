"""The one place access is decided. Routes declare what they need:

    @router.get(...)
    async def list_customers(principal: CustomersRead, ...): ...

or `dependencies=[PUBLIC]` for the few routes anyone may call. The permission probe test
walks every route and fails when one declares neither.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth import authenticator, permissions
from app.auth.passwords import Passwords
from app.auth.principal import Principal
from app.errors import PermissionDenied, Unauthorized
from app.kit import ratelimit
from app.kit.dependencies import from_state, get_session

bearer = HTTPBearer(
    auto_error=False,
    description="A user's access token (from `POST /v1/auth/token`) or an API key.",
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


class Authorize:
    """Authenticate the caller and require `permission` (None: any authenticated caller).

    The principal is resolved once per request (app/auth/authenticator.py: one Redis round
    trip, a cached principal when the company's auth version allows it); a missing
    permission is a 403 that names it. It takes the request alone besides the bearer
    scheme (which puts the credential in the contract): every sub-dependency is a hop
    FastAPI makes on every request of every route.
    """

    def __init__(self, permission: permissions.Permission | None = None) -> None:
        self.permission = permission.name if permission else None

    def __repr__(self) -> str:
        return f"Authorize({self.permission!r})"

    async def __call__(self, request: Request, credentials: BearerDep) -> Principal:
        principal: Principal | None = getattr(request.state, "principal", None)
        if principal is None:
            if credentials is None or not credentials.credentials:
                raise Unauthorized("Send `Authorization: Bearer <access token or API key>`.")
            state = request.app.state
            principal = await authenticator.authenticate(
                session=await get_session(request),
                redis=state.redis,
                cache=state.principal_cache,
                secret_key=state.secret_key,
                credential=credentials.credentials,
                rate_limit=state.settings.rate_limit_per_minute,
            )
            request.state.principal = principal
        if self.permission is not None and not principal.has(self.permission):
            raise PermissionDenied(self.permission)
        return principal


class Public:
    """Marks a route as callable without credentials; such routes are limited per client IP
    (except probes a load balancer polls, which pass `rate_limited=False`)."""

    public = True  # read by UnitOfWorkRoute: no Idempotency-Key, no 401/403 in the contract

    def __init__(self, *, rate_limited: bool = True) -> None:
        self.rate_limited = rate_limited

    async def __call__(self, request: Request) -> None:
        if not self.rate_limited:
            return
        client = request.client.host if request.client else "unknown"
        limit = request.app.state.settings.rate_limit_public_per_minute
        await ratelimit.hit(request.app.state.redis, f"ip:{client}", limit)


PUBLIC = Depends(Public())
PROBE = Depends(Public(rate_limited=False))
# A route whose caller proves itself by signing the request (Stripe's webhooks): no
# credentials, and no per-IP limit, since the sender's few addresses carry all its traffic.
SIGNED = Depends(Public(rate_limited=False))
Authenticated = Annotated[Principal, Depends(Authorize())]
PasswordsDep = Annotated[Passwords, Depends(from_state("passwords", Passwords))]

# One alias per permission of the catalogue (app/auth/permissions.py): a route names what it
# needs by type, `principal: CustomersRead`, and no permission is spelled anywhere else.
CustomersRead = Annotated[Principal, Depends(Authorize(permissions.CUSTOMERS_READ))]
CustomersWrite = Annotated[Principal, Depends(Authorize(permissions.CUSTOMERS_WRITE))]
CustomersDelete = Annotated[Principal, Depends(Authorize(permissions.CUSTOMERS_DELETE))]
CustomersOffice = Annotated[Principal, Depends(Authorize(permissions.CUSTOMERS_OFFICE))]
OrdersRead = Annotated[Principal, Depends(Authorize(permissions.ORDERS_READ))]
OrdersWrite = Annotated[Principal, Depends(Authorize(permissions.ORDERS_WRITE))]
OrdersDelete = Annotated[Principal, Depends(Authorize(permissions.ORDERS_DELETE))]
PaymentsRead = Annotated[Principal, Depends(Authorize(permissions.PAYMENTS_READ))]
PaymentsWrite = Annotated[Principal, Depends(Authorize(permissions.PAYMENTS_WRITE))]
VendorsRead = Annotated[Principal, Depends(Authorize(permissions.VENDORS_READ))]
VendorsWrite = Annotated[Principal, Depends(Authorize(permissions.VENDORS_WRITE))]
InvoiceItemsWrite = Annotated[Principal, Depends(Authorize(permissions.INVOICE_ITEMS_WRITE))]
ReportsRead = Annotated[Principal, Depends(Authorize(permissions.REPORTS_READ))]
SettingsWrite = Annotated[Principal, Depends(Authorize(permissions.SETTINGS_WRITE))]
EventsRead = Annotated[Principal, Depends(Authorize(permissions.EVENTS_READ))]
ApiKeysManage = Annotated[Principal, Depends(Authorize(permissions.API_KEYS_MANAGE))]
UsersManage = Annotated[Principal, Depends(Authorize(permissions.USERS_MANAGE))]
BillingManage = Annotated[Principal, Depends(Authorize(permissions.BILLING_MANAGE))]
