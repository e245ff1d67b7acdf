"""Benchmark of Stripe webhook ingest and of the worker that applies the events (issue 5).

    python -m bench.webhooks                       # 3 rounds of 10 s, 32 connections
    python -m bench.webhooks --rounds 1 --duration 5

On a database of its own (`trackr_bench_webhooks`, recreated and migrated each run) and a
local fake Stripe (tests/fakes/stripe.py) that the API and the worker reach over HTTP
(bench/scenarios/webhooks.py):

- Ingest: wrk POSTs distinct signed events to `POST /v1/webhooks/stripe`; req/s, p50 and
  p99 are wrk's, measured from the endpoint's answer, against a floor measured in the same
  rounds with the same events (a bare Starlette app: verify, INSERT, enqueue, answer).
- Worker: the events the API stored are then applied by a real arq worker; events per
  second are counted from the database's `processed_at` of the first and the last one.
  Each event re-reads the customer, the subscription and the upcoming invoice from the fake
  Stripe, which answers in about a millisecond; real Stripe answers in tens to hundreds of
  milliseconds, so the figure is the worker's own cost, not what production would see.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from pathlib import Path

from tests.fakes.stripe import FakeStripe

from bench.harness.db import migrate, recreate_database
from bench.harness.log import say
from bench.harness.rounds import Load, measure
from bench.harness.servers import api_env, serving
from bench.harness.settings import PG_URL, dsn
from bench.harness.wrk import ensure_wrk
from bench.report import files
from bench.report.webhooks import build_report
from bench.scenarios import webhooks
from bench.scenarios.webhooks import DB_NAME


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
    load = Load(
        threads=args.threads,
        connections=args.connections,
        seconds=args.duration,
        quiet_wait=20,
    )
    floor_env = {"BENCH_FLOOR_DSN": dsn(DB_NAME), "BENCH_FLOOR_QUEUE": f"{queue}:floor"}
    with FakeStripe(prices=FakeStripe.default_prices()) as fake:
        env = {
            **api_env(log_dir / "data", DB_NAME),
            "STRIPE_API_KEY": webhooks.API_KEY,
            "STRIPE_WEBHOOK_SECRET": webhooks.SECRET,
            "STRIPE_API_BASE": fake.url,
            "ARQ_QUEUE_NAME": queue,
        }
        with serving(
            log_dir,
            ("api", "app.main:app", env),
            ("floor", "bench.scenarios.webhooks:floor_app", floor_env),
        ) as (api, floor):
            templates = asyncio.run(webhooks.subscribed_companies(api.base, fake, args.companies))
            say(f"{args.companies} companies subscribed; {len(templates)} event templates")
            floor_s, api_s = webhooks.scenarios(
                templates, seconds=args.duration, threads=args.threads, log_dir=log_dir
            )
            bases = {"floor": floor.base, "api": api.base}
            for n in range(args.rounds):
                say(f"round {n + 1}/{args.rounds}")
                for s in (floor_s, api_s):
                    if measure(s, bases[s.server], load).failed:
                        raise RuntimeError(f"{s.key}: wrk errors {s.rounds[-1].errors}")
        # The servers are stopped: the worker has the cores to itself.
        _, stored = asyncio.run(webhooks.processed())
        events = min(stored, args.worker_events)
        say(f"worker: applying {events:,} of {stored:,} stored events")
        worker = webhooks.run_worker(env, log_dir, events, limit=600)
    report, figures = build_report(floor_s, api_s, worker, load, args.rounds)
    print(report)
    if not args.no_save:
        files.save(f"{files.stamp()}-webhooks", report, figures)


if __name__ == "__main__":
    main()
