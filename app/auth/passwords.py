"""Password hashing with argon2 (pwdlib's recommended parameters)."""

from __future__ import annotations

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# Verified against when the email is unknown, so both paths cost one argon2 run.
_DUMMY_HASH = _hasher.hash("trackr-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-cost check: an unknown user costs the same as a wrong password."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)
