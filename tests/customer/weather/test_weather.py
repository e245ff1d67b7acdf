"""A customer's local weather: the provider's answer through its real HTTP protocol (a local
fake of OpenWeatherMap), its faults as problems, and the cache proven by the fake's hits.

Answers are cached in the shared Redis per postal code, so each test uses postal codes of
its own."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from tests.conftest import client_for, running
from tests.factories import Caller, create_customer, signup
from tests.fakes.weather import FakeWeather, Place, Slot


def _postal_code() -> str:
    return uuid.uuid4().hex[:8].upper()


async def _weather(
    client: httpx.AsyncClient, caller: Caller, customer_id: str, **params: str
) -> httpx.Response:
    return await client.get(
        f"/v1/customers/{customer_id}/weather", headers=caller.headers, params=params
    )


async def test_current_conditions_and_a_forecast_per_local_day(
    client: httpx.AsyncClient, fake_weather: FakeWeather
) -> None:
    admin = await signup(client)
    postal_code = _postal_code()
    pacific = timedelta(hours=-8)
    day = datetime(2026, 12, 8, tzinfo=UTC)
    fake_weather.places[postal_code] = Place(
        name="Oakland",
        utc_offset=pacific,
        temperature=11.0,
        feels_like=9.5,
        wind_speed=4.0,
        slots=[
            Slot(day + timedelta(hours=6), 8.0, 9.0, "Rain", "light rain", 0.8),  # 7th 22:00
            Slot(day + timedelta(hours=9), 6.0, 7.0, "Clouds", "overcast", 0.1),  # 8th 01:00
            Slot(day + timedelta(hours=18), 10.0, 12.0, "Clouds", "broken clouds"),  # 10:00
            Slot(day + timedelta(hours=21), 13.0, 15.0, "Clear", "clear sky", 0.25),  # 13:00
            Slot(day + timedelta(hours=33), 5.0, 6.0, "Snow", "snow", 0.5),  # 9th 01:00
        ],
    )
    customer_id = await create_customer(
        client, admin, postal_code=postal_code.lower(), country="US"
    )
    response = await _weather(client, admin, customer_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["postal_code"] == postal_code
    assert (body["country"], body["units"], body["place"]) == ("US", "metric", "Oakland")
    assert body["current"]["temperature"] == 11.0
    assert body["current"]["condition"] == "Clear"
    assert [
        (d["date"], d["temperature_min"], d["temperature_max"], d["condition"])
        for d in body["forecast"]
    ] == [
        ("2026-12-07", 8.0, 9.0, "Rain"),
        ("2026-12-08", 6.0, 15.0, "Clear"),
        ("2026-12-09", 5.0, 6.0, "Snow"),
    ]
    assert [d["precipitation_probability_percent"] for d in body["forecast"]] == [80, 25, 50]

    imperial = (await _weather(client, admin, customer_id, units="imperial")).json()
    assert imperial["units"] == "imperial"
    assert imperial["current"]["temperature"] == 51.8
    assert imperial["current"]["wind_speed"] == 8.9
    assert imperial["forecast"][1]["temperature_max"] == 59.0
    bad = await _weather(client, admin, customer_id, units="kelvin")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["units"]


async def test_a_customer_without_a_postal_code_has_no_weather(
    client: httpx.AsyncClient,
) -> None:
    admin = await signup(client)
    customer_id = await create_customer(client, admin)
    response = await _weather(client, admin, customer_id)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("postal-code-missing")
    assert problem["field"] == "postal_code"


async def test_the_country_defaults_to_the_servers(
    client: httpx.AsyncClient, fake_weather: FakeWeather
) -> None:
    admin = await signup(client)
    postal_code = _postal_code()
    customer_id = await create_customer(client, admin, postal_code=postal_code)
    response = await _weather(client, admin, customer_id)
    assert response.status_code == 200, response.text
    assert response.json()["country"] == "US"


async def test_an_unknown_postal_code_is_a_conflict_and_cached(
    client: httpx.AsyncClient, fake_weather: FakeWeather
) -> None:
    admin = await signup(client)
    postal_code = _postal_code()
    fake_weather.faults[postal_code] = "unknown"
    customer_id = await create_customer(client, admin, postal_code=postal_code, country="GB")
    for _ in range(2):
        response = await _weather(client, admin, customer_id)
        assert response.status_code == 409
        assert response.json()["type"].endswith("postal-code-unknown")
        assert response.json()["field"] == "postal_code"
    assert fake_weather.hits[("weather", postal_code)] == 1


@pytest.mark.parametrize("fault", ["error", "malformed", "timeout"])
async def test_a_failing_provider_is_a_503_with_retry_after_and_not_hammered(
    client: httpx.AsyncClient, fake_weather: FakeWeather, settings: Settings, fault: str
) -> None:
    admin = await signup(client)
    postal_code = _postal_code()
    fake_weather.faults[postal_code] = fault
    customer_id = await create_customer(client, admin, postal_code=postal_code)
    started = time.monotonic()
    response = await _weather(client, admin, customer_id)
    # One timeout bounds the whole call, whatever the provider does.
    assert time.monotonic() - started < settings.weather_timeout_seconds + 1.0
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert 1 <= int(response.headers["retry-after"]) <= settings.weather_failure_cache_seconds
    # The failure is cached briefly: the next requests do not ask again.
    for _ in range(3):
        again = await _weather(client, admin, customer_id)
        assert again.status_code == 503
        assert "retry-after" in again.headers
    assert fake_weather.hits[("weather", postal_code)] == 1


async def test_fifty_customers_in_one_town_cost_one_lookup(
    client: httpx.AsyncClient, fake_weather: FakeWeather
) -> None:
    admin = await signup(client)
    postal_code = _postal_code()
    other = _postal_code()
    customers = [await create_customer(client, admin, postal_code=postal_code) for _ in range(50)]
    elsewhere = await create_customer(client, admin, postal_code=other)
    # All at once: the requests that miss the cache together wait for one lookup.
    answers = await asyncio.gather(*(_weather(client, admin, c) for c in [*customers, elsewhere]))
    assert {a.status_code for a in answers} == {200}
    assert fake_weather.hits[("weather", postal_code)] == 1
    assert fake_weather.hits[("forecast", postal_code)] == 1
    assert fake_weather.hits[("weather", other)] == 1


async def test_without_a_key_weather_is_not_configured(settings: Settings, routes: FastAPI) -> None:
    unconfigured = settings.model_copy(update={"weather_api_key": None})
    async with running(unconfigured) as application:
        own_state = routes.state
        routes.state = application.state
        try:
            async with client_for(routes) as client:
                admin = await signup(client)
                customer_id = await create_customer(client, admin, postal_code="62701")
                response = await _weather(client, admin, customer_id)
        finally:
            routes.state = own_state
    assert response.status_code == 503
    assert "WEATHER_API_KEY" in response.json()["detail"]
    assert "retry-after" not in response.headers


async def test_another_companys_customer_is_not_found(client: httpx.AsyncClient) -> None:
    admin = await signup(client)
    stranger = await signup(client)
    customer_id = await create_customer(client, admin, postal_code=_postal_code())
    response = await _weather(client, stranger, customer_id)
    assert response.status_code == 404
