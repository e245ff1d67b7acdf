"""The hosted page `/f/{slug}` without a browser: headers, escaping, the plain HTML form
POST (errors inline, then a thank-you page); and FORCE_HTTPS on every route."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import client_for, make_settings, running
from tests.factories import signup
from tests.order_form.helpers import enable_form
from tests.public.helpers import aged_token, company_with_form, visitor_ip

XSS = "<script>alert(1)</script>"


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, client_ip=visitor_ip()) as http:
        yield http


async def test_page_headers_and_escaping(client: httpx.AsyncClient) -> None:
    admin = await signup(client, company_name=f"Evil {XSS} Co")
    form = await enable_form(client, admin, thank_you_message=f"Thanks {XSS}")
    page = await client.get(f"/f/{form['slug']}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'self' https://www.example.com" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert XSS not in page.text
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; Co" in page.text
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert page.text.count(f'nonce="{nonce.group(1)}"') == 2  # the style and the script
    assert "--button: #AA5500;" in page.text
    assert (await client.get("/f/no-such-form")).status_code == 404


async def test_plain_form_post_errors_inline_then_thanks(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin, slug = await company_with_form(client)
    token = aged_token(app, slug)
    missing = await client.post(
        f"/f/{slug}", data={"name": XSS, "email": "", "message": XSS, "form_token": token}
    )
    assert missing.status_code == 422
    assert XSS not in missing.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in missing.text
    error = re.search(r'<p class="error" id="f-email-error">([^<]*)</p>', missing.text)
    assert error is not None
    assert error.group(1) == "is required"
    assert 'aria-describedby="f-email-error" aria-invalid="true"' in missing.text

    sent = await client.post(
        f"/f/{slug}",
        data={"name": "Plain Visitor", "email": "plain@example.com", "form_token": token},
    )
    assert sent.status_code == 200, sent.text
    assert "Thanks! We will call you soon." in sent.text
    again = await client.post(
        f"/f/{slug}",
        data={"name": "Plain Visitor", "email": "plain@example.com", "form_token": token},
    )
    assert again.status_code == 200  # the same form sent twice: replayed, stored once
    orders = await client.get("/v1/orders?review_state=pending", headers=admin.headers)
    assert [o["customer_name"] for o in orders.json()["data"]] == ["Plain Visitor"]


async def test_force_https(database_url: str, redis_url: str) -> None:
    settings = make_settings(database_url, redis_url, force_https=True)
    async with running(settings) as app:
        async with client_for(app, client_ip="127.0.0.1") as proxy:
            plain = await proxy.get("/health/live?x=1")
            assert plain.status_code == 308
            assert plain.headers["location"] == "https://trackr.test/health/live?x=1"
            assert "strict-transport-security" not in plain.headers
            forwarded = await proxy.get("/health/live", headers={"X-Forwarded-Proto": "https"})
            assert forwarded.status_code == 200
            assert forwarded.headers["strict-transport-security"].startswith("max-age=31536000")
            posted = await proxy.post("/v1/auth/token", json={})
            assert posted.status_code == 308  # a POST is redirected as a POST
        async with client_for(app, client_ip="203.0.113.9") as stranger:
            spoofed = await stranger.get("/health/live", headers={"X-Forwarded-Proto": "https"})
            assert spoofed.status_code == 308  # not a trusted proxy: its header is not believed
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="https://trackr.test") as tls:
            direct = await tls.get("/health/live")
            assert direct.status_code == 200
            assert "strict-transport-security" in direct.headers
