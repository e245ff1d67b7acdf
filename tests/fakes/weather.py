"""A local fake of OpenWeatherMap's current weather (`/data/2.5/weather`) and 5-day forecast
(`/data/2.5/forecast`), queried by `zip={postal code},{country}`, for tests.

Every postal code is known and has the same weather unless a test gives it its own
(`fake.places[...]`) or a fault (`fake.faults[...]`): "error" answers 500, "timeout" holds
the request for 10 s, "malformed" answers a body that is not JSON, "unknown" answers the
provider's 404 "city not found". `fake.hits` counts the requests per (endpoint, zip), so a
test can prove what the cache saved. A wrong `appid` gets the provider's 401.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import LocalServer

API_KEY = "owm-test-key"
NOW = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


@dataclass
class Slot:
    """One 3-hour forecast slot."""

    at: datetime
    temp_min: float
    temp_max: float
    condition: str = "Clouds"
    description: str = "few clouds"
    pop: float = 0.0


@dataclass
class Place:
    name: str = "Springfield"
    utc_offset: timedelta = timedelta(0)
    temperature: float = 21.5
    feels_like: float = 20.9
    humidity: int = 55
    wind_speed: float = 3.6
    condition: str = "Clear"
    description: str = "clear sky"
    slots: list[Slot] = field(
        default_factory=lambda: [
            Slot(NOW + timedelta(hours=3 * i), 10.0 + i % 8, 12.0 + i % 8) for i in range(40)
        ]
    )


class FakeWeather:
    def __init__(self) -> None:
        self.places: dict[str, Place] = {}
        self.faults: dict[str, str] = {}
        self.hits: Counter[tuple[str, str]] = Counter()
        self._stopping = threading.Event()
        self._server: LocalServer | None = None
        self.url = ""

    def start(self) -> FakeWeather:
        self._stopping.clear()
        app = Starlette(
            routes=[
                Route("/data/2.5/weather", self._current),
                Route("/data/2.5/forecast", self._forecast),
            ]
        )
        self._server = LocalServer(app, "fake-weather")
        self.url = self._server.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.stop()
        self._server = None

    async def _current(self, request: Request) -> Response:
        fault = await self._fault(request, "weather")
        if fault is not None:
            return fault
        place = self._place(request)
        body = {
            "coord": {"lon": -89.65, "lat": 39.78},
            "weather": [
                {
                    "id": 800,
                    "main": place.condition,
                    "description": place.description,
                    "icon": "01d",
                }
            ],
            "main": {
                "temp": place.temperature,
                "feels_like": place.feels_like,
                "pressure": 1016,
                "humidity": place.humidity,
            },
            "wind": {"speed": place.wind_speed, "deg": 270},
            "dt": int(NOW.timestamp()),
            "timezone": int(place.utc_offset.total_seconds()),
            "name": place.name,
            "cod": 200,
        }
        return JSONResponse(body)

    async def _forecast(self, request: Request) -> Response:
        fault = await self._fault(request, "forecast")
        if fault is not None:
            return fault
        place = self._place(request)
        slots: list[dict[str, Any]] = [
            {
                "dt": int(slot.at.timestamp()),
                "main": {
                    "temp": slot.temp_max,
                    "temp_min": slot.temp_min,
                    "temp_max": slot.temp_max,
                },
                "weather": [
                    {"main": slot.condition, "description": slot.description, "icon": "02d"}
                ],
                "pop": slot.pop,
                "dt_txt": slot.at.strftime("%Y-%m-%d %H:%M:%S"),
            }
            for slot in place.slots
        ]
        city = {"name": place.name, "timezone": int(place.utc_offset.total_seconds())}
        return JSONResponse({"cod": "200", "cnt": len(slots), "list": slots, "city": city})

    def _place(self, request: Request) -> Place:
        return self.places.get(_postal_code(request), Place())

    async def _fault(self, request: Request, endpoint: str) -> Response | None:
        postal_code = _postal_code(request)
        self.hits[(endpoint, postal_code)] += 1
        if request.query_params.get("appid") != API_KEY:
            return JSONResponse({"cod": 401, "message": "Invalid API key."}, status_code=401)
        if request.query_params.get("units") != "metric":
            return JSONResponse({"cod": "400", "message": "units expected"}, status_code=400)
        fault = self.faults.get(postal_code)
        if fault == "timeout":
            for _ in range(200):
                if self._stopping.is_set():
                    break
                await asyncio.sleep(0.05)
        return CANNED[fault]() if fault is not None else None


CANNED: dict[str, Callable[[], Response]] = {
    "unknown": lambda: JSONResponse({"cod": "404", "message": "city not found"}, status_code=404),
    "error": lambda: JSONResponse({"cod": 500, "message": "Internal error"}, status_code=500),
    "malformed": lambda: Response("<html>upstream timeout</html>", media_type="application/json"),
    "timeout": lambda: JSONResponse({"cod": 504}, status_code=504),
}


def _postal_code(request: Request) -> str:
    return request.query_params.get("zip", "").split(",")[0]
