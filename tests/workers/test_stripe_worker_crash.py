"""A worker killed with SIGKILL in the middle of a Stripe event: arq runs the job again once
its timeout has passed (in another worker), and the event takes effect once.

Real processes: `python -m arq workers.settings.WorkerSettings` against this test's
database and Redis queue, and the session's fake Stripe; the fake holds the worker's first
Stripe call so the kill lands mid-job, with the event row locked in an open transaction."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from tests.billing.helpers import account, deliver, events_of, stored_event, subscribe
from tests.factories import signup
from tests.fakes.stripe import FakeStripe

ROOT = Path(__file__).resolve().parents[2]
JOB_TIMEOUT = 2  # arq re-runs a job whose worker vanished after timeout + 10 s


def _worker_env(settings: Settings, queue: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    assert settings.database_url is not None
    assert settings.redis_url is not None
    env.update(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        SECRET_KEY=settings.secret_key or "x" * 40,
        ARQ_QUEUE_NAME=queue,
        STRIPE_API_KEY=settings.stripe_api_key or "",
        STRIPE_WEBHOOK_SECRET=settings.stripe_webhook_secret or "",
        STRIPE_API_BASE=settings.stripe_api_base,
        STRIPE_TIMEOUT_SECONDS="30",
        WORKER_JOB_TIMEOUT_SECONDS=str(JOB_TIMEOUT),
        LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
def workers(settings: Settings) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _start(
    settings: Settings, queue: str, started: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"],
        cwd=ROOT,
        env=_worker_env(settings, queue),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started.append(process)
    return process


async def _until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()  # type: ignore[operator]
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


async def test_a_killed_worker_has_its_job_run_again_with_one_effect(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    fake_stripe: FakeStripe,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    admin = await signup(client)
    await subscribe(client, admin, fake_stripe, "basic", "month")
    row = await account(app, admin.company_id)
    assert row.stripe_customer_id is not None
    event = events_of(fake_stripe, row.stripe_customer_id, "customer.subscription.created")[0]

    # The job's first Stripe read (this customer's) hangs: the worker will be mid-job
    # when killed.
    customer = f"/v1/customers/{row.stripe_customer_id}"
    seen = len(fake_stripe.requests)
    hang_seconds = fake_stripe.hang_seconds
    fake_stripe.hang_seconds = 60
    fake_stripe.fail_next("timeout", times=1, path_prefix=customer)
    assert (await deliver(client, fake_stripe, event)).status_code == 200
    # The test's app has a queue of its own: this event's job is the only one the
    # workers can take.
    queue = settings.arq_queue_name
    assert await app.state.arq.zrange(queue, 0, -1) == [event["id"].encode()]
    first = _start(settings, queue, workers)
    await _until(
        lambda: any(r.path.startswith(customer) for r in fake_stripe.requests[seen:]),
        60,
        "the worker to start the job",
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    fake_stripe.hang_seconds = hang_seconds
    killed_at = time.monotonic()
    stored = await stored_event(app, event["id"])
    assert stored is not None
    assert stored.processed_at is None  # its transaction died with it

    _start(settings, queue, workers)

    async def processed() -> bool:
        row = await stored_event(app, event["id"])
        return row is not None and row.processed_at is not None

    await _until(processed, 90, "the job to run again")
    # Not before arq gave up on the first worker: its in-progress mark lives the job
    # timeout + 10 s from when the job started, moments before the kill.
    assert time.monotonic() - killed_at >= JOB_TIMEOUT + 6
    done = await stored_event(app, event["id"])
    assert done is not None
    assert done.outcome == "applied"
    assert done.attempts == 1  # the killed attempt left nothing behind
    billing = (await client.get("/v1/billing", headers=admin.headers)).json()
    assert (billing["plan"], billing["status"]) == ("basic", "active")
