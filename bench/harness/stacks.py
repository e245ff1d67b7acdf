"""Where a server's time went: py-spy's collapsed stacks of the event-loop thread, counted
by library (self time, i.e. the frame on top) and by phase of the request (inclusive: the
phase's function anywhere on the stack)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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
    ("commit (UnitOfWorkRoute._commit)", "_commit", "app/kit/unit_of_work"),
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
