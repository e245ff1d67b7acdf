"""Seed the benchmark database: 10 companies, one of them with 1,000,000 customers and
200,000 orders.

    python -m bench.seed          # reuse the database if a finished seed of this size is there
    python -m bench.seed --reset  # drop and rebuild it

The customers first (bench/seed/customers.py), then the big company's orders
(bench/seed/orders.py), a step of its own recorded apart, so that a database seeded before
it gets it on reuse.
"""

from __future__ import annotations

import argparse

from bench.seed.customers import BIG_CUSTOMERS, COMPANIES, SMALL_CUSTOMERS, seed
from bench.seed.orders import seed_orders


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--reset", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--customers", type=int, default=BIG_CUSTOMERS, help="big company size")
    parser.add_argument("--small", type=int, default=SMALL_CUSTOMERS, help="other companies' size")
    parser.add_argument("--companies", type=int, default=COMPANIES)
    args = parser.parse_args()
    state = seed(reset=args.reset, big=args.customers, small=args.small, companies=args.companies)
    seed_orders(state)


if __name__ == "__main__":
    main()
