"""Form settings and referral options (seed 000: Settings -> Style, Settings -> Referrals)."""

from __future__ import annotations

import httpx

from app.order_form.service import DEFAULT_REFERRALS
from tests.factories import member, signup
from tests.order_form.helpers import FORM, enable_form


async def test_defaults_then_put_replaces_settings(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    first = await client.get("/v1/company/order-form", headers=admin.headers)
    assert first.status_code == 200, first.text
    assert first.json()["enabled"] is False
    assert first.json()["referral_options"] == list(DEFAULT_REFERRALS)
    saved = await enable_form(client, admin)
    assert saved["enabled"] is True
    assert saved["style"]["header_color"] == "#112233"
    assert saved["style"]["corner_radius"] == 6  # default kept
    assert saved["slug"]
    again = await client.get("/v1/company/order-form", headers=admin.headers)
    assert again.json() == saved
    etag = again.headers["etag"]
    stale = await client.put(
        "/v1/company/order-form", headers={**admin.headers, "If-Match": '"999"'}, json=FORM
    )
    assert stale.status_code == 412
    ok = await client.put(
        "/v1/company/order-form", headers={**admin.headers, "If-Match": etag}, json=FORM
    )
    assert ok.status_code == 200, ok.text


async def test_style_values_are_validated(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    for style, field in (
        ({"button_color": "red;}</style><script>"}, "style.button_color"),
        ({"font_family": "Comic Sans'; background:url(x)"}, "style.font_family"),
        ({"corner_radius": 400}, "style.corner_radius"),
        ({"custom_css": "body{}"}, "style.custom_css"),
    ):
        response = await client.put(
            "/v1/company/order-form", headers=admin.headers, json={**FORM, "style": style}
        )
        assert response.status_code == 422, response.text
        assert field in {e["field"] for e in response.json()["errors"]}, response.text
    bad = await client.put(
        "/v1/company/order-form",
        headers=admin.headers,
        json={**FORM, "allowed_origins": ["https://x.com; script-src *"]},
    )
    assert bad.status_code == 422
    unknown = await client.put(
        "/v1/company/order-form",
        headers=admin.headers,
        json={**FORM, "fields": {"cf.nope": {"shown": True}}},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "fields.cf.nope"
    required = await client.put(
        "/v1/company/order-form",
        headers=admin.headers,
        json={**FORM, "fields": {"email": {"shown": False, "required": True}}},
    )
    assert required.json()["fields"]["email"] == {"shown": True, "required": True}


async def test_own_referral_options_replace_the_defaults(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    created = await client.post(
        "/v1/referral-options", headers=admin.headers, json={"label": "Home show", "position": 2}
    )
    assert created.status_code == 201, created.text
    await client.post("/v1/referral-options", headers=admin.headers, json={"label": "Radio"})
    duplicate = await client.post(
        "/v1/referral-options", headers=admin.headers, json={"label": "home SHOW"}
    )
    assert duplicate.status_code == 409
    form = await client.get("/v1/company/order-form", headers=admin.headers)
    assert form.json()["referral_options"] == ["Radio", "Home show"]
    option_id = created.json()["id"]
    off = await client.patch(
        f"/v1/referral-options/{option_id}", headers=admin.headers, json={"active": False}
    )
    assert off.status_code == 200, off.text
    form = await client.get("/v1/company/order-form", headers=admin.headers)
    assert form.json()["referral_options"] == ["Radio"]
    listed = await client.get("/v1/referral-options", headers=admin.headers)
    assert [o["label"] for o in listed.json()] == ["Radio", "Home show"]
    gone = await client.delete(f"/v1/referral-options/{option_id}", headers=admin.headers)
    assert gone.status_code == 204


async def test_settings_need_settings_write(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    reader = await member(client, admin, ["orders:read"])
    response = await client.put("/v1/company/order-form", headers=reader.headers, json=FORM)
    assert response.status_code == 403
    assert response.json()["permission"] == "settings:write"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_logo_is_type_and_size_checked_and_served(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    form = await enable_form(client, admin)
    svg = await client.put(
        "/v1/company/order-form/logo",
        headers=admin.headers,
        files={"file": ("logo.png", b"<svg onload=alert(1)></svg>", "image/png")},
    )
    assert svg.status_code == 422
    assert svg.json()["errors"][0]["field"] == "file"
    huge = await client.put(
        "/v1/company/order-form/logo",
        headers=admin.headers,
        files={"file": ("logo.png", PNG + b"\x00" * 600_000, "image/png")},
    )
    assert huge.status_code == 413
    saved = await client.put(
        "/v1/company/order-form/logo",
        headers=admin.headers,
        files={"file": ("logo.bin", PNG, "text/html")},
    )
    assert saved.status_code == 200, saved.text
    logo_url = saved.json()["logo_url"]
    assert logo_url == f"/v1/public/forms/{form['slug']}/logo"
    served = await client.get(logo_url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"  # what it is, not what was claimed
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content == PNG
    page = await client.get(f"/f/{form['slug']}")
    assert f'<img src="{logo_url}" alt="">' in page.text
    removed = await client.delete("/v1/company/order-form/logo", headers=admin.headers)
    assert removed.status_code == 204
    assert (await client.get(logo_url)).status_code == 404
