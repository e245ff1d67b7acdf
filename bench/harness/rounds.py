"""Scenarios measured in rounds: each scenario once a round, the median round reported, so
that drift over a run hits all of them alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from bench.harness.log import ms, say
from bench.harness.machine import wait_for_quiet
from bench.harness.wrk import WrkResult, run_wrk

T = TypeVar("T")


def middle(results: Sequence[T], key: Callable[[T], float]) -> T:
    """The median of an odd count, the upper one of an even count, by `key`."""
    return sorted(results, key=key)[len(results) // 2]


@dataclass
class Scenario:
    """One load for wrk: what it requests of which server, and what it measured."""

    key: str
    title: str
    server: str  # "floor" or "api"
    path: str
    token: str | None = None
    paths_file: Path | None = None
    note: str = ""
    method: str = "GET"
    body: str | None = None  # JSON, sent with every request
    # wrk's connections (and threads) for this scenario; None: the run's
    connections: int | None = None
    # More of wrk.lua's environment, made afresh before each run (signed webhooks)
    fresh_env: Callable[[], dict[str, str]] | None = None
    rounds: list[WrkResult] = field(default_factory=list)
    sent: int = 0  # requests wrk completed, warm-ups included

    @property
    def expected_status(self) -> int:
        return 201 if self.method == "POST" else 200

    def first_path(self) -> str:
        """The path of its first request (the first line of its paths file, if any)."""
        if self.paths_file is None:
            return self.path
        return self.paths_file.read_text().split("\n", 1)[0]

    def median(self) -> WrkResult | None:
        return middle(self.rounds, key=lambda r: r.rps) if self.rounds else None


@dataclass(frozen=True)
class Load:
    """How every scenario of a run is loaded."""

    threads: int
    connections: int
    seconds: float
    warmup: float = 0.0
    quiet: float = 0.25  # wait while more than this share of the CPUs is busy
    quiet_wait: float = 120  # for at most this long


def measure(scenario: Scenario, base: str, load: Load) -> WrkResult:
    """One round of `scenario` on the server at `base`: wait for a quiet machine, warm up,
    measure; the result is added to its rounds and printed."""
    url = base + (scenario.path if not scenario.paths_file else "/")
    connections = scenario.connections or load.connections
    busy = wait_for_quiet(load.quiet, load.quiet_wait)

    def wrk(seconds: float) -> WrkResult:
        return run_wrk(
            url,
            token=scenario.token,
            paths=scenario.paths_file,
            threads=min(load.threads, scenario.connections or load.threads),
            connections=connections,
            seconds=seconds,
            method=scenario.method,
            body=scenario.body,
            extra_env=scenario.fresh_env() if scenario.fresh_env else None,
        )

    if load.warmup > 0:
        scenario.sent += wrk(load.warmup).requests
    result = wrk(load.seconds)
    result.busy_before = round(busy, 2)
    scenario.rounds.append(result)
    scenario.sent += result.requests
    say(
        f"  {scenario.key:17} {result.rps:9,.0f} req/s  p50 {ms(result.p50_ms):>6} ms  "
        f"p99 {ms(result.p99_ms):>6} ms" + (f"  ERRORS {result.errors}" if result.failed else "")
    )
    if result.failed:
        scenario.note = f"{scenario.note}; errors {result.errors}".strip("; ")
    return result


async def preflight(
    client: httpx.AsyncClient,
    url: str,
    token: str | None,
    *,
    method: str = "GET",
    body: str | None = None,
    expected: int = 200,
) -> str:
    """One request as wrk will send it: fail early, with the reason, if it does not answer
    `expected` (200; 201 for a POST)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    response = await client.request(method, url, headers=headers, content=body)
    if response.status_code != expected:
        raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:500]}")
    found = response.json()
    if "data" in found:
        return f"{len(found['data'])} rows, has_more={found['has_more']}"
    if "lines" in found:
        payments = "hidden" if found["payments"] is None else len(found["payments"])
        return f"{len(found['lines'])} lines, {payments} payments, {len(response.content)} bytes"
    return f"{response.status_code}, {len(response.content)} bytes"


async def preflight_all(scenarios: Sequence[Scenario], bases: Mapping[str, str]) -> None:
    """`preflight` of each scenario's first request, on the server it loads."""
    async with httpx.AsyncClient(timeout=60) as client:
        for s in scenarios:
            outcome = await preflight(
                client,
                bases[s.server] + s.first_path(),
                s.token,
                method=s.method,
                body=s.body,
                expected=s.expected_status,
            )
            say(f"  {s.key}: {outcome}")
