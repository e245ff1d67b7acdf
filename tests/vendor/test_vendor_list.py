"""The vendor list: keyset pages in every sort, filters by contact type and tag (any of
those named), and `q` over the trigram-indexed search text."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import signup
from tests.vendor.helpers import add_contact_type, add_vendor, vendor_ids


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at"])
async def test_every_sort_pages_with_a_cursor(client: httpx.AsyncClient, sort: str) -> None:
    admin = await signup(client)
    contact_type = await add_contact_type(client, admin)
    names = ["Delta", "Alpha", "Charlie", "Bravo", "Echo"]  # one order in any collation
    created = [await add_vendor(client, admin, [contact_type["id"]], name=name) for name in names]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2, "sort": sort}
    while True:
        page = await client.get("/v1/vendors", headers=admin.headers, params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        seen.extend(v["name"] for v in body["data"])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            break
        params["cursor"] = body["next_cursor"]
    expected = {
        "name": sorted(names),
        "-name": sorted(names, reverse=True),
        "created_at": [v["name"] for v in created],
        "-created_at": [v["name"] for v in created][::-1],
    }[sort]
    assert seen == expected


async def test_a_cursor_belongs_to_its_sort(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    contact_type = await add_contact_type(client, admin)
    for _ in range(3):
        await add_vendor(client, admin, [contact_type["id"]])
    page = await client.get("/v1/vendors", headers=admin.headers, params={"limit": 1})
    cursor = page.json()["next_cursor"]
    wrong = await client.get(
        "/v1/vendors", headers=admin.headers, params={"cursor": cursor, "sort": "created_at"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "cursor"


async def test_filters_by_contact_type_and_tag(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    supplier = await add_contact_type(client, admin, "Supplier")
    architect = await add_contact_type(client, admin, "Architect")
    inspector = await add_contact_type(client, admin, "Inspector")
    tag = (await client.post("/v1/tags", headers=admin.headers, json={"name": "Local"})).json()
    a = await add_vendor(client, admin, [supplier["id"]], name="A", tag_ids=[tag["id"]])
    b = await add_vendor(client, admin, [architect["id"], supplier["id"]], name="B")
    c = await add_vendor(client, admin, [inspector["id"]], name="C", tag_ids=[tag["id"]])

    assert await vendor_ids(client, admin, contact_type_id=supplier["id"]) == [a["id"], b["id"]]
    assert await vendor_ids(client, admin, contact_type_id=[architect["id"], inspector["id"]]) == [
        b["id"],
        c["id"],
    ]
    assert await vendor_ids(client, admin, tag_id=tag["id"]) == [a["id"], c["id"]]
    assert await vendor_ids(client, admin, tag_id=tag["id"], contact_type_id=inspector["id"]) == [
        c["id"]
    ]
    # B's types are listed by position, whatever order they were given in.
    listed = await client.get(
        "/v1/vendors", headers=admin.headers, params={"contact_type_id": architect["id"]}
    )
    assert [t["name"] for t in listed.json()["data"][0]["contact_types"]] == [
        "Supplier",
        "Architect",
    ]
    bad = await client.get("/v1/vendors", headers=admin.headers, params={"tag_id": "nope"})
    assert bad.status_code == 422


async def test_q_searches_name_person_email_phone_and_website(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    contact_type = await add_contact_type(client, admin)
    ids = [contact_type["id"]]
    flooring = await add_vendor(
        client, admin, ids, name="Bay Flooring Supply", phone="(415) 555-0188"
    )
    lumber = await add_vendor(
        client,
        admin,
        ids,
        name="Redwood Lumber",
        contact_person="Quinn Ashby",
        email="sales@redwood.example.com",
        website="https://redwood-lumber.example.com",
    )
    percent = await add_vendor(client, admin, ids, name="100% Electric")

    assert await vendor_ids(client, admin, q="FLOORING") == [flooring["id"]]
    assert await vendor_ids(client, admin, q="ashby") == [lumber["id"]]
    assert await vendor_ids(client, admin, q="sales@redwood") == [lumber["id"]]
    assert await vendor_ids(client, admin, q="5550188") == [flooring["id"]]
    assert await vendor_ids(client, admin, q="redwood-lumber") == [lumber["id"]]
    # % and _ are matched as themselves, not as wildcards.
    assert await vendor_ids(client, admin, q="0%") == [percent["id"]]
    assert await vendor_ids(client, admin, q="_") == []
    assert await vendor_ids(client, admin, q="nothing like it") == []
