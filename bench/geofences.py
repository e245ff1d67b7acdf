"""Geofence evaluation at scale (issue 12): positions/s with 10,000 fences, beside the floor.

    python -m bench.geofences                      # 10,000 fences, 20 batches of 500
    python -m bench.geofences --batches 4 --no-save

`make bench` runs it too. It needs only the benchmark's PostgreSQL and Redis (BENCH_PG_URL,
BENCH_REDIS_URL): its company lives in a database of its own, rebuilt on every run
(bench/scenarios/geofences.py).
"""

from __future__ import annotations

import argparse
import asyncio

from bench.report import files
from bench.scenarios.geofences import BATCH, BATCHES, FENCES, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fences", type=int, default=FENCES)
    parser.add_argument("--batches", type=int, default=BATCHES)
    parser.add_argument("--batch", type=int, default=BATCH, help="positions a batch (<= 500)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args()
    found = asyncio.run(run(fences=args.fences, batches=args.batches, batch=args.batch))
    paragraph = found.markdown()
    print()
    print(paragraph)
    if not args.no_save:
        stamp = files.stamp()
        title = f"# Geofence benchmark, {stamp}\n\n"
        files.save(f"{stamp}-geofences", title + paragraph, found.as_json())


if __name__ == "__main__":
    main()
