"""Benchmark of the schedule list over 100,000 appointments (issue 12).

    python -m bench.schedule                       # 3 rounds of 10 s, 32 connections
    python -m bench.schedule --rounds 1 --duration 5

On a database of its own (`trackr_bench_schedule`, recreated and migrated each run: the seed
takes seconds), one company signed up through the served API, its crew and appointments
written with generate_series (bench/seed/schedule.py). Then `GET /v1/appointments` (a
92-day period: first page, a deep page by cursor, one user's first page) is loaded with wrk
beside its floor, the same page by one raw SQL statement through asyncpg
(bench/scenarios/schedule.py), both measured in the same rounds. The report ends with the
statements' plans (EXPLAIN ANALYZE).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.harness.db import connect, migrate, recreate_database
from bench.harness.log import say
from bench.harness.rounds import Load, measure, preflight_all
from bench.harness.servers import api_env, serving
from bench.harness.settings import PG_URL, dsn
from bench.harness.wrk import ensure_wrk
from bench.report import files
from bench.report.schedule import build_report
from bench.scenarios import schedule
from bench.scenarios.schedule import DB_NAME, QUERIES, Layout
from bench.seed import schedule as schedule_seed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--appointments", type=int, default=schedule_seed.APPOINTMENTS)
    parser.add_argument("--no-save", action="store_true")
    return parser.parse_args()


async def _seed(base: str, appointments: int) -> tuple[schedule_seed.ScheduleCompany, Layout]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        company = await schedule_seed.seed(client, DB_NAME, appointments)
    return company, await schedule.layout(company)


async def _plans(found: Layout) -> dict[str, str]:
    """EXPLAIN ANALYZE of each page's statement (the floor's: the API's page query with its
    users), on the loaded database."""
    base = (uuid.UUID(found.company_id), found.start, found.end, schedule.LIMIT + 1)
    args = {
        "/first": base,
        "/deep": (*base, *found.deep_after),
        "/user": (*base, uuid.UUID(found.user_id)),
    }
    plans: dict[str, str] = {}
    async with connect(DB_NAME) as connection:
        for path, query in QUERIES.items():
            rows = await connection.fetch(
                f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {query}", *args[path]
            )
            plans[path] = "\n".join(r[0] for r in rows)
    return plans


def main() -> None:
    args = parse_args()
    ensure_wrk()
    say(f"database {DB_NAME} on {PG_URL}: recreated and migrated")
    asyncio.run(recreate_database(DB_NAME))
    migrate(DB_NAME)
    log_dir = Path(tempfile.mkdtemp(prefix="trackr-bench-schedule-"))
    load = Load(
        threads=args.threads,
        connections=args.connections,
        seconds=args.duration,
        warmup=args.warmup,
        quiet_wait=20,
    )
    with serving(log_dir, ("api", "app.main:app", api_env(log_dir / "data", DB_NAME))) as (api,):
        started = time.perf_counter()
        company, found = asyncio.run(_seed(api.base, args.appointments))
        seed_seconds = time.perf_counter() - started
        say(
            f"seeded {company.appointments:,} appointments in {seed_seconds:.1f} s;"
            f" {found.in_period:,} in the period"
        )
        floor_env = found.floor_env(dsn(DB_NAME))
        with serving(log_dir, ("floor", "bench.scenarios.schedule:floor_app", floor_env)) as (
            floor,
        ):
            scenarios = schedule.scenarios(found, company.api_key)
            bases = {"floor": floor.base, "api": api.base}
            asyncio.run(preflight_all(scenarios, bases))
            for n in range(args.rounds):
                say(f"round {n + 1}/{args.rounds}")
                for s in scenarios:
                    measure(s, bases[s.server], load)
    plans = asyncio.run(_plans(found))
    report, figures = build_report(
        scenarios, found, company.appointments, load, args.rounds, seed_seconds, plans
    )
    print(report)
    if not args.no_save:
        files.save(f"{files.stamp()}-schedule", report, figures)
    say(f"server logs in {log_dir}")


if __name__ == "__main__":
    main()
