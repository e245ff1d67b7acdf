"""The permission catalogue: the one list of every `resource:action` a route may require.

Groups grant permissions from this list; admins hold all of them; API keys carry a subset
of their creator's. `admin_only` permissions cannot be granted to a group or an API key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    admin_only: bool = False


CATALOGUE: tuple[Permission, ...] = (
    Permission("customers:read", "View customers, their contacts, notes and activity"),
    Permission("customers:write", "Create and edit customers, contacts and notes"),
    Permission("customers:delete", "Delete customers"),
    Permission("orders:read", "View orders"),
    Permission("orders:write", "Create and edit orders, line items, notes and files"),
    Permission("orders:delete", "Delete orders"),
    Permission("payments:read", "View payments"),
    Permission("payments:write", "Record and delete payments"),
    Permission("invoice_items:write", "Manage the invoice item catalog"),
    Permission("reports:read", "View sales and receivables reports"),
    Permission("settings:write", "Change company settings: statuses, custom fields, tags"),
    Permission("events:read", "Read the audit log"),
    Permission("api_keys:manage", "Create, list and revoke API keys"),
    Permission("users:manage", "Manage users and groups", admin_only=True),
    Permission("billing:manage", "Manage the company's subscription and card", admin_only=True),
)

BY_NAME: dict[str, Permission] = {p.name: p for p in CATALOGUE}
ALL: frozenset[str] = frozenset(BY_NAME)
GRANTABLE: frozenset[str] = frozenset(p.name for p in CATALOGUE if not p.admin_only)


def require_known(name: str) -> str:
    """Fail at import time when a route names a permission that is not in the catalogue."""
    if name not in BY_NAME:
        raise ValueError(f"unknown permission {name!r}; add it to app/auth/permissions.py")
    return name
