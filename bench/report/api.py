"""The report of `python -m bench.run`: the customer and order scenarios against the floor,
the export, the payments created, the targets, and the data they ran on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bench.harness.rounds import Scenario, middle
from bench.harness.wrk import WrkResult
from bench.report import targets
from bench.report.tables import floor_of, table, vs_floor
from bench.scenarios.customers import WALK_LIMIT, ExportResult, Facts
from bench.seed.customers import SeedState
from bench.seed.orders import DETAIL_LINES, DETAIL_PAYMENTS, OrdersState


@dataclass
class ApiRun:
    """What one `python -m bench.run` measured, and on what."""

    env: dict[str, Any]
    state: SeedState
    orders: OrdersState
    facts: Facts
    deep: dict[str, Any] | None
    scenarios: list[Scenario]
    exports: list[ExportResult]
    payments: tuple[int, int] | None  # the company's payments before and after the rounds


def _results(scenarios: list[Scenario]) -> dict[str, Any]:
    floor = floor_of(scenarios)
    results: dict[str, Any] = {}
    for s in scenarios:
        m = s.median()
        if m is None:
            results[s.key] = {"title": s.title, "error": s.note}
            continue
        results[s.key] = {
            "title": s.title,
            "path": s.path,
            "median": asdict(m),
            "rounds": [asdict(r) for r in s.rounds],
            "vs_floor_rps": round(vs_floor(m, floor), 3),
            **({"method": s.method, "body": s.body} if s.body is not None else {}),
        }
    return results


def _header(run: ApiRun) -> list[str]:
    env, state, orders = run.env, run.state, run.orders
    big = state.company(state.big)
    return [
        f"# API benchmark (customers, orders), {env['date']}",
        "",
        f"Commit `{env['commit']}`{' (app/ with uncommitted changes)' if env['app_dirty'] else ''}"
        f"; {env['cpus']} cores shared by wrk, the server and PostgreSQL {env['postgres']}; "
        f"load average at start {' '.join(env['loadavg_at_start'])}.",
        f"wrk `{env['wrk']}`, {env['warmup_s']:g} s warm-up, median of {env['rounds']} "
        "round(s) (by req/s). One uvicorn worker each for the API and the floor.",
        f"Data: {len(state.companies)} companies, {big.customers:,} customers in the one "
        "measured; API key of that company (`customers:read`). Its orders: "
        f"{orders.orders:,} numbered 1..{orders.orders:,} over 3 years ({orders.lines:,} line "
        f"items), one detail order with {DETAIL_LINES} line items and {DETAIL_PAYMENTS} "
        f"payments, {len(orders.payable_ids):,} payable ones; the order scenarios use an API "
        "key with `orders:read|write`, `payments:read|write`, `customers:read`.",
        "",
    ]


def _export(export: ExportResult, exports: list[ExportResult]) -> list[str]:
    return [
        f"**Export** of {export.rows:,} rows ({export.bytes / 1e6:.1f} MB of CSV, "
        f"`created_from`/`created_to` slice of the big company): {export.seconds:.2f} s, "
        f"**{export.rows_per_s:,.0f} rows/s**, first byte after "
        f"{export.first_byte_ms:.0f} ms. Server RSS {export.rss_before_mb:.0f} MB before, "
        f"peak {export.rss_peak_mb:.0f} MB during (+{export.growth_mb:.1f} MB), "
        f"{export.rss_after_mb:.0f} MB after; VmHWM {export.hwm_before_mb:.0f} → "
        f"{export.hwm_after_mb:.0f} MB. Median of {len(exports)}: "
        + ", ".join(f"{e.rows_per_s:,.0f}" for e in exports)
        + " rows/s.",
        "",
    ]


def _payments(payments: tuple[int, int], sent: int, orders: int) -> tuple[dict[str, int], str]:
    """The payments the payment-create scenario recorded: for the JSON and the report."""
    before, after = payments
    found = {
        "payments_before": before,
        "payments_after": after,
        "created": after - before,
        "responses_counted_by_wrk": sent,
    }
    line = (
        f"**payment_create** recorded {after - before:,} payments (rows of the company "
        f"before/after the rounds: {before:,} → {after:,}; wrk counted {sent:,} responses, "
        f"warm-ups included, and not those in flight when it stops) over {orders:,} orders, "
        "one row lock each. They accumulate across runs."
    )
    return found, line


def _footer(run: ApiRun) -> list[str]:
    state, deep = run.state, run.deep
    big = state.company(state.big)
    lines = []
    if deep is not None:
        lines.append(
            f"Deep page: cursor at row {deep['position']:,} of {big.customers:,}"
            + (
                f", reached by walking {deep['position'] // WALK_LIMIT:,} pages of {WALK_LIMIT} "
                f"in {deep['walk_seconds']} s ({deep['walk_pages_per_s']} pages/s), checking "
                "that (name, id) strictly increases."
                if "walk_seconds" in deep
                else "."
            )
        )
    return [
        *lines,
        "Search terms match "
        + ", ".join(f"`{t}` {n:,} rows" for t, n in run.facts.matches.items())
        + f" of {big.customers:,}.",
        "Seed timings (s): " + ", ".join(f"{k} {v:g}" for k, v in state.timings.items()) + ".",
        "Orders seed timings (s): "
        + ", ".join(f"{k.removeprefix('orders: ')} {v:g}" for k, v in run.orders.timings.items())
        + ".",
        "",
    ]


def build_report(run: ApiRun) -> tuple[str, dict[str, Any]]:
    """The markdown report and the JSON results of the run."""
    by_key = {s.key: s for s in run.scenarios}

    def median(key: str) -> WrkResult | None:
        return by_key[key].median() if key in by_key else None  # --only may skip it

    results = _results(run.scenarios)
    export = middle(run.exports, key=lambda e: e.rows_per_s) if run.exports else None
    lines = [*_header(run), *table(run.scenarios), ""]
    if export:
        results["export"] = {
            "median": {**asdict(export), "growth_mb": export.growth_mb},
            "rounds": [asdict(e) for e in run.exports],
        }
        lines += _export(export, run.exports)
    found = targets.checks(median, lambda key: by_key[key].title, export)
    results["targets"] = [{"target": t, "measured": v, "met": ok} for t, v, ok in found]
    if run.payments is not None:
        sent, payable = by_key["payment_create"].sent, len(run.orders.payable_ids)
        results["payment_create"], paragraph = _payments(run.payments, sent, payable)
        lines += [paragraph, ""]
    lines += targets.markdown(found)
    lines += _footer(run)
    return "\n".join(lines), results
