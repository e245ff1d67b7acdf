"""Who is calling: a user (access token) or an API key acting for its creator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    company_id: uuid.UUID
    user_id: uuid.UUID
    permissions: frozenset[str]
    is_admin: bool = False
    api_key_id: uuid.UUID | None = None

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def credential_id(self) -> uuid.UUID:
        """The credential that made the request: rate limits are counted against it."""
        return self.api_key_id or self.user_id


@dataclass(frozen=True)
class Visitor:
    """Someone without an account acting on a company's public page (its order form). What
    they do is audited with no user or key as its actor."""

    company_id: uuid.UUID
    user_id: None = None
    api_key_id: None = None


# Whoever a change is recorded against: a signed-in caller, or a public page's visitor.
Actor = Principal | Visitor
