"""Benchmark of Stripe webhook ingest and of the worker that applies the events (issue 5).

    python -m bench.webhooks                       # 3 rounds of 10 s, 32 connections
    python -m bench.webhooks --rounds 1 --duration 5

On a database of its own (`trackr_bench_webhooks`, recreated and migrated each run) and a
local fake Stripe (tests/fakes/stripe.py) that the API and the worker reach over HTTP:

- Ingest: wrk POSTs distinct signed events (Stripe-shaped, cloned from the fake's own
  events of a few subscribed companies, each with a new id and a fresh signature) to
  `POST /v1/webhooks/stripe`; req/s, p50 and p99 are wrk's, measured from the endpoint's
  answer. The floor, measured in the same rounds with the same events, is a bare Starlette
  app doing the same essential work without our framework: verify the signature with the
  SDK, INSERT ... ON CONFLICT DO NOTHING with asyncpg, enqueue with arq, answer.
- Worker: the events the API stored are then applied by a real arq worker
  (`python -m arq workers.settings.WorkerSettings`, 10 jobs at a time); events per second
  are counted from the database's `processed_at` of the first and the last one. Each event
  re-reads the customer, the subscription and the upcoming invoice from the fake Stripe,
  which answers in about a millisecond; real Stripe answers in tens to hundreds of
  milliseconds, so the figure is the worker's own cost, not what production would see.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import stripe
from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tests.fakes.stripe import FakeStripe

from bench.harness.db import migrate, recreate_database
from bench.harness.settings import PG_URL, REDIS_URL, RESULTS_DIR, ROOT, dsn, sqlalchemy_url
from bench.run import WrkResult, api_env, ensure_wrk, run_wrk, say, start_server, wait_for_quiet

DB_NAME = "trackr_bench_webhooks"
SECRET = "whsec_bench_webhooks"  # noqa: S105 - a benchmark's own
API_KEY = "sk_test_bench"
PASSWORD = "correct-horse-battery"  # noqa: S105
TEMPLATE_TYPES = (
    "customer.subscription.created",
    "invoice.paid",
    "payment_method.attached",
    "customer.updated",
)


# --- the floor ----------------------------------------------------------------------------


async def _floor_ingest(request: Request) -> Response:
    payload = await request.body()
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode(), request.headers.get("stripe-signature"), SECRET, 300
        )
    except stripe.SignatureVerificationError:
        return JSONResponse({"error": "signature"}, status_code=400)
    event = json.loads(payload)
    pool: asyncpg.Pool = request.app.state.pool
    inserted = await pool.fetchval(
        "INSERT INTO stripe_event (id, type, created, payload, attempts)"
        " VALUES ($1, $2, to_timestamp($3), $4::jsonb, 0)"
        " ON CONFLICT (id) DO NOTHING RETURNING id",
        event["id"],
        event["type"],
        event["created"],
        payload.decode(),
    )
    if inserted is not None:
        arq: ArqRedis = request.app.state.arq
        await arq.enqueue_job("process_stripe_event", event["id"], _job_id=event["id"])
    return JSONResponse({"received": True, "duplicate": inserted is None})


@contextlib.asynccontextmanager
async def _floor_lifespan(app: Starlette) -> AsyncIterator[None]:
    async with asyncpg.create_pool(os.environ["BENCH_FLOOR_DSN"], min_size=2, max_size=10) as pool:
        app.state.pool = pool
        app.state.arq = ArqRedis(
            pool_or_conn=ConnectionPool.from_url(REDIS_URL),
            default_queue_name=os.environ["BENCH_FLOOR_QUEUE"],
        )
        yield
        await app.state.arq.aclose()


floor_app = Starlette(
    routes=[Route("/ingest", _floor_ingest, methods=["POST"])], lifespan=_floor_lifespan
)


# --- setup --------------------------------------------------------------------------------


async def _subscribed_companies(base: str, fake: FakeStripe, count: int) -> list[dict[str, Any]]:
    """Companies subscribed through the API; returns the fake's events about them, the
    templates of the benchmark's deliveries."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for n in range(count):
            signup = await http.post(
                "/v1/signup",
                json={
                    "company_name": f"Webhook bench {n}",
                    "name": "Bench Admin",
                    "email": f"bench-{uuid.uuid4().hex[:10]}@example.com",
                    "password": PASSWORD,
                },
            )
            signup.raise_for_status()
            headers = {"Authorization": f"Bearer {signup.json()['token']['access_token']}"}
            intent = await http.post("/v1/billing/setup-intent", headers=headers)
            intent.raise_for_status()
            card = fake.confirm_setup_intent(intent.json()["id"])
            chosen = await http.put(
                "/v1/billing/payment-method", headers=headers, json={"payment_method_id": card}
            )
            chosen.raise_for_status()
            plan = ("basic", "plus")[n % 2]
            subscribed = await http.put(
                "/v1/billing/subscription", headers=headers, json={"plan": plan}
            )
            subscribed.raise_for_status()
    return [e for e in fake.events if e["type"] in TEMPLATE_TYPES]


def _signed_file(templates: list[dict[str, Any]], count: int, directory: Path) -> Path:
    """`count` distinct deliveries: the templates with new ids, signed now."""
    path = directory / f"signed-{uuid.uuid4().hex[:8]}.txt"
    now = int(time.time())
    with path.open("w") as out:
        for n in range(count):
            event = {**templates[n % len(templates)], "id": f"evt_bench_{uuid.uuid4().hex}"}
            event["created"] = now
            body = json.dumps(event, separators=(",", ":"))
            header = stripe.WebhookSignature.generate_signature_header(body, SECRET, now)
            out.write(f"{header}\t{body}\n")
    return path


# --- measuring ----------------------------------------------------------------------------


@dataclass
class WorkerResult:
    events: int
    seconds: float
    events_per_second: float
    outcomes: dict[str, int]


async def _processed() -> tuple[int, int]:
    connection = await asyncpg.connect(dsn(DB_NAME))
    try:
        row = await connection.fetchrow(
            "SELECT count(*) FILTER (WHERE processed_at IS NOT NULL) AS done, count(*) AS all"
            " FROM stripe_event"
        )
        assert row is not None
        return int(row["done"]), int(row["all"])
    finally:
        await connection.close()


async def _worker_figures() -> WorkerResult:
    connection = await asyncpg.connect(dsn(DB_NAME))
    try:
        row = await connection.fetchrow(
            "SELECT count(*) AS n, extract(epoch FROM max(processed_at) - min(processed_at))"
            " AS seconds FROM stripe_event WHERE processed_at IS NOT NULL"
        )
        outcomes = await connection.fetch(
            "SELECT outcome, count(*) AS n FROM stripe_event"
            " WHERE processed_at IS NOT NULL GROUP BY outcome"
        )
    finally:
        await connection.close()
    assert row is not None
    seconds = float(row["seconds"] or 0)
    events = int(row["n"])
    return WorkerResult(
        events=events,
        seconds=round(seconds, 2),
        events_per_second=round((events - 1) / seconds, 1) if seconds else 0.0,
        outcomes={str(r["outcome"]): int(r["n"]) for r in outcomes},
    )


def _run_worker(env: dict[str, str], log_dir: Path, events: int, limit: float) -> WorkerResult:
    """A real arq worker until `events` are processed (or `limit` seconds passed)."""
    log = log_dir / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            done, _ = asyncio.run(_processed())
            if done >= events:
                break
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return asyncio.run(_worker_figures())


def _median(results: list[WrkResult]) -> WrkResult:
    return sorted(results, key=lambda r: r.rps)[len(results) // 2]


def _report(
    floor: list[WrkResult], api: list[WrkResult], worker: WorkerResult, args: argparse.Namespace
) -> str:
    f, a = _median(floor), _median(api)
    lines = [
        f"# Webhook ingest and worker, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`python -m bench.webhooks --rounds {args.rounds} --duration {args.duration:g}"
        f" --connections {args.connections}`: wrk -t{args.threads} -c{args.connections}"
        f" -d{args.duration:g}s, distinct signed events, median of {args.rounds} rounds"
        " (floor and API alternate within each round).",
        "",
        "| Scenario | req/s | p50 ms | p99 ms | vs floor |",
        "|---|---:|---:|---:|---:|",
        f"| Floor: verify + INSERT + enqueue (Starlette, asyncpg) | {f.rps:,.0f}"
        f" | {f.p50_ms:.1f} | {f.p99_ms:.1f} | 1x |",
        f"| `POST /v1/webhooks/stripe` | {a.rps:,.0f} | {a.p50_ms:.1f} | {a.p99_ms:.1f}"
        f" | {a.rps / f.rps:.0%} |",
        "",
        "Rounds (req/s): floor "
        + " / ".join(f"{r.rps:,.0f}" for r in floor)
        + "; API "
        + " / ".join(f"{r.rps:,.0f}" for r in api)
        + ".",
        "",
        f"Worker: {worker.events:,} events applied in {worker.seconds:.1f} s ="
        f" **{worker.events_per_second:,.1f} events/s** (one arq worker, 10 jobs at a time;"
        f" each event re-reads 3 objects from the local fake Stripe). Outcomes: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(worker.outcomes.items()))
        + ".",
    ]
    return "\n".join(lines) + "\n"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--companies", type=int, default=10)
    parser.add_argument("--worker-events", type=int, default=2000)
    parser.add_argument("--no-save", action="store_true")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    ensure_wrk()
    say(f"database {DB_NAME} on {PG_URL}: recreated and migrated")
    asyncio.run(recreate_database(DB_NAME))
    migrate(DB_NAME)
    log_dir = Path(tempfile.mkdtemp(prefix="trackr-bench-webhooks-"))
    queue = f"arq:queue:bench-{uuid.uuid4().hex[:8]}"
    fake = FakeStripe(prices=FakeStripe.default_prices()).start()
    env = {
        **api_env(log_dir),
        "DATABASE_URL": sqlalchemy_url(DB_NAME),
        "STRIPE_API_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_BASE": fake.url,
        "ARQ_QUEUE_NAME": queue,
    }
    servers = []
    try:
        api = start_server("api", "app.main:app", env, log_dir)
        servers.append(api)
        floor = start_server(
            "floor",
            "bench.webhooks:floor_app",
            {"BENCH_FLOOR_DSN": dsn(DB_NAME), "BENCH_FLOOR_QUEUE": f"{queue}:floor"},
            log_dir,
        )
        servers.append(floor)
        templates = asyncio.run(_subscribed_companies(api.base, fake, args.companies))
        say(f"{args.companies} companies subscribed; {len(templates)} event templates")
        # Enough distinct events that no thread wraps around its share within a run.
        per_run = int(args.duration * 4000) + 2000
        results: dict[str, list[WrkResult]] = {"floor": [], "api": []}
        for n in range(args.rounds):
            for name, url in (
                ("floor", floor.base + "/ingest"),
                ("api", api.base + "/v1/webhooks/stripe"),
            ):
                wait_for_quiet(0.25, 20)
                signed = _signed_file(templates, per_run, log_dir)
                result = run_wrk(
                    url,
                    token=None,
                    paths=None,
                    threads=args.threads,
                    connections=args.connections,
                    seconds=args.duration,
                    method="POST",
                    extra_env={"BENCH_SIGNED": str(signed), "BENCH_THREADS": str(args.threads)},
                )
                if result.errors:
                    raise RuntimeError(f"{name}: wrk errors {result.errors}")
                results[name].append(result)
                say(f"round {n + 1} {name}: {result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms")
        api.stop()
        floor.stop()
        _, stored = asyncio.run(_processed())
        events = min(stored, args.worker_events)
        say(f"worker: applying {events:,} of {stored:,} stored events")
        worker = _run_worker(env, log_dir, events, limit=600)
    finally:
        for server in servers:
            server.stop()
        fake.stop()
    report = _report(results["floor"], results["api"], worker, args)
    print(report)
    if not args.no_save:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / f"{stamp}-webhooks.md").write_text(report)
        figures = {
            "floor": [asdict(r) for r in results["floor"]],
            "api": [asdict(r) for r in results["api"]],
            "worker": asdict(worker),
            "median_ratio": _median(results["api"]).rps / _median(results["floor"]).rps,
            "statistics": {
                "api_rps_stdev": statistics.pstdev(r.rps for r in results["api"]),
            },
        }
        (RESULTS_DIR / f"{stamp}-webhooks.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
