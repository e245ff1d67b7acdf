from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.auth.dependencies import PROBE
from app.kit.dependencies import RedisDep, get_sessions
from app.kit.schemas import ReadSchema
from app.kit.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/health", route_class=UnitOfWorkRoute, tags=["health"])

CHECK_TIMEOUT_SECONDS = 2.0


class Health(ReadSchema):
    status: str
    database: str | None = None
    redis: str | None = None


@router.get("/live", operation_id="health_live", dependencies=[PROBE])
async def live() -> Health:
    """The process is up. Says nothing about its dependencies."""
    return Health(status="ok")


@router.get(
    "/ready",
    operation_id="health_ready",
    dependencies=[PROBE],
    responses={503: {"model": Health, "description": "PostgreSQL or Redis is unreachable"}},
)
async def ready(request: Request, redis: RedisDep) -> JSONResponse:
    """Ready to serve: PostgreSQL and Redis both answer (503 naming the one that does not)."""

    async def database() -> None:
        async with get_sessions(request)() as session:
            await session.execute(text("SELECT 1"))

    async def cache() -> None:
        await redis.ping()

    results = {}
    for name, check in (("database", database), ("redis", cache)):
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            results[name] = "unavailable"
    healthy = all(v == "ok" for v in results.values())
    body = Health(status="ok" if healthy else "unavailable", **results)
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)
