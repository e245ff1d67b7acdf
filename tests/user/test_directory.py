"""The user directory: the company's active users, id and name only, for any signed-in
caller or API key (the user pickers), by name in keyset pages."""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD, api_key, member, signup, unique_email


async def _user(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    response = await client.post(
        "/v1/users",
        headers=headers,
        json={"email": unique_email("dir"), "name": name, "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


async def test_anyone_of_the_company_lists_its_active_users_by_name(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)  # "Ada Admin"
    # The Basic plan's three active users: a disabled one frees a seat.
    bob = await _user(client, admin.headers, "Bob Installer")
    gone = await _user(client, admin.headers, "Gone Former")
    disabled = await client.post(f"/v1/users/{gone}/disable", headers=admin.headers)
    assert disabled.status_code == 200
    nobody_special = await member(client, admin, ["orders:read"])  # "Mo Member"
    key = await api_key(client, admin, ["reports:read"])
    other = await signup(client)
    await _user(client, other.headers, "Other Company Person")

    for caller in (nobody_special, key, admin):
        response = await client.get("/v1/directory/users", headers=caller.headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == [
            {"id": admin.user_id, "name": "Ada Admin"},
            {"id": bob, "name": "Bob Installer"},
            {"id": nobody_special.user_id, "name": "Mo Member"},
        ]
    unauthenticated = await client.get("/v1/directory/users")
    assert unauthenticated.status_code == 401


async def test_the_directory_pages_and_filters_by_name(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    # Namesakes: the id breaks the tie, so a page boundary between them loses neither.
    sams = sorted([await _user(client, admin.headers, "Sam Smith") for _ in range(2)])
    cases: list[tuple[dict[str, str | int], list[str]]] = [
        ({"limit": 1}, [admin.user_id, *sams]),
        ({"limit": 1, "q": "sAM s"}, sams),
    ]
    for first, expected in cases:
        seen: list[str] = []
        params: dict[str, str | int] = dict(first)
        while True:
            response = await client.get("/v1/directory/users", headers=admin.headers, params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            seen += [u["id"] for u in page["data"]]
            if page["next_cursor"] is None:
                break
            params = {**params, "cursor": page["next_cursor"]}
        assert seen == expected
    # `q` is a substring, not a pattern.
    percent = await client.get("/v1/directory/users", headers=admin.headers, params={"q": "%"})
    assert percent.json()["data"] == []
    nul = await client.get("/v1/directory/users", headers=admin.headers, params={"q": "a\x00"})
    assert nul.status_code == 422
