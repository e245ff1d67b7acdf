"""Where a server's time goes under load: py-spy while wrk runs, read back as tables.

`profile_first_page` records the API under the first-page load twice — collapsed stacks
(text, analysed here) and a flame graph (SVG, for people) — and summarises the samples of
the event-loop thread: share of samples by library (self time, i.e. the frame on top) and
by phase of the request (inclusive: the phase's function anywhere on the stack).

    python -m bench.profile bench/results/profile-first-page.txt   # re-read a recording
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.harness.settings import BENCH_DIR, ROOT

if TYPE_CHECKING:
    from bench.run import Server

# (label, substring of a frame's file) in order: the first match names the library.
LIBRARIES = (
    ("SQLAlchemy", "sqlalchemy/"),
    ("Pydantic", "pydantic"),
    ("FastAPI", "fastapi/"),
    ("Starlette", "starlette/"),
    ("asyncpg", "asyncpg/"),
    ("redis-py", "redis/"),
    ("structlog", "structlog/"),
    ("anyio (threadpool)", "anyio/"),
    ("uvicorn / httptools", "uvicorn/"),
    ("Trackr app/", "app/"),
    ("asyncio", "asyncio/"),
)
# (label, function, substring of its file): inclusive shares of request phases.
PHASES = (
    ("whole request (middleware down)", "RequestContextMiddleware.__call__", "app/kit/"),
    ("FastAPI solve_dependencies", "solve_dependencies", "fastapi/"),
    ("  auth: Authorize.__call__", "Authorize.__call__", "app/auth/"),
    ("    authenticate (API key + user queries)", "authenticate", "app/auth/service"),
    ("    rate limit (Redis)", "hit", "app/kit/ratelimit"),
    ("  sync dependencies in the threadpool", "run_in_threadpool", "starlette/"),
    ("endpoint list_customers", "list_customers", "app/customer/router"),
    ("  service.list_customers", "list_customers", "app/customer/service"),
    ("    paginate (page query)", "paginate", "app/kit/pagination"),
    ("    tags_of (tags query)", "tags_of", "app/customer/repository"),
    ("  to_read (ORM row -> CustomerRead)", "to_read", "app/customer/router"),
    ("FastAPI serialize_response (validate + dump)", "serialize_response", "fastapi/"),
    ("commit (TrackrRoute._commit)", "_commit", "app/kit/routing"),
    ("session close", "AsyncSession.close", "sqlalchemy/"),
    ("SQLAlchemy execute (any query)", "AsyncSession.execute", "sqlalchemy/"),
    ("SQLAlchemy scalars/scalar (any query)", "AsyncSession.scalar", "sqlalchemy/"),
    ("asyncpg protocol (bind/execute)", "bind_execute", "asyncpg/"),
    ("structlog access log", "BoundLoggerLazyProxy", "structlog/"),
)
MAIN_LOOP = "uvicorn/server.py"


@dataclass
class Profile:
    samples: int = 0
    libraries: Counter[str] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    self_time: Counter[str] = field(default_factory=Counter)
    files: dict[str, str] = field(default_factory=dict)
    markdown: str = ""
    recordings: list[str] = field(default_factory=list)

    def share(self, count: int) -> str:
        return f"{100 * count / max(self.samples, 1):.1f}%"

    def as_json(self) -> dict[str, Any]:
        def shares(counter: Counter[str], n: int | None = None) -> dict[str, float]:
            total = max(self.samples, 1)
            return {k: round(100 * v / total, 1) for k, v in counter.most_common(n)}

        return {
            "samples": self.samples,
            "self_by_library_pct": shares(self.libraries),
            "phases_inclusive_pct": shares(self.phases),
            "top_inclusive_pct": shares(self.inclusive, 30),
            "top_self_pct": shares(self.self_time, 20),
            "recordings": self.recordings,
        }


def _split(frame: str) -> tuple[str, str]:
    """`func (path/file.py:123)` -> (func, path/file.py)."""
    name, _, where = frame.rpartition(" (")
    return name, where.rstrip(")").rpartition(":")[0]


def _library(path: str) -> str:
    return next((label for label, part in LIBRARIES if part in path), "other (stdlib, C)")


def analyse(collapsed: str) -> Profile:
    """Read py-spy's raw (collapsed) output, keeping only the event loop's thread."""
    result = Profile()
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or MAIN_LOOP not in stack:
            continue  # idle worker threads, the interpreter's own
        count = int(count_text)
        frames = [_split(f) for f in stack.split(";")]
        result.samples += count
        leaf_name, leaf_path = frames[-1]
        result.libraries[_library(leaf_path)] += count
        result.self_time[f"{leaf_name} ({leaf_path})"] += count
        seen = {f"{name} ({path})" for name, path in frames}
        for key in seen:
            result.inclusive[key] += count
        for label, function, part in PHASES:
            if any(name == function and part in path for name, path in frames):
                result.phases[label] += count
    return result


def render(profile: Profile, title: str) -> str:
    lines = [
        f"## {title}",
        "",
        f"{profile.samples:,} samples of the event-loop thread (py-spy, idle time excluded).",
        "",
        "| Library (self time: frame on top of the stack) | Share |",
        "|---|---:|",
        *(f"| {k} | {profile.share(v)} |" for k, v in profile.libraries.most_common()),
        "",
        "| Phase (inclusive) | Share |",
        "|---|---:|",
        *(
            f"| {label.replace('  ', '&nbsp;&nbsp;')} | {profile.share(profile.phases[label])} |"
            for label, _, _ in PHASES
        ),
        "",
        "| Top functions, inclusive | Share |",
        "|---|---:|",
        *(
            f"| `{k}` | {profile.share(v)} |"
            for k, v in profile.inclusive.most_common(60)
            if "uvicorn/" not in k and "runpy" not in k and "click/" not in k
        ),
        "",
        "| Top functions, self | Share |",
        "|---|---:|",
        *(f"| `{k}` | {profile.share(v)} |" for k, v in profile.self_time.most_common(25)),
        "",
    ]
    if profile.recordings:
        lines += ["Recordings: " + ", ".join(f"`{r}`" for r in profile.recordings), ""]
    return "\n".join(lines)


def py_spy() -> str:
    found = Path(sys.executable).parent / "py-spy"
    if not found.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True)
    return str(found)


def _record_under_load(
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
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_PATHS": ""}
    load = subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds + 4:g}s",
            "-s",
            str(BENCH_DIR / "wrk.lua"),
            url,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
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


def profile_first_page(
    server: Server,
    url: str,
    token: str,
    *,
    seconds: float,
    threads: int,
    connections: int,
    out_dir: Path,
) -> Profile:
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / "profile-first-page.txt"
    svg = out_dir / "profile-first-page.svg"
    common: dict[str, Any] = {"seconds": seconds, "threads": threads, "connections": connections}
    _record_under_load(server, url, token, output=raw, fmt="raw", **common)
    _record_under_load(server, url, token, output=svg, fmt="flamegraph", **common)
    result = analyse(raw.read_text())
    result.recordings = [
        str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in (raw, svg)
    ]
    result.markdown = render(result, "Profile: API first page under wrk (py-spy)")
    return result


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/profile-first-page.txt")
    print(render(analyse(path.read_text()), f"Profile: {path}"))


if __name__ == "__main__":
    main()
