"""Geofences of a service location: shapes, validation, ETags, tenancy, the map, and the
location's delete."""

from __future__ import annotations

import httpx

from tests.customer.location.helpers import error_fields, location_url
from tests.factories import signup
from tests.geofence.helpers import LAT, LON, add_fence, circle, fences_url, site, square


async def test_create_read_update_delete(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    fence = await add_fence(
        client, admin, customer_id, location_id, color="#ff8800", notify_user_ids=[admin.user_id]
    )
    assert fence["color"] == "#FF8800"
    assert fence["alert_on"] == "both"
    assert fence["geometry"] == circle()
    assert fence["notify_user_ids"] == [admin.user_id]
    west, south, east, north = fence["bbox"]
    assert west < LON < east
    assert south < LAT < north
    url = fences_url(customer_id, location_id, fence["id"])
    got = await client.get(url, headers=admin.headers)
    assert got.json() == fence
    stale = await client.patch(
        url, headers={**admin.headers, "If-Match": '"7"'}, json={"name": "X"}
    )
    assert stale.status_code == 412
    changed = await client.patch(
        url,
        headers={**admin.headers, "If-Match": '"1"'},
        json={"notify_user_ids": [], "geometry": square(6.99, 44.99, 7.01, 45.01)},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["notify_user_ids"] == []
    assert changed.json()["bbox"] == [6.99, 44.99, 7.01, 45.01]
    listed = await client.get(fences_url(customer_id, location_id), headers=admin.headers)
    assert [f["id"] for f in listed.json()["data"]] == [fence["id"]]
    deleted = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404


async def test_invalid_shapes_are_refused_naming_the_field(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    url = fences_url(customer_id, location_id)
    bow_tie = [[7.0, 45.0], [7.01, 45.01], [7.01, 45.0], [7.0, 45.01], [7.0, 45.0]]
    open_ring = [[7.0, 45.0], [7.01, 45.0], [7.01, 45.01], [7.0, 45.01]]
    too_many = [[7.0 + 0.0001 * i, 45.0 + (i % 2) * 0.0001] for i in range(500)]
    for ring, field, message in (
        (bow_tie, "geometry.coordinates", "Self-intersection"),
        (open_ring, "geometry.coordinates", "not closed"),
        # Beyond the contract's maxItems: refused while parsing, naming the ring.
        ([*too_many, [6.99, 45.01], too_many[0]], "geometry.Polygon.coordinates.0", "501"),
    ):
        response = await client.post(
            url,
            headers=admin.headers,
            json={"name": "Bad", "geometry": {"type": "Polygon", "coordinates": [ring]}},
        )
        assert error_fields(response) == [field], response.text
        assert message in response.text
    tiny = await client.post(
        url, headers=admin.headers, json={"name": "Tiny", "geometry": circle(radius_m=5)}
    )
    assert error_fields(tiny) == ["geometry.Circle.radius_m"]
    stranger = await signup(client, "Other Co")
    foreign = await client.post(
        url,
        headers=admin.headers,
        json={"name": "F", "geometry": circle(), "notify_user_ids": [stranger.user_id]},
    )
    assert error_fields(foreign) == ["notify_user_ids"]


async def test_another_companys_fence_is_not_found(client: httpx.AsyncClient) -> None:
    a = await signup(client, "A Co")
    b = await signup(client, "B Co")
    customer_id, location_id = await site(client, a)
    fence = await add_fence(client, a, customer_id, location_id)
    url = fences_url(customer_id, location_id, fence["id"])
    assert (await client.get(url, headers=b.headers)).status_code == 404
    assert (await client.delete(url, headers=b.headers)).status_code == 404
    # Under another location of A's, the fence is as missing.
    c2, l2 = await site(client, a, "Other Depot")
    assert (await client.get(fences_url(c2, l2, fence["id"]), headers=a.headers)).status_code == 404
    mapped = await client.get(
        "/v1/geofences", headers=b.headers, params={"bbox": "-180,-90,180,90"}
    )
    assert mapped.json()["features"] == []


async def test_the_map_gives_geojson_of_the_fences_in_the_box(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    near = await add_fence(client, admin, customer_id, location_id)
    far = await add_fence(
        client, admin, customer_id, location_id, geometry=square(8.0, 46.0, 8.01, 46.01)
    )
    response = await client.get(
        "/v1/geofences", headers=admin.headers, params={"bbox": "6.9,44.9,7.1,45.1"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["truncated"] is False
    [feature] = collection["features"]
    assert feature["id"] == near["id"]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    assert feature["properties"]["shape"] == "circle"
    assert feature["properties"]["radius_m"] == 200
    # A box touching only the far fence's corner, and one across the antimeridian.
    corner = await client.get(
        "/v1/geofences", headers=admin.headers, params={"bbox": "8.01,46.01,9,47"}
    )
    assert [f["id"] for f in corner.json()["features"]] == [far["id"]]
    wrapped = await client.get(
        "/v1/geofences", headers=admin.headers, params={"bbox": "170,-10,-170,10"}
    )
    assert wrapped.json()["features"] == []
    everything = await client.get(
        "/v1/geofences", headers=admin.headers, params={"bbox": "-180,-90,180,90", "limit": 1}
    )
    assert everything.json()["truncated"] is True
    for bad in ("1,2,3", "a,b,c,d", "0,50,1,40", "0,0,200,1", "nan,0,1,1"):
        refused = await client.get("/v1/geofences", headers=admin.headers, params={"bbox": bad})
        assert error_fields(refused) == ["bbox"], bad


async def test_deleting_the_location_counts_its_fences_then_deletes_them(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id, location_id = await site(client, admin)
    fence = await add_fence(client, admin, customer_id, location_id)
    refused = await client.delete(location_url(customer_id, location_id), headers=admin.headers)
    assert refused.status_code == 409
    assert refused.json()["geofences_count"] == 1
    deleted = await client.delete(
        location_url(customer_id, location_id),
        headers=admin.headers,
        params={"detach": "true"},
    )
    assert deleted.status_code == 204
    mapped = await client.get(
        "/v1/geofences", headers=admin.headers, params={"bbox": "-180,-90,180,90"}
    )
    assert fence["id"] not in {f["id"] for f in mapped.json()["features"]}
