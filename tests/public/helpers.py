from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from app.public.tokens import FormTokens
from tests.factories import Caller, signup
from tests.order_form.helpers import enable_form


def aged_token(app: FastAPI, slug: str, *, age: float = 30.0) -> str:
    """A form token as the page would have issued it `age` seconds ago (a person's pace)."""
    tokens = FormTokens(app.state.secret_key, "order-form", 3.0, 24 * 3600)
    return tokens.issue(slug, now=time.time() - age)


def visitor_ip() -> str:
    """A client address of a test's own: per-IP limits count in the shared Redis."""
    return f"2001:db8:1::{uuid.uuid4().hex[:4]}"


async def company_with_form(client: httpx.AsyncClient, **changes: Any) -> tuple[Caller, str]:
    admin = await signup(client)
    form = await enable_form(client, admin, **changes)
    return admin, str(form["slug"])


async def submit(
    client: httpx.AsyncClient,
    app: FastAPI,
    slug: str,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> httpx.Response:
    body = {
        "name": "Grace Visitor",
        "email": f"grace-{uuid.uuid4().hex[:8]}@example.com",
        "form_token": aged_token(app, slug),
        **fields,
    }
    return await client.post(
        f"/v1/public/forms/{slug}/submissions", json=body, headers=headers or {}
    )
