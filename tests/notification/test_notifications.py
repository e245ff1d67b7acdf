"""The control panel (`/v1/me/notifications`): each user sees, and marks read, their own
notifications only; an API key acts for its creator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import Caller, api_key, member, signup
from tests.notification.factories import order_with_reminder, scan_at

NOON = datetime(2031, 8, 20, 12, 0, tzinfo=UTC)
LIST = "/v1/me/notifications"


def _read_url(notification_id: str) -> str:
    return f"{LIST}/{notification_id}/read"


async def _ids(client: httpx.AsyncClient, caller: Caller, **params: Any) -> list[str]:
    response = await client.get(LIST, headers=caller.headers, params=params)
    assert response.status_code == 200, response.text
    return [n["id"] for n in response.json()["data"]]


async def _notified(
    client: httpx.AsyncClient, app: FastAPI, admin: Caller, users: list[str], days: list[int]
) -> None:
    """A reminder for each day of August 2031 in `days`, on an order of these users, due."""
    for day in days:
        await order_with_reminder(client, admin, f"2031-08-{day:02}", users, title=f"Day {day}")
    await scan_at(app, NOON)


async def test_each_user_lists_their_own_newest_first_in_pages(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    crew = await member(client, admin, [])
    await _notified(client, app, admin, [admin.user_id, crew.user_id], [3])
    await _notified(client, app, admin, [admin.user_id], [1, 2])
    stranger = await signup(client, "Other Co")
    await _notified(client, app, stranger, [stranger.user_id], [4])

    mine = await client.get(LIST, headers=admin.headers)
    titles = [n["order_title"] for n in mine.json()["data"]]
    # Newest first: the second scan's two (either order within it), then the first's.
    assert sorted(titles[:2]) == ["Day 1", "Day 2"]
    assert titles[2:] == ["Day 3"]
    assert [
        n["order_title"] for n in (await client.get(LIST, headers=crew.headers)).json()["data"]
    ] == ["Day 3"]
    assert len(await _ids(client, stranger)) == 1

    first = await client.get(LIST, headers=admin.headers, params={"limit": 2})
    assert first.json()["has_more"] is True
    rest = await _ids(client, admin, limit=2, cursor=first.json()["next_cursor"])
    assert [n["id"] for n in first.json()["data"]] + rest == [n["id"] for n in mine.json()["data"]]
    # A cursor is the company's and the list's own.
    foreign = await client.get(
        LIST, headers=stranger.headers, params={"cursor": first.json()["next_cursor"]}
    )
    assert foreign.status_code == 422
    assert [e["field"] for e in foreign.json()["errors"]] == ["cursor"]


async def test_read_marks_one_and_is_idempotent(client: httpx.AsyncClient, app: FastAPI) -> None:
    admin = await signup(client)
    await _notified(client, app, admin, [admin.user_id], [1, 2])
    newest, oldest = await _ids(client, admin)
    read = await client.post(_read_url(oldest), headers=admin.headers)
    assert read.status_code == 200, read.text
    assert read.json()["id"] == oldest
    assert read.json()["read_at"] is not None
    again = await client.post(_read_url(oldest), headers=admin.headers)
    assert again.status_code == 200
    assert again.json() == read.json()  # the first read time stays
    assert await _ids(client, admin, unread="true") == [newest]
    assert await _ids(client, admin, unread="false") == [oldest]
    bad = await client.get(LIST, headers=admin.headers, params={"unread": "maybe"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["unread"]


async def test_read_all_marks_the_callers_unread_ones(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    crew = await member(client, admin, [])
    await _notified(client, app, admin, [admin.user_id, crew.user_id], [1, 2, 3])
    (first, *_) = await _ids(client, admin)
    await client.post(_read_url(first), headers=admin.headers)
    marked = await client.post(f"{LIST}/read-all", headers=admin.headers)
    assert marked.status_code == 200, marked.text
    assert marked.json() == {"updated": 2}
    assert await _ids(client, admin, unread="true") == []
    assert (await client.post(f"{LIST}/read-all", headers=admin.headers)).json() == {"updated": 0}
    # The crew's are theirs to read.
    assert len(await _ids(client, crew, unread="true")) == 3


async def test_another_users_or_companys_notification_is_404(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    crew = await member(client, admin, [])
    stranger = await signup(client, "Other Co")
    await _notified(client, app, admin, [crew.user_id], [5])
    await _notified(client, app, stranger, [stranger.user_id], [5])
    (crews,) = await _ids(client, crew)
    (strangers,) = await _ids(client, stranger)
    for caller, notification_id in (
        (admin, crews),
        (admin, strangers),
        (stranger, crews),
        (crew, strangers),
        (crew, "0195f3c2-8a4b-7c1d-9e2f-3a4b5c6d7e8f"),
    ):
        response = await client.post(_read_url(notification_id), headers=caller.headers)
        assert response.status_code == 404, response.text
    assert await _ids(client, crew, unread="true") == [crews]
    assert await _ids(client, stranger, unread="true") == [strangers]


async def test_an_api_key_acts_for_its_creator_and_anyone_signed_in_may(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    admin = await signup(client)
    crew = await member(client, admin, ["api_keys:manage"])
    key = await api_key(client, crew, ["api_keys:manage"])
    await _notified(client, app, admin, [crew.user_id], [6])
    (notification_id,) = await _ids(client, key)
    assert (await client.post(_read_url(notification_id), headers=key.headers)).status_code == 200
    assert await _ids(client, crew, unread="false") == [notification_id]
    assert (await client.get(LIST)).status_code == 401
    assert (await client.post(f"{LIST}/read-all")).status_code == 401
