"""The company's settings: readable by anyone signed in, changed with `settings:write`,
payment terms 0..365 days, a real IANA timezone, the currency fixed; ETag/If-Match;
audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import api_key, member, signup

URL = "/v1/company"


async def test_anyone_signed_in_reads_the_company(client: httpx.AsyncClient) -> None:
    admin = await signup(client, "Readable Co")
    someone = await member(client, admin, ["customers:read"])
    key = await api_key(client, admin, ["customers:read"])
    for caller in (admin, someone, key):
        response = await client.get(URL, headers=caller.headers)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == '"1"'
        company = response.json()
        assert company["id"] == admin.company_id
        assert company["name"] == "Readable Co"
        assert (company["currency"], company["timezone"]) == ("USD", "UTC")
        assert company["payment_terms_days"] == 30
    assert (await client.get(URL)).status_code == 401


async def test_settings_write_changes_only_what_is_sent(client: httpx.AsyncClient) -> None:
    admin = await signup(client, "Old Name")
    response = await client.patch(
        URL,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"payment_terms_days": 0, "timezone": "America/New_York"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    company = response.json()
    assert (company["payment_terms_days"], company["timezone"]) == (0, "America/New_York")
    assert company["name"] == "Old Name"
    renamed = await client.patch(URL, headers=admin.headers, json={"name": "New Name"})
    assert renamed.json()["name"] == "New Name"
    assert renamed.json()["timezone"] == "America/New_York"
    stale = await client.patch(
        URL, headers={**admin.headers, "If-Match": '"1"'}, json={"payment_terms_days": 5}
    )
    assert stale.status_code == 412
    events = (
        await client.get(
            "/v1/events",
            headers=admin.headers,
            params={"entity_type": "company", "entity_id": admin.company_id},
        )
    ).json()["data"]
    updated = [e for e in events if e["type"] == "company.updated"]
    assert len(updated) == 2
    assert (
        updated[-1]["before"]["payment_terms_days"],
        updated[-1]["after"]["payment_terms_days"],
    ) == (30, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"payment_terms_days": 366}, "payment_terms_days"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"payment_terms_days": None}, "payment_terms_days"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"name": " "}, "name"),
        ({"currency": "EUR"}, "currency"),
        ({"slug": "mine"}, "slug"),
    ],
)
async def test_bad_settings_are_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    admin = await signup(client)
    response = await client.patch(URL, headers=admin.headers, json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_changing_settings_needs_settings_write(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    someone = await member(client, admin, ["orders:write", "payments:write"])
    denied = await client.patch(URL, headers=someone.headers, json={"payment_terms_days": 1})
    assert denied.status_code == 403
    assert denied.json()["permission"] == "settings:write"
    manager = await member(client, admin, ["settings:write"])
    allowed = await client.patch(URL, headers=manager.headers, json={"payment_terms_days": 1})
    assert allowed.status_code == 200
    other = await signup(client)
    assert (await client.get(URL, headers=other.headers)).json()["payment_terms_days"] == 30
