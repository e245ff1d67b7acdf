"""Scale-out and the HTTP server, measured (issue 11, part 3): the customer list's first
page served by N API processes behind one port (N = 1 and 2), with uvicorn (httptools,
uvloop) and with granian (uvloop), each beside the floor measured in the same rounds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness.log import say
from bench.harness.rounds import Load, Scenario, measure
from bench.harness.servers import SERVERS, Server, api_env, start_server
from bench.harness.wrk import WrkResult
from bench.scenarios.customers import LIST
from bench.seed.customers import Company

KEYS = ("scaling",)
PROCESSES = (1, 2)


@dataclass
class Setup:
    """One way of serving the API: which server, how many processes."""

    server: str
    processes: int
    scenario: Scenario
    floor: Scenario
    rounds: list[tuple[WrkResult, WrkResult]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.server}, {self.processes} process{'es' if self.processes > 1 else ''}"


def setups(big: Company) -> list[Setup]:
    return [
        Setup(
            server,
            n,
            Scenario(f"scale_{server}_{n}", f"First page, {server} x{n}", "api", LIST, big.api_key),
            Scenario(f"scale_floor_{server}_{n}", "Floor (same rounds)", "floor", LIST),
        )
        for server in SERVERS
        for n in PROCESSES
    ]


@contextlib.contextmanager
def _serving(setup: Setup, log_dir: Path) -> Iterator[Server]:
    api = start_server(
        f"api-{setup.server}-{setup.processes}",
        "app.main:app",
        api_env(log_dir / "data", processes=setup.processes),
        log_dir,
        http_server=setup.server,
        workers=setup.processes,
    )
    try:
        yield api
    finally:
        api.stop()


def measure_all(big: Company, floor: Server, log_dir: Path, load: Load, rounds: int) -> list[Setup]:
    """Each setup in turn (their pools together would not fit PostgreSQL's connections at
    once), `rounds` rounds of the floor then the setup's first page."""
    found = setups(big)
    for setup in found:
        say(f"scaling: {setup.label}")
        with _serving(setup, log_dir) as api:
            for _ in range(rounds):
                floor_result = measure(setup.floor, floor.base, load)
                result = measure(setup.scenario, api.base, load)
                setup.rounds.append((result, floor_result))
    return found


def _median(setup: Setup) -> tuple[WrkResult, WrkResult] | None:
    if not setup.rounds:
        return None
    return sorted(setup.rounds, key=lambda pair: pair[0].rps)[len(setup.rounds) // 2]


def markdown(found: list[Setup]) -> list[str]:
    lines = [
        "### Scale-out and HTTP server: first page of 50, N processes behind one port",
        "",
        "| Server | processes | req/s | p50 ms | p99 ms | floor req/s (same rounds) | vs floor "
        "| vs 1 process |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    single: dict[str, float] = {}
    for setup in found:
        pair = _median(setup)
        if pair is None:
            continue
        result, floor = pair
        if setup.processes == 1:
            single[setup.server] = result.rps
        base = single.get(setup.server)
        scale = f"{result.rps / base:.2f}x" if base else ""
        lines.append(
            f"| {setup.server} | {setup.processes} | {result.rps:,.0f} | {result.p50_ms:.1f} "
            f"| {result.p99_ms:.1f} | {floor.rps:,.0f} | {result.rps / floor.rps:.0%} | {scale} |"
        )
    lines += [
        "",
        "The floor is one process throughout; wrk, PostgreSQL and every API process share "
        "the same cores, so a second process can only use what the others leave.",
        "",
    ]
    return lines


def as_json(found: list[Setup]) -> list[dict[str, Any]]:
    out = []
    for setup in found:
        pair = _median(setup)
        out.append(
            {
                "server": setup.server,
                "processes": setup.processes,
                "rounds": [
                    {"rps": r.rps, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "floor_rps": f.rps}
                    for r, f in setup.rounds
                ],
                "median_rps": pair[0].rps if pair else None,
                "vs_floor": round(pair[0].rps / pair[1].rps, 3) if pair else None,
            }
        )
    return out
