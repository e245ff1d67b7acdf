"""Test harness: a database of each test's own on a real PostgreSQL, a real Redis, the app
called over HTTP through httpx's ASGI transport.

`TEST_DATABASE_URL` / `TEST_REDIS_URL` name the servers (CI sets them); without them the
embedded servers start under `.trackr-data-test/`, away from `make run`'s data.

Each test session (each pytest-xdist worker) migrates a template database with `alembic
upgrade head`, so the migrations are tested too. Every test that asks for `app`, `client`,
`settings` or `database_url` gets a clone of it (`CREATE DATABASE ... TEMPLATE`), its own
app bound to it, and its own arq queue and files folder: no test sees another's rows, so
none needs far-off dates or "at least" counts to keep out of another's way. The clone is
real, committed storage, so worker processes, concurrent requests and live servers see
what the test wrote. A module whose tests share rows on purpose (one company probed by
many tests) overrides `app` (or `database_url`) with a module-scoped fixture returning
`module_app` (or `module_database_url`).
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.config import Config
from arq.constants import job_key_prefix
from fastapi import FastAPI
from sqlalchemy import URL, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from app.main import create_app
from tests.fakes.stripe import FakeStripe
from tests.fakes.weather import API_KEY as WEATHER_API_KEY
from tests.fakes.weather import FakeWeather

ROOT = Path(__file__).resolve().parent.parent
# Clones made ahead of the tests that take them: enough to cover a run of short tests.
READY_DATABASES = 2
# Used clones dropped at once: each DROP DATABASE waits for a checkpoint, and concurrent
# ones share it (8 drops: ~0.06 s at once, ~0.7 s one after another).
DROPS_AT_ONCE = 4


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


class DatabasePool:
    """Clones of a migrated template, made ahead of the tests that take them and dropped
    after them by a thread of its own, so that neither adds to a test's time.

    The thread runs an event loop with two tasks: one keeps READY_DATABASES clones ready
    (`CREATE DATABASE ... TEMPLATE`, ~0.1 s), the other drops the used ones a batch at a
    time. A test waits only when a run of tests shorter than a clone outruns the ready ones.
    """

    def __init__(self, server_url: str, template: str) -> None:
        self._server: URL = make_url(server_url)
        self._template = template
        # Shared with the tests' thread, under `_changed`:
        self._ready: list[str] = []
        self._used: list[str] = []
        self._stopping = False
        self._error: BaseException | None = None
        self._changed = threading.Condition()
        # The pool's own thread and loop; the tests' thread wakes it with `_poke`.
        self._loop = asyncio.new_event_loop()
        self._taken = asyncio.Event()
        self._given_back = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="database-pool", daemon=True)
        self._thread.start()

    @contextmanager
    def database(self) -> Iterator[str]:
        """The URL of a fresh clone of the template, dropped once the block exits."""
        with self._changed:
            while not self._ready:
                if self._error is not None:
                    raise RuntimeError("cannot clone the test database") from self._error
                self._changed.wait()
            name = self._ready.pop(0)
        self._poke()
        try:
            yield self._server.set(database=name).render_as_string(hide_password=False)
        finally:
            with self._changed:
                self._used.append(name)
            self._poke()

    def close(self) -> None:
        """Drop every clone, used or still ready, and the template; return once they are
        gone."""
        with self._changed:
            self._stopping = True
        self._poke()
        self._thread.join()

    def _poke(self) -> None:
        def wake() -> None:
            self._taken.set()
            self._given_back.set()

        # A closed loop (RuntimeError) means the thread has ended: stopped, or failed.
        with suppress(RuntimeError):
            self._loop.call_soon_threadsafe(wake)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._serve())
        except Exception as error:  # noqa: BLE001 - raised in the tests waiting for a clone
            with self._changed:
                self._error = error
        finally:
            with self._changed:
                if self._error is None and not self._stopping:
                    self._error = RuntimeError("the database pool's thread ended")
                self._changed.notify_all()
            self._loop.close()

    async def _serve(self) -> None:
        dsn = self._server.set(drivername="postgresql").render_as_string(hide_password=False)
        async with asyncpg.create_pool(dsn, min_size=1, max_size=DROPS_AT_ONCE + 1) as admin:
            # Nothing may be connected to a template while it is copied; autovacuum could be.
            await admin.execute(f'ALTER DATABASE "{self._template}" WITH ALLOW_CONNECTIONS false')
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._create(admin))
                tasks.create_task(self._drop(admin))
            with self._changed:
                names, self._ready, self._used = self._ready + self._used, [], []
            await self._drop_all(admin, [*names, self._template])

    async def _create(self, admin: asyncpg.Pool) -> None:
        made = 0
        while True:
            self._taken.clear()
            with self._changed:
                if self._stopping:
                    return
                enough = len(self._ready) >= READY_DATABASES
            if enough:
                await self._taken.wait()
                continue
            made += 1
            name = f"{self._template}_{made}"
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
            with self._changed:
                self._ready.append(name)
                self._changed.notify_all()

    async def _drop(self, admin: asyncpg.Pool) -> None:
        while True:
            self._given_back.clear()
            with self._changed:
                names, self._used = self._used, []
                stopping = self._stopping
            if names:
                await self._drop_all(admin, names)
            elif stopping:
                return
            else:
                await self._given_back.wait()

    @staticmethod
    async def _drop_all(admin: asyncpg.Pool, names: list[str]) -> None:
        await asyncio.gather(
            *(admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)') for name in names)
        )


@pytest.fixture(scope="session")
def server_urls() -> tuple[str, str]:
    return _service_urls()


@pytest.fixture(scope="session")
def database_pool(server_urls: tuple[str, str]) -> Iterator[DatabasePool]:
    """A template database migrated to head for this session, and the pool of its clones."""
    server_url = server_urls[0]
    template = f"trackr_test_{uuid.uuid4().hex[:12]}"
    url = asyncio.run(_create_database(server_url, template))
    try:
        command.upgrade(alembic_config(url), "head")
        pool = DatabasePool(server_url, template)
        try:
            yield pool
        finally:
            pool.close()
    finally:
        # Gone already, unless the migration or the pool failed.
        asyncio.run(_drop_database(server_url, template))


@pytest.fixture
def database_url(database_pool: DatabasePool) -> Iterator[str]:
    """A database of this test's own: a clone of the migrated template."""
    with database_pool.database() as url:
        yield url


@pytest.fixture(scope="module")
def module_database_url(database_pool: DatabasePool) -> Iterator[str]:
    """One clone for all the tests of a module (for a module that overrides `database_url`
    with it: they share rows on purpose)."""
    with database_pool.database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url(server_urls: tuple[str, str]) -> str:
    return server_urls[1]


STRIPE_API_KEY = "sk_test_trackr"
STRIPE_WEBHOOK_SECRET = "whsec_test_trackr"


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    """The local Stripe every test app talks to through the real SDK (tests/fakes). One per
    session, like the real one: tests keep apart by their own Stripe customers."""
    fake = FakeStripe(prices=FakeStripe.default_prices())
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_weather() -> Iterator[FakeWeather]:
    """The local weather provider every test app asks (tests/fakes/weather.py). Answers are
    cached in the shared Redis per postal code: a test that counts the provider's hits uses
    postal codes of its own."""
    fake = FakeWeather().start()
    yield fake
    fake.stop()


def weather_settings(fake: FakeWeather) -> dict[str, object]:
    return {
        "weather_api_base": fake.url,
        "weather_api_key": WEATHER_API_KEY,
        "weather_timeout_seconds": 1.0,
    }


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
        # argon2's smallest cost: ~800 tests sign up and log in users (production keeps
        # the recommended 64 MiB, 3 passes, which cost ~0.1 s a hash on this machine).
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 8,
        "password_hash_parallelism": 1,
        # Uploaded files land with the test servers' data, not in `make run`'s.
        "files_dir": ROOT / ".trackr-data-test" / "files",
        # A queue of this app's own: no worker outside it takes these jobs.
        "arq_queue_name": f"arq:queue:test-{uuid.uuid4().hex[:8]}",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _test_settings(
    database_url: str,
    redis_url: str,
    fakes: tuple[FakeStripe, FakeWeather],
    files: pytest.TempPathFactory,
) -> Settings:
    stripe, weather = fakes
    return make_settings(
        database_url,
        redis_url,
        files_dir=files.mktemp("files"),
        **stripe_settings(stripe),
        **weather_settings(weather),
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[FastAPI]:
    """create_app(settings) between its lifespan's start and end; then its arq queue (jobs
    that no worker of the test took) is deleted from the shared Redis."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        try:
            yield application
        finally:
            redis = application.state.redis
            jobs = await redis.zrange(settings.arq_queue_name, 0, -1)
            await redis.delete(
                settings.arq_queue_name, *(job_key_prefix + job.decode() for job in jobs)
            )


@pytest.fixture
def settings(
    database_url: str,
    redis_url: str,
    fake_stripe: FakeStripe,
    fake_weather: FakeWeather,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    fakes = (fake_stripe, fake_weather)
    return _test_settings(database_url, redis_url, fakes, tmp_path_factory)


@pytest.fixture(scope="session")
def routes(redis_url: str) -> FastAPI:
    """The app every test's app is served through, for its routes: FastAPI builds an app's
    routes on its first requests (~0.3 s for ours), too much to pay again in every test.
    Its own resources are never used; its state is the test's app's (see `app`)."""
    return create_app(make_settings("postgresql+asyncpg://routes-only@127.0.0.1:9/-", redis_url))


@pytest.fixture
async def app(settings: Settings, routes: FastAPI) -> AsyncIterator[FastAPI]:
    """create_app(settings) within its lifespan, bound to this test's database, served
    through `routes`: the handlers find everything (settings, engine, sessions, Redis,
    queue, files, Stripe) in `request.app.state`, which for this test is this app's."""
    async with running(settings) as application:
        own_state = routes.state
        routes.state = application.state
        try:
            yield routes
        finally:
            routes.state = own_state


@pytest.fixture(scope="module")
async def module_app(
    module_database_url: str,
    redis_url: str,
    fake_stripe: FakeStripe,
    fake_weather: FakeWeather,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FastAPI]:
    """One app and database for all the tests of a module (for a module that overrides
    `app` with it: they share rows on purpose)."""
    fakes = (fake_stripe, fake_weather)
    settings = _test_settings(module_database_url, redis_url, fakes, tmp_path_factory)
    async with running(settings) as application:
        yield application


def client_for(application: FastAPI, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=application, client=(client_ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://trackr.test")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http
