"""Headers every public page and public API response carries: a strict CSP (only this
page's nonce runs scripts and styles; frames only from the company's own origins), no MIME
sniffing, no referrer leaking a visitor's path elsewhere; and CORS for the company's own
origins only."""

from __future__ import annotations

import secrets
from collections.abc import Sequence


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def page_headers(nonce: str, frame_ancestors: Sequence[str]) -> dict[str, str]:
    """Headers of an HTML page. `frame_ancestors` are origins validated by the settings'
    schema (scheme, host, port: no spaces, quotes or semicolons can reach the policy)."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            f"style-src 'nonce-{nonce}'",
            "img-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {ancestors}",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


API_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def cors_headers(origin: str | None, allowed: Sequence[str]) -> dict[str, str]:
    """CORS for a public API response: the request's Origin is echoed only when it is one of
    the company's own (compared case-insensitively, as the settings store them)."""
    headers = {"Vary": "Origin"}
    if origin and origin.lower() in allowed:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST",
    "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
    "Access-Control-Max-Age": "600",
}
