"""The table every load benchmark reports: each scenario's median round beside the floor
measured in the same run."""

from __future__ import annotations

from collections.abc import Sequence

from bench.harness.log import ms
from bench.harness.rounds import Scenario
from bench.harness.wrk import WrkResult


def floor_of(scenarios: Sequence[Scenario]) -> WrkResult | None:
    """The median round of the run's floor (the scenario keyed `floor`)."""
    return next((s.median() for s in scenarios if s.key == "floor"), None)


def vs_floor(result: WrkResult, floor: WrkResult | None) -> float:
    return result.rps / floor.rps if floor else 0.0


def table(scenarios: Sequence[Scenario], *, notes: bool = True) -> list[str]:
    """Markdown lines: req/s, p50, p99 and the share of the floor's req/s of each median
    round, with each scenario's notes when `notes`."""
    floor = floor_of(scenarios)
    columns = ["Scenario", "req/s", "p50 ms", "p99 ms", "vs floor", *(["Notes"] if notes else [])]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|---|" + "---:|" * 4 + ("---|" if notes else ""),
    ]
    for s in scenarios:
        m = s.median()
        if m is None:
            row = [s.title, "failed", "", "", ""]
        else:
            share = "1x" if s.key == "floor" else f"{vs_floor(m, floor):.0%}"
            row = [s.title, f"{m.rps:,.0f}", ms(m.p50_ms), ms(m.p99_ms), share]
        lines.append("| " + " | ".join([*row, *([s.note] if notes else [])]) + " |")
    return lines
