"""Benchmark of public order form submissions (issue 13); part of `make bench`.

    python -m bench.submissions                  # 3 rounds of 10 s, 16 concurrent visitors
    python -m bench.submissions --rounds 1 --duration 5

On a database of its own (`trackr_bench_submissions`, recreated and migrated each run), one
uvicorn API process serves a company's enabled form. Concurrent clients send distinct
submissions (each a new email, so each creates a customer, an order pending review, its
note and the admin's notification, in one transaction), each with a form token as the page
would have issued it earlier (minted with the run's secret: a submission needs one). The
per-IP and per-form limits are lifted for the run. Reported: submissions per second, p50
and p99 (median round), against a floor measured in the same rounds by the same clients:
`GET /v1/public/forms/{slug}` on the same process (the form read, no write), the cheapest
thing a visitor asks of it."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from app.public.tokens import FormTokens

from bench.harness.db import migrate, recreate_database
from bench.harness.log import say
from bench.harness.servers import api_env, serving
from bench.harness.settings import SECRET_KEY

DB_NAME = "trackr_bench_submissions"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    return parser.parse_args()


async def _company(client: httpx.AsyncClient) -> str:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    signed = await client.post(
        "/v1/signup",
        json={"company_name": "Bench Co", "name": "Bench", "email": email, "password": "x" * 12},
    )
    signed.raise_for_status()
    headers = {"Authorization": f"Bearer {signed.json()['token']['access_token']}"}
    form = await client.put(
        "/v1/company/order-form",
        headers=headers,
        json={
            "enabled": True,
            "fields": {"email": {"required": True}, "message": {}, "referral": {}},
            "thank_you_message": "Thanks!",
        },
    )
    form.raise_for_status()
    return str(form.json()["slug"])


async def _load(
    base: str, slug: str, *, write: bool, seconds: float, concurrency: int
) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in ms over `seconds` with `concurrency` clients."""
    tokens = FormTokens(SECRET_KEY, "order-form", 0.0, 24 * 3600)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def visitor(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            if write:
                response = await client.post(
                    f"/v1/public/forms/{slug}/submissions",
                    json={
                        "name": "Bench Visitor",
                        "email": f"v-{uuid.uuid4().hex}@example.com",
                        "message": "Please call me back.",
                        "referral": "Other",
                        "form_token": tokens.issue(slug, now=time.time() - 10),
                    },
                )
                expected = 202
            else:
                response = await client.get(f"/v1/public/forms/{slug}")
                expected = 200
            if response.status_code != expected:
                raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.gather(*(visitor(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(latencies) / elapsed, statistics.median(ordered) * 1000, p99 * 1000


async def run(base: str, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        slug = await _company(client)
    results: dict[str, list[tuple[float, float, float]]] = {"floor": [], "submit": []}
    for round_number in range(1, args.rounds + 1):
        for name, write in (("floor", False), ("submit", True)):
            figures = await _load(
                base, slug, write=write, seconds=args.duration, concurrency=args.concurrency
            )
            results[name].append(figures)
            say(
                f"round {round_number} {name}: {figures[0]:.0f}/s p50 {figures[1]:.1f} ms "
                f"p99 {figures[2]:.1f} ms"
            )
    floor = sorted(results["floor"])[len(results["floor"]) // 2]
    submit = sorted(results["submit"])[len(results["submit"]) // 2]
    print("| scenario | req/s | p50 ms | p99 ms | vs floor |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(
        f"| floor: GET /v1/public/forms/{{slug}} | {floor[0]:.0f} | {floor[1]:.1f} "
        f"| {floor[2]:.1f} | 1.00 |"
    )
    print(
        f"| POST submissions (202, stored) | {submit[0]:.0f} | {submit[1]:.1f} "
        f"| {submit[2]:.1f} | {submit[0] / floor[0]:.2f} |"
    )


def main() -> None:
    args = parse_args()
    asyncio.run(recreate_database(DB_NAME))
    migrate(DB_NAME)
    with tempfile.TemporaryDirectory() as data:
        env = {
            **api_env(Path(data), DB_NAME),
            "PUBLIC_FORM_SUBMISSIONS_PER_IP_PER_MINUTE": str(1_000_000_000),
            "PUBLIC_FORM_SUBMISSIONS_PER_FORM_PER_MINUTE": str(1_000_000_000),
        }
        with serving(Path(data), ("api", "app.main:app", env)) as (api,):
            asyncio.run(run(api.base, args))


if __name__ == "__main__":
    main()
