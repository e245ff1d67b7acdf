"""OpenWeatherMap's current weather and 5-day forecast for a postal code and a country.

Picked because both endpoints take `zip={postal code},{country}` directly, so one lookup
needs no geocoding step; the free plan covers them. The base URL and key are settings, so
tests (and a proxy) point it elsewhere. The gateway only speaks the provider's protocol:
caching and the deadline are the service's.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import structlog

from app.config import Settings
from app.customer.weather.schemas import CurrentWeather, ForecastDay, WeatherReport

log = structlog.get_logger(__name__)
FORECAST_DAYS = 5


class UnknownPostalCode(Exception):
    """The provider does not know the postal code in that country."""


class ProviderFailed(Exception):
    """The provider answered with an error, or with something unreadable."""


class OpenWeatherMap:
    def __init__(self, settings: Settings) -> None:
        if not settings.weather_api_key:
            raise ValueError("OpenWeatherMap needs WEATHER_API_KEY")
        self._key = settings.weather_api_key
        self._http = httpx.AsyncClient(
            base_url=settings.weather_api_base, timeout=settings.weather_timeout_seconds
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def report(self, postal_code: str, country: str) -> WeatherReport:
        params = {"zip": f"{postal_code},{country}", "appid": self._key, "units": "metric"}
        # Both asked at once; neither left running when the other fails.
        answers = await asyncio.gather(
            self._get("/data/2.5/weather", params),
            self._get("/data/2.5/forecast", params),
            return_exceptions=True,
        )
        current, forecast = answers
        if isinstance(current, BaseException):
            raise current
        if isinstance(forecast, BaseException):
            raise forecast
        try:
            return _report(current, forecast)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            log.warning("weather_unreadable", error=repr(exc))
            raise ProviderFailed("unreadable answer") from exc

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            log.warning("weather_unreachable", path=path, error=repr(exc))
            raise ProviderFailed("unreachable") from exc
        if response.status_code == 404:
            raise UnknownPostalCode(params["zip"])
        if response.status_code != 200:
            log.warning("weather_error", path=path, status=response.status_code)
            raise ProviderFailed(f"status {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            log.warning("weather_unreadable", path=path, error=repr(exc))
            raise ProviderFailed("not JSON") from exc
        if not isinstance(body, dict):
            raise ProviderFailed("not an object")
        return body


def _report(current: dict[str, Any], forecast: dict[str, Any]) -> WeatherReport:
    condition = current["weather"][0]
    return WeatherReport(
        place=str(current["name"]),
        observed_at=datetime.fromtimestamp(int(current["dt"]), UTC),
        current=CurrentWeather(
            temperature=float(current["main"]["temp"]),
            feels_like=float(current["main"]["feels_like"]),
            humidity_percent=int(current["main"]["humidity"]),
            wind_speed=float(current["wind"]["speed"]),
            condition=str(condition["main"]),
            description=str(condition["description"]),
            icon=condition.get("icon"),
        ),
        forecast=_days(forecast["list"], timedelta(seconds=int(forecast["city"]["timezone"]))),
    )


def _days(slots: list[dict[str, Any]], utc_offset: timedelta) -> list[ForecastDay]:
    """The 3-hour slots summed up per local date: lowest and highest temperature, the
    condition nearest midday, the highest chance of precipitation."""
    by_day: dict[date, list[tuple[datetime, dict[str, Any]]]] = defaultdict(list)
    for slot in slots:
        local = datetime.fromtimestamp(int(slot["dt"]), UTC) + utc_offset
        by_day[local.date()].append((local, slot))
    days = []
    for day in sorted(by_day)[:FORECAST_DAYS]:
        entries = by_day[day]
        _, midday = min(entries, key=lambda entry: abs(entry[0].hour - 12))
        days.append(
            ForecastDay(
                date=day,
                temperature_min=min(float(slot["main"]["temp_min"]) for _, slot in entries),
                temperature_max=max(float(slot["main"]["temp_max"]) for _, slot in entries),
                condition=str(midday["weather"][0]["main"]),
                description=str(midday["weather"][0]["description"]),
                precipitation_probability_percent=round(
                    100 * max(float(slot.get("pop", 0)) for _, slot in entries)
                ),
            )
        )
    return days
