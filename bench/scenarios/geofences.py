"""Geofence evaluation at scale (issue 12): positions/s of `POST /v1/me/positions` with
10,000 fences in one company, batches of 500, beside a floor measured in the same run: the
raw indexed candidate query (unnest of the batch joined to the fences' GiST bounding-box
index, over asyncpg), which is the least any evaluation has to do.

The company is seeded in a database of its own (`<BENCH_DB>_geofences`, rebuilt each run:
migrations, a signup through the API, fences by one set-based INSERT). Its fences are
circles (50-500 m) and squares (100-800 m a side) scattered over a 1 x 1 degree field at
45 N, 7 E (~8,800 km^2); each batch is a 500-position drive of ~150 m steps across it, 10 s
apart, following the previous batch in time (the usual case: no late positions).
"""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from app.config import Settings
from app.main import create_app

from bench.harness.db import connect, migrate
from bench.harness.log import logger
from bench.harness.settings import DB_NAME, REDIS_URL, SECRET_KEY, sqlalchemy_url

DB = f"{DB_NAME}_geofences"
FENCES = 10_000
BATCH = 500
BATCHES = 20
LAT0, LON0 = 45.0, 7.0
STEP_M = 150.0
say = logger("geofences")

_SEED_FENCES = """
WITH f AS (
    SELECT i,
           $3 + random() AS lat,
           $4 + random() AS lon,
           50 + random() * 450 AS r,
           i % 5 = 0 AS square
    FROM generate_series(1, $5) AS i
), g AS (
    SELECT *, r / 111195.0 AS dlat, r / (111195.0 * cos(radians(lat))) AS dlon FROM f
)
INSERT INTO geofence (
    id, company_id, customer_id, location_id, name, color, alert_on, shape,
    latitude, longitude, radius_m, ring, west, south, east, north, width_m, version
)
SELECT gen_random_uuid(), $1, $2, $6, 'Fence ' || i, '#1E88E5', 'both',
       CASE WHEN square THEN 'polygon' ELSE 'circle' END,
       CASE WHEN square THEN NULL ELSE lat END,
       CASE WHEN square THEN NULL ELSE lon END,
       CASE WHEN square THEN NULL ELSE r END,
       CASE WHEN square THEN jsonb_build_array(
           jsonb_build_array(lon - dlon, lat - dlat), jsonb_build_array(lon + dlon, lat - dlat),
           jsonb_build_array(lon + dlon, lat + dlat), jsonb_build_array(lon - dlon, lat + dlat),
           jsonb_build_array(lon - dlon, lat - dlat)) END,
       lon - dlon, lat - dlat, lon + dlon, lat + dlat, 2 * r, 1
FROM g
"""

CANDIDATES = """
SELECT p.i, g.id
FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS p(lon, lat, i)
JOIN geofence AS g
  ON g.company_id = $1
 AND box(point(g.west, g.south), point(g.east, g.north))
     && box(point(p.lon, p.lat), point(p.lon, p.lat))
"""


@dataclass
class GeofenceBench:
    fences: int
    batch: int
    batches: int
    api_seconds: list[float] = field(default_factory=list)
    floor_seconds: list[float] = field(default_factory=list)
    events: int = 0
    candidates: int = 0
    explain: str = ""

    @property
    def positions(self) -> int:
        return self.batch * self.batches

    @property
    def api_rate(self) -> float:
        return self.positions / sum(self.api_seconds)

    @property
    def floor_rate(self) -> float:
        return self.positions / sum(self.floor_seconds)

    def as_json(self) -> dict[str, Any]:
        return {
            "fences": self.fences,
            "batch": self.batch,
            "batches": self.batches,
            "api_positions_per_s": round(self.api_rate),
            "api_batch_ms_median": round(statistics.median(self.api_seconds) * 1000, 1),
            "floor_positions_per_s": round(self.floor_rate),
            "floor_batch_ms_median": round(statistics.median(self.floor_seconds) * 1000, 1),
            "events": self.events,
            "candidate_pairs": self.candidates,
            "explain": self.explain,
        }

    def markdown(self) -> str:
        ratio = self.api_rate / self.floor_rate
        return "\n".join(
            [
                f"Geofence evaluation: {self.fences:,} fences in one company, "
                f"{self.batches} batches of {self.batch} positions "
                f"({self.candidates:,} position-fence candidate pairs, {self.events} events).",
                "",
                "| Scenario | positions/s | median batch ms | vs floor |",
                "|---|---:|---:|---:|",
                f"| Floor: candidate query alone (asyncpg, GiST) | {self.floor_rate:,.0f} | "
                f"{statistics.median(self.floor_seconds) * 1000:.1f} | 1x |",
                f"| `POST /v1/me/positions` (in process) | {self.api_rate:,.0f} | "
                f"{statistics.median(self.api_seconds) * 1000:.1f} | {ratio:.0%} |",
                "",
                "Candidate query plan (one batch):",
                "",
                "```",
                self.explain,
                "```",
            ]
        )


def drives(batches: int, batch: int, seed: int = 12) -> list[list[dict[str, Any]]]:
    """`batches` consecutive batches of a random drive across the field."""
    rng = random.Random(seed)
    lat, lon, heading = LAT0 + 0.5, LON0 + 0.5, rng.uniform(0, 6.28)
    at = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    out = []
    for _ in range(batches):
        positions = []
        for _ in range(batch):
            heading += rng.gauss(0, 0.3)
            lat += STEP_M * math.cos(heading) / 111195.0
            lon += STEP_M * math.sin(heading) / 78700.0
            # Bounce off the field's edges.
            if not LAT0 < lat < LAT0 + 1 or not LON0 < lon < LON0 + 1:
                heading += 3.14159
                lat = min(max(lat, LAT0 + 0.001), LAT0 + 0.999)
                lon = min(max(lon, LON0 + 0.001), LON0 + 0.999)
            at += timedelta(seconds=10)
            positions.append(
                {
                    "latitude": round(lat, 7),
                    "longitude": round(lon, 7),
                    "accuracy_m": round(rng.uniform(3, 20), 1),
                    "recorded_at": at.isoformat(),
                }
            )
        out.append(positions)
    return out


async def _database() -> None:
    async with connect("postgres") as connection:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DB}"')
    await asyncio.to_thread(migrate, DB)


def _settings() -> Settings:
    return Settings(
        database_url=sqlalchemy_url(DB),
        redis_url=REDIS_URL,
        secret_key=SECRET_KEY,
        rate_limit_per_minute=1_000_000,
        log_level="WARNING",
    )


async def _seed(http: httpx.AsyncClient, fences: int) -> tuple[dict[str, str], str]:
    """A company (its admin's headers), a customer with a location, and `fences` fences."""
    signed = await http.post(
        "/v1/signup",
        json={
            "company_name": "Geofence Bench",
            "name": "Fay Field",
            "email": f"bench-{time.time_ns()}@example.com",
            "password": "correct-horse-battery",
        },
    )
    signed.raise_for_status()
    body = signed.json()
    headers = {"Authorization": f"Bearer {body['token']['access_token']}"}
    company_id = body["company"]["id"]
    customer = await http.post("/v1/customers", headers=headers, json={"name": "Field Co"})
    customer.raise_for_status()
    location = await http.post(
        f"/v1/customers/{customer.json()['id']}/locations",
        headers=headers,
        json={"address_line1": "1 Field Road", "latitude": LAT0, "longitude": LON0},
    )
    location.raise_for_status()
    async with connect(DB) as connection:
        await connection.execute(
            _SEED_FENCES,
            company_id,
            customer.json()["id"],
            LAT0,
            LON0,
            fences,
            location.json()["id"],
        )
        await connection.execute("VACUUM ANALYZE geofence")
    return headers, company_id


async def _floor(
    connection: asyncpg.Connection, company_id: str, batch: list[dict[str, Any]]
) -> int:
    rows = await connection.fetch(
        CANDIDATES,
        company_id,
        [p["longitude"] for p in batch],
        [p["latitude"] for p in batch],
    )
    return len(rows)


async def run(fences: int = FENCES, batches: int = BATCHES, batch: int = BATCH) -> GeofenceBench:
    await _database()
    app = create_app(_settings())
    found = GeofenceBench(fences, batch, batches)
    work = drives(batches, batch)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            headers, company_id = await _seed(http, fences)
            say(f"seeded {fences:,} fences")
            # Warm-up: one batch of its own, earlier than the drive, so nothing repeats.
            warm = drives(1, batch, seed=99)[0]
            for p in warm:
                p["recorded_at"] = p["recorded_at"].replace("2026-12-01", "2026-11-30")
            (await http.post("/v1/me/positions", headers=headers, json={"positions": warm}))
            async with connect(DB) as connection:
                await _floor(connection, company_id, warm)
                for positions in work:
                    started = time.perf_counter()
                    found.candidates += await _floor(connection, company_id, positions)
                    found.floor_seconds.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    response = await http.post(
                        "/v1/me/positions", headers=headers, json={"positions": positions}
                    )
                    found.api_seconds.append(time.perf_counter() - started)
                    response.raise_for_status()
                    assert response.json()["stored"] == batch, response.text
                    found.events += len(response.json()["events"])
                plan = await connection.fetch(
                    "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + CANDIDATES,
                    company_id,
                    [p["longitude"] for p in work[0]],
                    [p["latitude"] for p in work[0]],
                )
                found.explain = "\n".join(r[0] for r in plan)
    return found
