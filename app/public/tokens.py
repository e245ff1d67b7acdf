"""The token a public page hands out with a form and takes back with its submission: signed
(PyJWT, HS256, with the app's secret), bound to the page's audience and address, carrying
when it was issued and a nonce. A submission sent sooner than a person could fill the form
is a bot's; the nonce keys the submission's idempotency when the client sends no
Idempotency-Key (a double click of a plain HTML form)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from enum import Enum

import jwt

ALGORITHM = "HS256"


class Verdict(Enum):
    OK = "ok"
    TOO_FAST = "too_fast"  # a bot: drop it silently
    FORGED = "forged"  # not ours, another form's, malformed: drop it silently
    EXPIRED = "expired"  # a person who left the page open: ask them to reload


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    nonce: str | None = None


@dataclass(frozen=True)
class FormTokens:
    secret: str
    audience: str  # the kind of page: "order-form"
    min_fill_seconds: float
    ttl_seconds: int

    def issue(self, subject: str, *, now: float | None = None) -> str:
        issued = time.time() if now is None else now
        claims = {
            "aud": self.audience,
            "sub": subject,
            "t": issued,
            "exp": int(issued) + self.ttl_seconds,
            "n": secrets.token_urlsafe(12),
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def check(self, token: str, subject: str, *, now: float | None = None) -> Checked:
        current = time.time() if now is None else now
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                options={"require": ["aud", "sub", "t", "exp", "n"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            return Checked(Verdict.FORGED)
        issued, nonce = claims["t"], claims["n"]
        if claims["sub"] != subject or not isinstance(issued, int | float):
            return Checked(Verdict.FORGED)
        if not isinstance(nonce, str) or issued > current + 5:
            return Checked(Verdict.FORGED)
        if current - issued > self.ttl_seconds:
            return Checked(Verdict.EXPIRED, nonce)
        if current - issued < self.min_fill_seconds:
            return Checked(Verdict.TOO_FAST, nonce)
        return Checked(Verdict.OK, nonce)
