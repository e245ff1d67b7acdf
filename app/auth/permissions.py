"""The permission catalogue: the one list of every `resource:action` a route may require.

Groups grant permissions from this list; admins hold all of them; API keys carry a subset
of their creator's. `admin_only` permissions cannot be granted to a group or an API key.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.principal import Principal
from app.errors import PermissionDenied


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    admin_only: bool = False


CUSTOMERS_READ = Permission(
    "customers:read",
    "View customers, their contacts, notes, attachments and activity (office-only notes and "
    "attachments also need customers:office)",
)
CUSTOMERS_WRITE = Permission("customers:write", "Create and edit customers, contacts and notes")
CUSTOMERS_DELETE = Permission("customers:delete", "Delete customers")
# Not a route's guard but a filter: without it, every list, get and timeline of notes and
# attachments shows only what field staff see (site notes, field-visible attachments).
CUSTOMERS_OFFICE = Permission(
    "customers:office", "Sees office-only notes and attachments not visible to field staff"
)
ORDERS_READ = Permission("orders:read", "View orders")
ORDERS_WRITE = Permission("orders:write", "Create and edit orders, line items, notes and files")
ORDERS_DELETE = Permission("orders:delete", "Delete orders")
PAYMENTS_READ = Permission("payments:read", "View payments")
PAYMENTS_WRITE = Permission("payments:write", "Record and delete payments")
VENDORS_READ = Permission("vendors:read", "View vendors, their notes and the contact types")
VENDORS_WRITE = Permission("vendors:write", "Create, edit and delete vendors and their notes")
INVOICE_ITEMS_WRITE = Permission("invoice_items:write", "Manage the invoice item catalog")
REPORTS_READ = Permission("reports:read", "View sales and receivables reports")
SETTINGS_WRITE = Permission(
    "settings:write", "Change company settings: statuses, custom fields, tags"
)
EVENTS_READ = Permission("events:read", "Read the audit log")
API_KEYS_MANAGE = Permission("api_keys:manage", "Create, list and revoke API keys")
USERS_MANAGE = Permission("users:manage", "Manage users and groups", admin_only=True)
BILLING_MANAGE = Permission(
    "billing:manage", "Manage the company's subscription and card", admin_only=True
)

CATALOGUE: tuple[Permission, ...] = (
    CUSTOMERS_READ,
    CUSTOMERS_WRITE,
    CUSTOMERS_DELETE,
    CUSTOMERS_OFFICE,
    ORDERS_READ,
    ORDERS_WRITE,
    ORDERS_DELETE,
    PAYMENTS_READ,
    PAYMENTS_WRITE,
    VENDORS_READ,
    VENDORS_WRITE,
    INVOICE_ITEMS_WRITE,
    REPORTS_READ,
    SETTINGS_WRITE,
    EVENTS_READ,
    API_KEYS_MANAGE,
    USERS_MANAGE,
    BILLING_MANAGE,
)

BY_NAME: dict[str, Permission] = {p.name: p for p in CATALOGUE}
ALL: frozenset[str] = frozenset(BY_NAME)
GRANTABLE: frozenset[str] = frozenset(p.name for p in CATALOGUE if not p.admin_only)


def allows(principal: Principal, permission: Permission) -> bool:
    """Whether the caller holds `permission`: for what a service shows or does only for
    callers with a further permission (payments in an order's detail)."""
    return principal.has(permission.name)


def require(principal: Principal, permission: Permission) -> None:
    """Refuse the call (403 naming the permission) unless the caller holds `permission`:
    for a service whose need depends on the request (a bulk delete, an inline customer)."""
    if not principal.has(permission.name):
        raise PermissionDenied(permission.name)


def require_known(name: str) -> str:
    """Fail at import time when a route names a permission that is not in the catalogue."""
    if name not in BY_NAME:
        raise ValueError(f"unknown permission {name!r}; add it to app/auth/permissions.py")
    return name
