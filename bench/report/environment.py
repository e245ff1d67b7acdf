"""What a run's figures depend on besides the code measured: commit, cores, load, wrk."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness.rounds import Load
from bench.harness.settings import ROOT


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip()


def environment(postgres: str, load: Load, rounds: int) -> dict[str, Any]:
    """Taken at the start of a run (the load average then)."""
    dirty = _git("status", "--porcelain", "--", "app", "migrations")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "app_dirty": bool(dirty),
        "cpus": os.cpu_count(),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "python": platform.python_version(),
        "postgres": postgres,
        "wrk": f"-t{load.threads} -c{load.connections} -d{load.seconds:g}s",
        "rounds": rounds,
        "warmup_s": load.warmup,
    }
