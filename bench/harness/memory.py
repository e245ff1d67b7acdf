"""A server's memory as Linux counts it (/proc/<pid>/status), sampled while it works."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path


def status_kb(pid: int, field_name: str) -> int:
    """A kB figure of /proc/<pid>/status: VmRSS (resident now), VmHWM (its peak so far)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def rss_sampler(pid: int, interval: float = 0.01) -> Iterator[dict[str, int]]:
    """Samples VmRSS of `pid` in a thread while the block runs; yields the running peak."""
    found = {"peak_kb": status_kb(pid, "VmRSS")}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            found["peak_kb"] = max(found["peak_kb"], status_kb(pid, "VmRSS"))
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()
