"""A quiet machine: this one's 2 cores are shared with whatever else runs (a test suite, an
editor), so each measurement waits until the others leave the cores idle."""

from __future__ import annotations

import time
from pathlib import Path

from bench.harness.log import say


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all cores busy over `seconds` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_quiet(limit: float, max_wait: float) -> float:
    """Wait (up to `max_wait` s) until at most `limit` of the CPUs is busy. Returns the last
    busy share seen."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    warned = False
    while busy > limit and time.monotonic() < deadline:
        if not warned:
            say(f"  machine busy ({busy:.0%} of the CPUs) before a scenario: waiting")
            warned = True
        busy = cpu_busy(2.0)
    if busy > limit:
        say(f"  still busy ({busy:.0%}) after {max_wait:g} s: measuring anyway (noted)")
    return busy
