"""What the seed steps share: timing each step, the app itself in process (to create what
only the API should create: companies, users, API keys), ids and checks."""

from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uuid_utils

from bench.harness.log import logger
from bench.harness.servers import api_env

T = TypeVar("T")
log = logger("seed")


class Timer:
    """Runs steps, and records and prints how long each took."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, label: str, step: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = step()
        self._done(label, started)
        return result

    async def arun(self, label: str, step: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        result = await step()
        self._done(label, started)
        return result

    def _done(self, label: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.timings[label] = round(elapsed, 2)
        log(f"{label}: {elapsed:.1f} s")


@contextlib.asynccontextmanager
async def api_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app itself, in process over ASGI (lifespan run), configured as the
    harness serves it."""
    from app.config import Settings
    from app.main import create_app

    with tempfile.TemporaryDirectory() as data_dir:
        # The harness's environment as Settings' fields (pydantic parses the strings).
        fields: dict[str, Any] = {k.lower(): v for k, v in api_env(Path(data_dir)).items()}
        app = create_app(Settings(**fields))
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            yield client


def check(response: httpx.Response, expected: int) -> Any:
    """The response's JSON, when its status is `expected`."""
    if response.status_code != expected:
        request = response.request
        raise RuntimeError(
            f"{request.method} {request.url.path}: {response.status_code} {response.text[:500]}"
        )
    return response.json()


def uuid7(at: datetime) -> uuid.UUID:
    """A UUIDv7 of a row created at `at` (as app.kit.models.new_id would have made then)."""
    nanos = int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000
    return uuid.UUID(bytes=uuid_utils.uuid7(nanoseconds=nanos).bytes)


# The columns every tenant table starts with (app.kit's base model), in COPY's order.
BASE_COLUMNS = ("id", "company_id", "created_at", "updated_at", "version")


def base_values(row_id: uuid.UUID, company_id: uuid.UUID, created: datetime) -> tuple[Any, ...]:
    """BASE_COLUMNS of a row created at `created` and never updated since."""
    return (row_id, company_id, created, created, 1)
