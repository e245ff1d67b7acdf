from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Caller

FORM: dict[str, Any] = {
    "enabled": True,
    "fields": {
        "email": {"shown": True, "required": True},
        "phone": {"shown": True, "required": False},
        "address": {"shown": True, "required": False},
        "message": {"shown": True, "required": False},
        "referral": {"shown": True, "required": False},
    },
    "thank_you_message": "Thanks! We will call you soon.",
    "style": {"header_color": "#112233", "button_color": "#AA5500", "font_family": "serif"},
    "allowed_origins": ["https://www.example.com"],
}


async def enable_form(client: httpx.AsyncClient, admin: Caller, **changes: Any) -> dict[str, Any]:
    response = await client.put(
        "/v1/company/order-form", headers=admin.headers, json={**FORM, **changes}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
