"""The report of `python -m bench.webhooks`: ingest against its floor, then the worker."""

from __future__ import annotations

import statistics
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from bench.harness.rounds import Load, Scenario
from bench.report.tables import table, vs_floor
from bench.scenarios.webhooks import WorkerResult


def build_report(
    floor: Scenario, api: Scenario, worker: WorkerResult, load: Load, rounds: int
) -> tuple[str, dict[str, Any]]:
    """The markdown report and the JSON figures."""
    lines = [
        f"# Webhook ingest and worker, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`python -m bench.webhooks --rounds {rounds} --duration {load.seconds:g}"
        f" --connections {load.connections}`: wrk -t{load.threads} -c{load.connections}"
        f" -d{load.seconds:g}s, distinct signed events, median of {rounds} rounds"
        " (floor and API alternate within each round).",
        "",
        *table([floor, api], notes=False),
        "",
        "Rounds (req/s): floor "
        + " / ".join(f"{r.rps:,.0f}" for r in floor.rounds)
        + "; API "
        + " / ".join(f"{r.rps:,.0f}" for r in api.rounds)
        + ".",
        "",
        f"Worker: {worker.events:,} events applied in {worker.seconds:.1f} s ="
        f" **{worker.events_per_second:,.1f} events/s** (one arq worker, 10 jobs at a time;"
        f" each event re-reads 3 objects from the local fake Stripe). Outcomes: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(worker.outcomes.items()))
        + ".",
    ]
    floor_median, api_median = floor.median(), api.median()
    figures = {
        "floor": [asdict(r) for r in floor.rounds],
        "api": [asdict(r) for r in api.rounds],
        "worker": asdict(worker),
        "median_ratio": vs_floor(api_median, floor_median) if api_median else 0.0,
        "statistics": {"api_rps_stdev": statistics.pstdev(r.rps for r in api.rounds)},
    }
    return "\n".join(lines) + "\n", figures
