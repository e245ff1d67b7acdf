"""Where the benchmark's servers and files are.

Environment (all optional):
    BENCH_PG_URL     PostgreSQL server, without a database: postgresql://postgres@127.0.0.1:5432
    BENCH_DB         the benchmark's own database, dropped and recreated by `seed --reset`
    BENCH_REDIS_URL  Redis for the API's rate limiter
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = os.environ.get("BENCH_DB", "trackr_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# Signs cursors; fixed so that a cursor saved by one run is valid in the next.
SECRET_KEY = "trackr-bench-secret-key-not-for-production-0123456789"  # noqa: S105

STATE_SCHEMA = "bench"


def dsn(database: str = DB_NAME) -> str:
    """A plain libpq URL (for asyncpg) of `database` on the benchmark's server."""
    return f"{PG_URL}/{database}"


def sqlalchemy_url(database: str = DB_NAME) -> str:
    """The same database as the app spells it (DATABASE_URL)."""
    _, rest = PG_URL.split("://", 1)
    return f"postgresql+asyncpg://{rest}/{database}"
