"""The connection pools of a deployment stay below PostgreSQL's max_connections: an API
process refuses to start when they could exceed it (app/config.py has the arithmetic)."""

from __future__ import annotations

import pytest

from app.config import ConnectionBudgetExceeded, Settings
from app.main import create_app
from tests.conftest import make_settings


def test_the_arithmetic_counts_every_process_pool_and_the_reserve() -> None:
    settings = Settings(
        database_pool_size=10,
        database_max_overflow=5,
        api_processes=4,
        worker_processes=2,
        database_reserved_connections=10,
    )
    assert settings.database_connections_needed() == (4 + 2) * (10 + 5) + 10
    settings.check_connection_budget(100)
    with pytest.raises(ConnectionBudgetExceeded) as refused:
        settings.check_connection_budget(99)
    message = str(refused.value)
    assert "max_connections" in message
    assert "API_PROCESSES 4" in message
    assert "DATABASE_POOL_SIZE 10" in message


async def test_the_app_refuses_to_start_beyond_the_servers_max_connections(
    database_url: str, redis_url: str
) -> None:
    # The test server's max_connections is in the hundreds at most.
    settings = make_settings(database_url, redis_url, api_processes=1000)
    application = create_app(settings)
    with pytest.raises(ConnectionBudgetExceeded):
        async with application.router.lifespan_context(application):
            pass  # pragma: no cover - never reached
