"""A customer's local weather, as Trackr answers it whatever the provider."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

Units = Literal["metric", "imperial"]


class CurrentWeather(BaseModel):
    temperature: float = Field(description="°C (metric) or °F (imperial).")
    feels_like: float = Field(description="°C (metric) or °F (imperial).")
    humidity_percent: int
    wind_speed: float = Field(description="m/s (metric) or mph (imperial).")
    condition: str = Field(description="One word: `Clear`, `Clouds`, `Rain`, `Snow`, ...")
    description: str = Field(description="The provider's wording: `light rain`.")
    icon: str | None = Field(description="The provider's icon code, for its icon set.")


class ForecastDay(BaseModel):
    date: dt.date = Field(description="A local date at the postal code.")
    temperature_min: float
    temperature_max: float
    condition: str = Field(description="Around midday.")
    description: str
    precipitation_probability_percent: int = Field(description="The day's highest.")


class WeatherReport(BaseModel):
    """What the provider said about a postal code, in metric units: what is cached."""

    place: str
    observed_at: dt.datetime
    current: CurrentWeather
    forecast: list[ForecastDay]


class CustomerWeatherRead(BaseModel):
    customer_id: uuid.UUID
    postal_code: str
    country: str = Field(
        description="ISO 3166-1 alpha-2: the customer's, or the server's default when unset."
    )
    units: Units
    place: str = Field(description="The provider's name for the postal code's town.")
    observed_at: dt.datetime
    current: CurrentWeather
    forecast: list[ForecastDay] = Field(description="Today and the next days (up to 5).")
