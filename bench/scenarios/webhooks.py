"""Stripe webhook ingest and the worker that applies the events (issue 5), on a database
of their own and a local fake Stripe (tests/fakes/stripe.py) that the API and the worker
reach over HTTP.

- Ingest: wrk POSTs distinct signed events (Stripe-shaped, cloned from the fake's own
  events of a few subscribed companies, each with a new id and a fresh signature) to
  `POST /v1/webhooks/stripe`. The floor, measured in the same rounds with the same events,
  is a bare Starlette app (`floor_app`) doing the same essential work without our
  framework: verify the signature with the SDK, INSERT ... ON CONFLICT DO NOTHING with
  asyncpg, enqueue with arq, answer.
- Worker: the events the API stored are then applied by a real arq worker
  (`python -m arq workers.settings.WorkerSettings`, 10 jobs at a time); events per second
  are counted from the database's `processed_at` of the first and the last one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
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

from bench.harness.db import connect
from bench.harness.rounds import Scenario
from bench.harness.settings import REDIS_URL, ROOT

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


# --- the events ---------------------------------------------------------------------------


async def subscribed_companies(base: str, fake: FakeStripe, count: int) -> list[dict[str, Any]]:
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


def signed_file(templates: list[dict[str, Any]], count: int, directory: Path) -> Path:
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


def scenarios(
    templates: list[dict[str, Any]], *, seconds: float, threads: int, log_dir: Path
) -> list[Scenario]:
    """The floor's ingest and the API's, each run sending a fresh file of signed events."""
    # Enough distinct events that no thread wraps around its share within a run.
    per_run = int(seconds * 4000) + 2000

    def fresh_events() -> dict[str, str]:
        signed = signed_file(templates, per_run, log_dir)
        return {"BENCH_SIGNED": str(signed), "BENCH_THREADS": str(threads)}

    titles = {
        "floor": ("Floor: verify + INSERT + enqueue (Starlette, asyncpg)", "/ingest"),
        "api": ("`POST /v1/webhooks/stripe`", "/v1/webhooks/stripe"),
    }
    return [
        Scenario(server, title, server, path, method="POST", fresh_env=fresh_events)
        for server, (title, path) in titles.items()
    ]


# --- the worker ---------------------------------------------------------------------------


@dataclass
class WorkerResult:
    events: int
    seconds: float
    events_per_second: float
    outcomes: dict[str, int]


async def processed() -> tuple[int, int]:
    """Events processed, events stored."""
    async with connect(DB_NAME) as connection:
        row = await connection.fetchrow(
            "SELECT count(*) FILTER (WHERE processed_at IS NOT NULL) AS done, count(*) AS all"
            " FROM stripe_event"
        )
    assert row is not None
    return int(row["done"]), int(row["all"])


async def _worker_figures() -> WorkerResult:
    async with connect(DB_NAME) as connection:
        row = await connection.fetchrow(
            "SELECT count(*) AS n, extract(epoch FROM max(processed_at) - min(processed_at))"
            " AS seconds FROM stripe_event WHERE processed_at IS NOT NULL"
        )
        outcomes = await connection.fetch(
            "SELECT outcome, count(*) AS n FROM stripe_event"
            " WHERE processed_at IS NOT NULL GROUP BY outcome"
        )
    assert row is not None
    seconds = float(row["seconds"] or 0)
    events = int(row["n"])
    return WorkerResult(
        events=events,
        seconds=round(seconds, 2),
        events_per_second=round((events - 1) / seconds, 1) if seconds else 0.0,
        outcomes={str(r["outcome"]): int(r["n"]) for r in outcomes},
    )


def run_worker(env: dict[str, str], log_dir: Path, events: int, limit: float) -> WorkerResult:
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
            done, _ = asyncio.run(processed())
            if done >= events:
                break
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return asyncio.run(_worker_figures())
