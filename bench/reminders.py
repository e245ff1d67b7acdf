"""The reminder scan at scale (issue 5): 1,000,000 orders of the big company, 1,000 due.

    python -m bench.reminders              # prepare if needed, then time the scan
    python -m bench.reminders --runs 7 --no-save

`make bench` runs it too (scenario key `reminder_scan`). It prepares the orders and their
reminders once per database and day (bench/seed/reminders.py), then times
`workers.reminders.scan` over them (bench/scenarios/reminders.py).
"""

from __future__ import annotations

import argparse
import asyncio

from bench.report import files
from bench.report import reminders as report
from bench.scenarios.reminders import RUNS, measure
from bench.seed.customers import read_state
from bench.seed.reminders import DUE, ORDERS, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--due", type=int, default=DUE)
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args()
    state = asyncio.run(read_state())
    if state is None:
        raise SystemExit("no seeded bench database: run `python -m bench.seed` first")
    layout = prepare(state, orders=args.orders, due=args.due)
    found = measure(layout, runs=args.runs)
    paragraph = report.markdown(found)
    print()
    print(paragraph)
    if not args.no_save:
        stamp = files.stamp()
        title = f"# Reminder scan benchmark, {stamp}\n\n"
        files.save(f"{stamp}-reminders", title + paragraph, found.as_json())


if __name__ == "__main__":
    main()
