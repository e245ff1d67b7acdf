"""A customer's local weather (seed 000): the provider's answer for the customer's postal
code, cached in Redis per postal code.

A lookup is bounded by one deadline (`weather_timeout_seconds`), whatever happens: the
provider slow or dead, or another request already asking it. Answers are kept for
`weather_cache_seconds` (so a list of 50 customers in one town costs one lookup), and a
failure for `weather_failure_cache_seconds` (so a dead provider is asked once in that
time, not by every request). Requests that miss the cache together do not all ask: one
takes a lock and asks, the others wait for its answer in the cache, across processes.
"""

from __future__ import annotations

import asyncio
import json
import uuid

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.config import Settings
from app.customer import service as customer_service
from app.customer.weather.gateway import OpenWeatherMap, ProviderFailed, UnknownPostalCode
from app.customer.weather.schemas import (
    CurrentWeather,
    CustomerWeatherRead,
    ForecastDay,
    Units,
    WeatherReport,
)
from app.errors import Conflict, ServiceUnavailable

# How often a request waiting for another's lookup looks at the cache.
POLL_SECONDS = 0.05
UNKNOWN = "unknown"
UNAVAILABLE = "unavailable"


class NoPostalCode(Conflict):
    code = "postal-code-missing"
    title = "No postal code"


class PostalCodeUnknown(Conflict):
    code = "postal-code-unknown"
    title = "Postal code unknown"


class WeatherNotConfigured(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("Weather is not configured on this server: set WEATHER_API_KEY.")


class WeatherUnavailable(ServiceUnavailable):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "The weather service did not answer; try again in a few minutes.",
        )
        self.headers = {"Retry-After": str(retry_after)}


async def customer_weather(
    session: AsyncSession,
    principal: Principal,
    customer_id: uuid.UUID,
    *,
    units: Units,
    gateway: OpenWeatherMap | None,
    redis: Redis,
    settings: Settings,
) -> CustomerWeatherRead:
    customer = await customer_service.customer_or_404(session, principal.company_id, customer_id)
    if not customer.postal_code:
        raise NoPostalCode(
            "The customer has no postal code, so their local weather is unknown.",
            field="postal_code",
        )
    if gateway is None:
        raise WeatherNotConfigured()
    postal_code = customer.postal_code.strip().upper()
    country = customer.country or settings.weather_default_country
    report = await _lookup(gateway, redis, settings, postal_code, country)
    if report is None:
        raise PostalCodeUnknown(
            f"The weather service does not know postal code {postal_code} in {country}.",
            field="postal_code",
        )
    return CustomerWeatherRead(
        customer_id=customer.id,
        postal_code=postal_code,
        country=country,
        units=units,
        place=report.place,
        observed_at=report.observed_at,
        current=_current(report.current, units),
        forecast=[_day(day, units) for day in report.forecast],
    )


async def _lookup(
    gateway: OpenWeatherMap, redis: Redis, settings: Settings, postal_code: str, country: str
) -> WeatherReport | None:
    """The cached answer, or the provider's within the deadline; None: unknown code."""
    key = f"weather:{country}:{postal_code}"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.weather_timeout_seconds
    while True:
        cached = await redis.get(key)
        if cached is not None:
            return await _decoded(cached, redis, key)
        if await redis.set(f"{key}:lock", 1, nx=True, px=_millis(deadline - loop.time())):
            try:
                entry, ttl = await _ask(gateway, settings, postal_code, country, deadline)
                await redis.set(key, entry, ex=ttl)
            finally:
                await redis.delete(f"{key}:lock")
            return await _decoded(entry.encode(), redis, key)
        if loop.time() + POLL_SECONDS > deadline:
            raise WeatherUnavailable(settings.weather_failure_cache_seconds)
        await asyncio.sleep(POLL_SECONDS)


async def _ask(
    gateway: OpenWeatherMap, settings: Settings, postal_code: str, country: str, deadline: float
) -> tuple[str, int]:
    """The cache entry for the provider's answer, and how long to keep it."""
    try:
        async with asyncio.timeout_at(deadline):
            report = await gateway.report(postal_code, country)
    except UnknownPostalCode:
        return json.dumps({"state": UNKNOWN}), settings.weather_cache_seconds
    except (ProviderFailed, TimeoutError):
        return json.dumps({"state": UNAVAILABLE}), settings.weather_failure_cache_seconds
    return report.model_dump_json(), settings.weather_cache_seconds


async def _decoded(entry: bytes, redis: Redis, key: str) -> WeatherReport | None:
    """The report a cache entry holds; None for an unknown code; a failure raises, with
    Retry-After the time the failure is still kept (asked only then: a hit costs one
    round trip)."""
    value = json.loads(entry)
    if value.get("state") == UNKNOWN:
        return None
    if value.get("state") == UNAVAILABLE:
        raise WeatherUnavailable(max(await redis.ttl(key), 1))
    return WeatherReport.model_validate(value)


def _millis(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


def _current(current: CurrentWeather, units: Units) -> CurrentWeather:
    if units == "metric":
        return current
    return current.model_copy(
        update={
            "temperature": _fahrenheit(current.temperature),
            "feels_like": _fahrenheit(current.feels_like),
            "wind_speed": round(current.wind_speed * 2.236936, 1),
        }
    )


def _day(day: ForecastDay, units: Units) -> ForecastDay:
    if units == "metric":
        return day
    return day.model_copy(
        update={
            "temperature_min": _fahrenheit(day.temperature_min),
            "temperature_max": _fahrenheit(day.temperature_max),
        }
    )


def _fahrenheit(celsius: float) -> float:
    return round(celsius * 9 / 5 + 32, 1)
