"""The report of `python -m bench.schedule`: each page of the API beside its own floor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from bench.harness.log import ms
from bench.harness.rounds import Load, Scenario
from bench.report.tables import vs_floor
from bench.scenarios.schedule import KEYS, Layout


def build_report(
    scenarios: Sequence[Scenario],
    found: Layout,
    appointments: int,
    load: Load,
    rounds: int,
    seed_seconds: float,
    plans: dict[str, str],
) -> tuple[str, dict[str, Any]]:
    """The markdown report and the JSON figures."""
    by_key = {s.key: s for s in scenarios}
    lines = [
        f"# Schedule list benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`python -m bench.schedule --rounds {rounds} --duration {load.seconds:g}"
        f" --connections {load.connections}`: wrk -t{load.threads} -c{load.connections}"
        f" -d{load.seconds:g}s (after {load.warmup:g} s of warm-up), median of {rounds} rounds;"
        " floor and API alternate within each round. One company, "
        f"{appointments:,} appointments over 2 years (seeded in {seed_seconds:.1f} s);"
        f" the period is {found.start:%Y-%m-%d} to {found.end:%Y-%m-%d} (92 days,"
        f" {found.in_period:,} appointments), 50 a page.",
        "",
        "| Scenario | req/s | p50 ms | p99 ms | vs its floor |",
        "|---|---:|---:|---:|---:|",
    ]
    figures: dict[str, Any] = {"layout": {"in_period": found.in_period}, "pairs": {}}
    for key in KEYS:
        floor, api = by_key[f"{key}_floor"], by_key[key]
        floor_m, api_m = floor.median(), api.median()
        for s, m in ((floor, floor_m), (api, api_m)):
            if m is None:
                lines.append(f"| {s.title} | failed | | | |")
                continue
            share = "1x" if s is floor else f"{vs_floor(m, floor_m):.0%}"
            lines.append(
                f"| {s.title} | {m.rps:,.0f} | {ms(m.p50_ms)} | {ms(m.p99_ms)} | {share} |"
            )
        figures["pairs"][key] = {
            "floor": [asdict(r) for r in floor.rounds],
            "api": [asdict(r) for r in api.rounds],
            "median_ratio": vs_floor(api_m, floor_m) if api_m else 0.0,
        }
    lines += ["", "Rounds (req/s):"]
    for s in scenarios:
        lines.append(f"- {s.key}: " + " / ".join(f"{r.rps:,.0f}" for r in s.rounds))
    if plans:
        lines += ["", "Plans of the API's list statement (EXPLAIN ANALYZE, after the run):"]
        for name, plan in plans.items():
            lines += ["", f"{name}:", "", "```", plan, "```"]
    figures["plans"] = plans
    return "\n".join(lines) + "\n", figures
