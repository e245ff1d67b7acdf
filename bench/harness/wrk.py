"""wrk: installing it, running it with bench/wrk.lua, and reading the line it prints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.harness.log import say
from bench.harness.settings import BENCH_DIR


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: installing Debian's package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk could not be installed")
    return found


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    busy_before: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


def wrk_command(
    url: str, *, threads: int, connections: int, seconds: float, timeout: str | None = "10s"
) -> list[str]:
    """wrk's command line with bench/wrk.lua (its requests come from `wrk_env`)."""
    limit = ["--timeout", timeout] if timeout else []
    script = ["-s", str(BENCH_DIR / "wrk.lua")]
    return ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", *limit, *script, url]


def wrk_env(
    *,
    token: str | None,
    paths: Path | None = None,
    method: str = "GET",
    body: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """What bench/wrk.lua reads (see its header), over this process's environment."""
    return {
        **os.environ,
        **(extra or {}),
        "BENCH_TOKEN": token or "",
        "BENCH_PATHS": str(paths or ""),
        "BENCH_METHOD": method,
        "BENCH_BODY": body or "",
    }


def run_wrk(
    url: str,
    *,
    token: str | None,
    paths: Path | None,
    threads: int,
    connections: int,
    seconds: float,
    method: str = "GET",
    body: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> WrkResult:
    env = wrk_env(token=token, paths=paths, method=method, body=body, extra=extra_env)
    command = wrk_command(url, threads=threads, connections=connections, seconds=seconds)
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    latency = raw["latency_us"]
    elapsed = raw["duration_us"] / 1e6
    return WrkResult(
        requests=raw["requests"],
        seconds=round(elapsed, 2),
        rps=round(raw["requests"] / elapsed, 1),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        errors={k: int(v) for k, v in raw["errors"].items() if v},
    )
