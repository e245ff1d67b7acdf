"""Test harness: a database of our own on a real PostgreSQL, a real Redis, the app called
over HTTP through httpx's ASGI transport.

`TEST_DATABASE_URL` / `TEST_REDIS_URL` name the servers (CI sets them); without them the
embedded servers start under `.trackr-data-test/`, away from `make run`'s data. Each test
session migrates a fresh database with `alembic upgrade head`, so the migrations are tested
too. Tests isolate themselves by signing up companies of their own.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from app.main import create_app
from tests.fakes.stripe import FakeStripe

ROOT = Path(__file__).resolve().parent.parent


def _service_urls() -> tuple[str, str]:
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if database_url and redis_url:
        return database_url, redis_url
    from devtools.embedded import ensure_test_services

    embedded_db, embedded_redis = ensure_test_services(ROOT / ".trackr-data-test")
    return database_url or embedded_db, redis_url or embedded_redis


async def _create_database(server_url: str, name: str) -> str:
    url = make_url(server_url)
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_database(server_url: str, name: str) -> None:
    admin = create_async_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    # ConfigParser interpolates "%": escape it (a socket path or password is %-encoded).
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture(scope="session")
def server_urls() -> tuple[str, str]:
    return _service_urls()


@pytest.fixture(scope="session")
def database_url(server_urls: tuple[str, str]) -> Iterator[str]:
    """A fresh database for this test session, migrated to head."""
    server_url = server_urls[0]
    name = f"trackr_test_{uuid.uuid4().hex[:12]}"
    url = asyncio.run(_create_database(server_url, name))
    command.upgrade(alembic_config(url), "head")
    yield url
    asyncio.run(_drop_database(server_url, name))


@pytest.fixture(scope="session")
def redis_url(server_urls: tuple[str, str]) -> str:
    return server_urls[1]


STRIPE_API_KEY = "sk_test_trackr"
STRIPE_WEBHOOK_SECRET = "whsec_test_trackr"


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    """The local Stripe every test app talks to through the real SDK (tests/fakes)."""
    fake = FakeStripe(prices=FakeStripe.default_prices())
    fake.start()
    yield fake
    fake.stop()


def stripe_settings(fake: FakeStripe) -> dict[str, object]:
    return {
        "stripe_api_key": STRIPE_API_KEY,
        "stripe_webhook_secret": STRIPE_WEBHOOK_SECRET,
        "stripe_api_base": fake.url,
        "stripe_timeout_seconds": 2.0,
    }


def make_settings(database_url: str, redis_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "redis_url": redis_url,
        "secret_key": "test-secret-key-that-is-long-enough-for-hs256",
        "rate_limit_per_minute": 100_000,
        "rate_limit_public_per_minute": 100_000,
        "log_json": True,
        "log_level": "WARNING",
        "database_pool_size": 5,
        "database_max_overflow": 5,
        # Uploaded files land with the test servers' data, not in `make run`'s.
        "files_dir": ROOT / ".trackr-data-test" / "files",
        # A queue of this test session's own: no worker outside it takes these jobs.
        "arq_queue_name": f"arq:queue:test-{uuid.uuid4().hex[:8]}",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, fake_stripe: FakeStripe) -> Settings:
    return make_settings(database_url, redis_url, **stripe_settings(fake_stripe))


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


def client_for(application: FastAPI, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=application, client=(client_ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://trackr.test")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http
