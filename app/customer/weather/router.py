from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.auth.dependencies import CustomersRead
from app.customer.weather import service
from app.customer.weather.gateway import OpenWeatherMap
from app.customer.weather.schemas import CustomerWeatherRead, Units
from app.kit.dependencies import RedisDep, SessionDep, SettingsDep, from_state
from app.kit.problem import problem_responses
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/v1/customers", route_class=UnitOfWorkRoute, tags=["customers"])

WeatherDep = Annotated[OpenWeatherMap | None, Depends(from_state("weather", object))]


@router.get(
    "/{customer_id:uuid}/weather",
    operation_id="customers_weather",
    responses=problem_responses(404, 409, 503),
)
async def customer_weather(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    gateway: WeatherDep,
    units: Annotated[Units, Query(description="`metric` (°C, m/s) or `imperial` (°F, mph).")] = (
        "metric"
    ),
) -> CustomerWeatherRead:
    """Current conditions and a short forecast for the customer's postal code (in their
    country, or the server's default). 409 `postal-code-missing` without a postal code,
    409 `postal-code-unknown` when the provider does not know it, 503 with Retry-After
    when the provider fails or is slow (answers and failures are cached per postal code)."""
    return await service.customer_weather(
        session,
        principal,
        customer_id,
        units=units,
        gateway=gateway,
        redis=redis,
        settings=settings,
    )
