"""Load benchmark of the customer and order APIs against a floor (issues 3 and 4); `make bench`.

    python -m bench.run                  # seed if needed, 3 rounds of every scenario
    python -m bench.run --rounds 1 --duration 5
    python -m bench.run --profile        # also py-spy the API's first page afterwards
    python -m bench.run --only orders_first_page order_detail payment_create
    python -m bench.run --only reminder_scan   # the reminder scan alone (bench/reminders.py)
    python -m bench.run --only scaling   # N = 1, 2 API processes, uvicorn and granian

Serves the API (`uvicorn app.main:app`, one worker) and the floor (bench/floor.py) on
127.0.0.1, loads each scenario with wrk, and reports req/s, p50 and p99 per scenario with
the ratio to the floor measured in the same run: a table on stdout and in
bench/results/<UTC stamp>.md and .json. Scenarios run in rounds (every scenario once per
round) and the median round is reported, so drift over the run hits all of them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bench.harness.log import say
from bench.harness.machine import wait_for_quiet
from bench.harness.profiling import profile_under_load
from bench.harness.rounds import Load, measure, preflight_all
from bench.harness.servers import Server, api_env, serving
from bench.harness.settings import RESULTS_DIR
from bench.harness.wrk import ensure_wrk
from bench.report import files
from bench.report import reminders as reminders_report
from bench.report.api import ApiRun, build_report
from bench.report.environment import environment
from bench.report.profile import render
from bench.scenarios import customers, orders, reminders, scaling
from bench.seed import reminders as reminders_seed
from bench.seed.customers import BIG_CUSTOMERS, COMPANIES, SMALL_CUSTOMERS, seed
from bench.seed.orders import seed_orders

SCENARIO_KEYS = (*customers.KEYS, *orders.KEYS, *reminders.KEYS, *scaling.KEYS)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk before each")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only",
        nargs="*",
        choices=SCENARIO_KEYS,
        metavar="KEY",
        help=f"scenarios to run (default: all): {' '.join(SCENARIO_KEYS)}",
    )
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--customers", type=int, default=BIG_CUSTOMERS)
    parser.add_argument("--rewalk", action="store_true", help="walk to the deep page again")
    parser.add_argument("--profile", action="store_true", help="py-spy the first page after")
    parser.add_argument("--profile-seconds", type=float, default=10)
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.25,
        help="before each scenario, wait while more than this share of the CPUs is busy",
    )
    parser.add_argument("--quiet-wait", type=float, default=120, help="for at most this long")
    return parser.parse_args()


def measure_rounds(
    run: ApiRun, args: argparse.Namespace, load: Load, floor: Server, api: Server
) -> None:
    """Every scenario once a round (then the export, when wanted), `args.rounds` times;
    with the company's payments counted around them when payments are created."""
    bases = {"floor": floor.base, "api": api.base}
    asyncio.run(preflight_all(run.scenarios, bases))
    big = run.state.company(run.state.big)
    creates_payments = any(s.key == "payment_create" for s in run.scenarios)
    payments_before = asyncio.run(orders.payment_count(big.id)) if creates_payments else 0
    for round_no in range(1, args.rounds + 1):
        say(f"round {round_no}/{args.rounds}")
        for s in run.scenarios:
            measure(s, bases[s.server], load)
        if not args.only or "export" in args.only:
            export = asyncio.run(customers.run_export(api, big.api_key, run.state.export_window))
            run.exports.append(export)
            say(
                f"  {'export':17} {export.rows:,} rows in {export.seconds:.2f} s = "
                f"{export.rows_per_s:,.0f} rows/s; RSS {export.rss_before_mb:.0f} → peak "
                f"{export.rss_peak_mb:.0f} MB (+{export.growth_mb} MB)"
            )
    if creates_payments:
        run.payments = (payments_before, asyncio.run(orders.payment_count(big.id)))


def main() -> None:
    args = parse_args()

    def wanted(key: str) -> bool:
        return not args.only or key in args.only

    ensure_wrk()
    state = seed(reset=args.reseed, big=args.customers, small=SMALL_CUSTOMERS, companies=COMPANIES)
    big = state.company(state.big)
    orders_state = seed_orders(state)
    facts = asyncio.run(customers.facts(state))
    log_dir = Path(tempfile.mkdtemp(prefix="trackr-bench-"))
    load = Load(
        threads=args.threads,
        connections=args.connections,
        seconds=args.duration,
        warmup=args.warmup,
        quiet=args.quiet,
        quiet_wait=args.quiet_wait,
    )
    env = environment(facts.postgres, load, args.rounds)
    # Before the servers start: it tops the big company up to 1M orders (once).
    layout = reminders_seed.prepare(state) if wanted("reminder_scan") else None

    with serving(
        log_dir,
        ("floor", "bench.floor:app", {"BENCH_COMPANY_ID": big.id}),
        ("api", "app.main:app", api_env(log_dir / "data")),
    ) as (floor, api):
        say(f"floor pid {floor.pid} on {floor.base}; API pid {api.pid} on {api.base}")
        # Walking to the deep page takes a while without a saved cursor: only when measured.
        deep = (
            asyncio.run(customers.deep_cursor(api.base, big, rewalk=args.rewalk))
            if wanted("deep_page")
            else None
        )
        scenarios = [
            *customers.scenarios(big, facts, deep, log_dir),
            *orders.scenarios(orders_state, log_dir),
        ]
        scenarios = [s for s in scenarios if wanted(s.key) or s.key == "floor"]
        run = ApiRun(env, state, orders_state, facts, deep, scenarios, [], None)
        measure_rounds(run, args, load, floor, api)
        scaled = (
            scaling.measure_all(big, floor, log_dir, load, args.rounds)
            if wanted("scaling")
            else None
        )
        scan = None
        if layout is not None:
            wait_for_quiet(load.quiet, load.quiet_wait)
            scan = reminders.measure(layout, runs=max(args.rounds, 3))
        report, results = build_report(run)
        if scaled is not None:
            results["scaling"] = scaling.as_json(scaled)
            report += "\n" + "\n".join(scaling.markdown(scaled))
        if scan is not None:
            results["reminder_scan"] = scan.as_json()
            report += "\n" + reminders_report.markdown(scan)
        if args.profile:
            profile = profile_under_load(
                api,
                f"{api.base}{customers.LIST}",
                big.api_key,
                name="profile-first-page",
                seconds=args.profile_seconds,
                threads=args.threads,
                connections=args.connections,
                out_dir=RESULTS_DIR if not args.no_save else log_dir,
            )
            report += "\n" + render(profile, "Profile: API first page under wrk (py-spy)")
            results["profile"] = profile.as_json()

    print()
    print(report)
    if not args.no_save:
        save(report, results, env, state.to_json(), orders_state.public())
    say(f"server logs in {log_dir}")


def save(
    report: str,
    results: dict[str, Any],
    env: dict[str, Any],
    seed_json: dict[str, Any],
    orders_json: dict[str, Any],
) -> None:
    """bench/results/<stamp>.md and .json, without the companies' API keys (never commit
    credentials, even throwaway ones)."""
    companies = [{k: v for k, v in c.items() if k != "api_key"} for c in seed_json["companies"]]
    payload = {
        "environment": env,
        "seed": {**seed_json, "companies": companies},
        "orders_seed": orders_json,
        "results": results,
    }
    files.save(files.stamp(), report, payload)


if __name__ == "__main__":
    main()
