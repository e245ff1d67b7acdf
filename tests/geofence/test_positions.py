"""Positions and the events they give: a drive through a fence is one enter and one exit,
whatever order and however often its positions arrive; jitter at the edge is no event."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import api_key, member, signup
from tests.geofence.helpers import (
    LAT,
    START,
    THROUGH,
    add_fence,
    at,
    circle,
    crossings,
    drive,
    events,
    post_positions,
    site,
)


async def test_a_drive_through_a_fence_enters_and_exits_once(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    fence = await add_fence(client, admin, customer_id, location_id)
    recorded = await post_positions(client, admin, drive(THROUGH))
    assert recorded["received"] == recorded["stored"] == 21
    expected = [(fence["id"], "enter", at(8)), (fence["id"], "exit", at(13))]
    assert crossings(recorded["events"]) == expected
    listed = await events(client, admin)
    assert crossings(listed) == expected
    assert {(e["user_id"], e["location_id"], e["customer_id"]) for e in listed} == {
        (admin.user_id, location_id, customer_id)
    }


async def test_the_same_batch_twice_changes_nothing(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    await add_fence(client, admin, customer_id, location_id, notify_user_ids=[admin.user_id])
    first = await post_positions(client, admin, drive(THROUGH))
    again = await post_positions(client, admin, drive(THROUGH))
    assert again == {
        "received": 21,
        "stored": 0,
        "evaluated_from": None,
        "events": [],
        "events_withdrawn": 0,
    }
    assert crossings(await events(client, admin)) == crossings(first["events"])
    panel = await client.get("/v1/me/notifications", headers=admin.headers)
    assert [n["kind"] for n in panel.json()["data"]] == ["geofence_event"] * 2


async def test_halves_in_reverse_order_give_the_same_events(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    fence = await add_fence(client, admin, customer_id, location_id)
    positions = drive(THROUGH)
    # The second half alone starts inside the fence (i=10): on its own, an enter at i=10.
    late = await post_positions(client, admin, positions[10:])
    assert crossings(late["events"]) == [
        (fence["id"], "enter", at(10)),
        (fence["id"], "exit", at(13)),
    ]
    # The first half, arriving after it, shows the user entered earlier (i=8).
    early = await post_positions(client, admin, positions[:10])
    assert early["evaluated_from"] == at(0)
    assert early["events_withdrawn"] == 1
    assert crossings(early["events"]) == [(fence["id"], "enter", at(8))]
    assert crossings(await events(client, admin)) == [
        (fence["id"], "enter", at(8)),
        (fence["id"], "exit", at(13)),
    ]
    # And shuffled batches in any order end the same.
    other = await signup(client, "Shuffle Co")
    c2, l2 = await site(client, other)
    fence2 = await add_fence(client, other, c2, l2)
    for part in (positions[15:], positions[5:9], positions[:5], positions[9:15]):
        await post_positions(client, other, part)
    assert crossings(await events(client, other)) == [
        (fence2["id"], "enter", at(8)),
        (fence2["id"], "exit", at(13)),
    ]


async def test_jitter_at_the_edge_within_the_accuracy_is_no_event(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    fence = await add_fence(client, admin, customer_id, location_id)
    # 200 m circle: 7.0 is the centre, 7.00265 ~208.5 m out (8.5 m outside), 7.0024 ~189 m.
    wobble = [7.0, *([7.0024, 7.00265, 7.0028] * 5)]  # 7.0028 ~220 m: 20 m outside
    positions = drive(wobble, accuracy_m=20)
    recorded = await post_positions(client, admin, positions)
    assert crossings(recorded["events"]) == [(fence["id"], "enter", at(0))]
    # Well outside (~400 m out) at last: one exit.
    gone = drive([7.008], accuracy_m=20, start=START.replace(minute=30))
    left = await post_positions(client, admin, gone)
    assert [e["kind"] for e in left["events"]] == ["exit"]


async def test_a_position_less_accurate_than_the_fence_is_wide_is_ignored(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    await add_fence(client, admin, customer_id, location_id, geometry=circle(radius_m=15))
    recorded = await post_positions(client, admin, drive([7.0], accuracy_m=50))
    assert recorded["stored"] == 1
    assert recorded["events"] == []


async def test_a_polygon_fence(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    ring = [[6.998, 44.999], [7.002, 44.999], [7.002, 45.001], [6.998, 45.001], [6.998, 44.999]]
    fence = await add_fence(
        client,
        admin,
        customer_id,
        location_id,
        geometry={"type": "Polygon", "coordinates": [ring]},
    )
    recorded = await post_positions(client, admin, drive(THROUGH))
    # Inside from 6.998 (on the edge, i=8) to 7.002 (i=12); 7.003 is ~79 m out.
    assert crossings(recorded["events"]) == [
        (fence["id"], "enter", at(8)),
        (fence["id"], "exit", at(13)),
    ]


async def test_notifications_follow_alert_on(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    driver = await member(client, admin, ["customers:read"])
    customer_id, location_id = await site(client, admin)
    await add_fence(
        client,
        admin,
        customer_id,
        location_id,
        alert_on="enter",
        notify_user_ids=[admin.user_id],
    )
    await post_positions(client, driver, drive(THROUGH))
    panel = await client.get("/v1/me/notifications", headers=admin.headers)
    [notification] = panel.json()["data"]
    assert notification["kind"] == "geofence_event"
    assert notification["customer_id"] == customer_id
    assert notification["message"] == "Mo Member entered Depot gate (Acme Depot)"
    # The driver is not notified of their own crossing (not one of the fence's users).
    mine = await client.get("/v1/me/notifications", headers=driver.headers)
    assert mine.json()["data"] == []
    listed = await events(client, admin, user_id=driver.user_id)
    assert notification["geofence_event_id"] in {e["id"] for e in listed}


async def test_an_api_key_cannot_report_positions(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    key = await api_key(client, admin, ["customers:read"])
    response = await client.post(
        "/v1/me/positions", headers=key.headers, json={"positions": drive([7.0])}
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_batch_is_at_most_500_positions(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    response = await client.post(
        "/v1/me/positions", headers=admin.headers, json={"positions": drive([7.0] * 501)}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["positions"]


async def test_the_event_list_filters_and_pages(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    fence = await add_fence(client, admin, customer_id, location_id)
    other = await add_fence(
        client, admin, customer_id, location_id, name="North", geometry=circle(lat=LAT + 0.01)
    )
    await post_positions(client, admin, drive(THROUGH))
    assert len(await events(client, admin, geofence_id=other["id"])) == 0
    assert len(await events(client, admin, geofence_id=fence["id"])) == 2
    assert len(await events(client, admin, customer_id=customer_id)) == 2
    window = await events(client, admin, **{"from": at(9), "to": at(20)})
    assert [e["kind"] for e in window] == ["exit"]
    first = await client.get("/v1/geofence-events", headers=admin.headers, params={"limit": 1})
    page = first.json()
    assert page["has_more"] is True
    assert page["data"][0]["kind"] == "exit"  # newest first
    second = await client.get(
        "/v1/geofence-events",
        headers=admin.headers,
        params={"limit": 1, "cursor": page["next_cursor"]},
    )
    assert [e["kind"] for e in second.json()["data"]] == ["enter"]


async def test_another_companys_fences_and_events_are_not_seen(client: httpx.AsyncClient) -> None:
    a = await signup(client, "A Co")
    b = await signup(client, "B Co")
    customer_id, location_id = await site(client, a)
    await add_fence(client, a, customer_id, location_id)
    # B drives through A's fence: A's fences are not B's.
    recorded = await post_positions(client, b, drive(THROUGH))
    assert recorded["events"] == []
    await post_positions(client, a, drive(THROUGH))
    assert await events(client, b) == []
    assert len(await events(client, a)) == 2


async def test_concurrent_batches_of_one_user_give_the_same_events(
    client: httpx.AsyncClient,
) -> None:
    """Two batches of a user at once queue on the user's tracking lock: the second sees
    what the first committed, whichever runs first."""
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    fence = await add_fence(client, admin, customer_id, location_id)
    positions = drive(THROUGH)
    await asyncio.gather(
        post_positions(client, admin, positions[10:]),
        post_positions(client, admin, positions[:10]),
    )
    assert crossings(await events(client, admin)) == [
        (fence["id"], "enter", at(8)),
        (fence["id"], "exit", at(13)),
    ]
