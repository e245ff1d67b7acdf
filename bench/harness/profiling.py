"""py-spy on a server while wrk loads it: collapsed stacks (text, for bench.harness.stacks)
and a flame graph (SVG, for people)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.harness.servers import Server
from bench.harness.settings import ROOT
from bench.harness.stacks import Profile, analyse
from bench.harness.wrk import wrk_command, wrk_env


def py_spy() -> str:
    found = Path(sys.executable).parent / "py-spy"
    if not found.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True)
    return str(found)


def record_under_load(
    server: Server,
    url: str,
    token: str,
    *,
    seconds: float,
    threads: int,
    connections: int,
    output: Path,
    fmt: str,
) -> None:
    """py-spy `server` for `seconds` in format `fmt`, while wrk loads `url` (from 2 s before
    to 2 s after)."""
    command = wrk_command(
        url, threads=threads, connections=connections, seconds=seconds + 4, timeout=None
    )
    load = subprocess.Popen(command, env=wrk_env(token=token), stdout=subprocess.DEVNULL)
    try:
        time.sleep(2)  # let the load settle
        subprocess.run(
            [
                py_spy(),
                "record",
                "--pid",
                str(server.pid),
                "--duration",
                f"{seconds:g}",
                "--rate",
                "250",
                "--format",
                fmt,
                "--output",
                str(output),
            ],
            check=True,
            capture_output=True,
        )
    finally:
        load.wait()


def profile_under_load(
    server: Server,
    url: str,
    token: str,
    *,
    name: str,
    seconds: float,
    threads: int,
    connections: int,
    out_dir: Path,
) -> Profile:
    """Record `name`.txt and `name`.svg in `out_dir`, one after the other, and read back the
    first."""
    out_dir.mkdir(parents=True, exist_ok=True)
    raw, svg = out_dir / f"{name}.txt", out_dir / f"{name}.svg"
    for output, fmt in ((raw, "raw"), (svg, "flamegraph")):
        record_under_load(
            server,
            url,
            token,
            seconds=seconds,
            threads=threads,
            connections=connections,
            output=output,
            fmt=fmt,
        )
    result = analyse(raw.read_text())
    result.recordings = [
        str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in (raw, svg)
    ]
    return result
