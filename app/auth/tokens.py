"""Access tokens (short-lived HS256 JWTs) and opaque secrets (refresh tokens, API keys)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from app.errors import Unauthorized

ALGORITHM = "HS256"
API_KEY_PREFIX = "trk_"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    company_id: uuid.UUID
    expires_at: float = 0.0  # POSIX time of `exp`


def issue_access_token(
    secret: str, user_id: uuid.UUID, company_id: uuid.UUID, ttl: timedelta
) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "cid": str(company_id),
        "typ": "access",
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(secret: str, token: str) -> AccessClaims:
    """Verify signature, algorithm and expiry; `alg=none` and any other algorithm are refused."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub", "cid", "typ"]},
        )
        if claims["typ"] != "access":
            raise Unauthorized("The token is not an access token.")
        return AccessClaims(
            uuid.UUID(claims["sub"]), uuid.UUID(claims["cid"]), float(claims["exp"])
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; refresh it.") from None
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise Unauthorized("The access token is invalid.") from None


def hash_secret(secret: str) -> str:
    """Secrets are high-entropy random strings, so one SHA-256 is the right hash for them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str]:
    """Return (prefix, full key). The prefix is public and indexed; the rest is the secret."""
    prefix = API_KEY_PREFIX + secrets.token_hex(6)
    return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"


def api_key_prefix(key: str) -> str | None:
    if not key.startswith(API_KEY_PREFIX) or "." not in key:
        return None
    return key.split(".", 1)[0]
