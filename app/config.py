"""Settings, read from environment variables (no prefix); each is documented in the README."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConnectionBudgetExceeded(RuntimeError):
    """The processes' connection pools together could exceed PostgreSQL's max_connections."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Where embedded PostgreSQL/Redis and generated secrets live when no URLs are given.
    data_dir: Path = Path(".trackr-data")
    # postgresql+asyncpg://user:pass@host:5432/db ; unset means "start embedded PostgreSQL".
    database_url: str | None = None
    # redis://host:6379/0 ; unset means "start embedded Redis".
    redis_url: str | None = None
    # Connections to PostgreSQL, per process: `database_pool_size` kept open, up to
    # `database_max_overflow` more under load. All processes together must stay below the
    # server's max_connections (a benchmark that went past it was spoiled), so each API
    # process and each worker checks at start-up, against the server's own figure, that
    #     (api_processes + worker_processes) x (database_pool_size + database_max_overflow)
    #     + database_reserved_connections  <=  max_connections
    # and refuses to start, saying which figures to change, when it does not hold.
    # Defaults: (1 + 1) x (15 + 0) + 10 = 40 of PostgreSQL's default 100. No overflow by
    # default: under steady load a pool at its size opens and closes an overflow connection
    # for nearly every request (a connect each time, in the bench/ profile); the same 15
    # connections as a fixed pool never churn.
    database_pool_size: int = 15
    database_max_overflow: int = 0
    # API processes (every machine, every server worker) and arq worker processes using
    # this database: what the sum above counts.
    api_processes: int = 1
    worker_processes: int = 1
    # Kept free for everything else: migrations, psql, monitoring, superuser slots.
    database_reserved_connections: int = 10

    # HS256 signing key for access tokens and pagination cursors. Unset: generated once
    # and kept in DATA_DIR/secret-key (fine for one machine, set it explicitly when scaled out).
    secret_key: str | None = None
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    # argon2 cost of a password hash (argon2's recommended parameters; see app/auth/passwords.py).
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8)
    password_hash_parallelism: int = Field(default=4, ge=1)

    max_body_bytes: int = 1_048_576
    # Uploaded files (order files): the largest file accepted, and where blobs are kept
    # (unset: DATA_DIR/files).
    max_upload_bytes: int = 25 * 1024 * 1024
    files_dir: Path | None = None
    idempotency_ttl_seconds: int = 24 * 3600
    # Requests per minute, per credential (authenticated) and per client IP (public routes).
    rate_limit_per_minute: int = 600
    rate_limit_public_per_minute: int = 60
    # How long an API process may reuse a principal (credential -> user, company,
    # permissions) without asking the database. Revocations and access changes made through
    # the API still take effect at once on every process (app/auth/versions.py); this only
    # bounds a change made behind the API's back (psql, a worker). 0 turns the cache off.
    auth_cache_seconds: float = 30.0

    # Local weather of a customer's postal code (OpenWeatherMap; no key: 503 "not
    # configured"). One timeout bounds a whole lookup; answers are cached per postal code,
    # failures briefly, so that a dead provider is not hammered.
    weather_api_base: str = "https://api.openweathermap.org"
    weather_api_key: str | None = None
    weather_timeout_seconds: float = Field(default=3.0, gt=0)
    weather_cache_seconds: int = Field(default=900, ge=1)
    weather_failure_cache_seconds: int = Field(default=60, ge=1)
    weather_default_country: str = Field(default="US", pattern="^[A-Z]{2}$")

    # Stripe (billing of the company itself). No API key: billing answers 503 "not configured".
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    # Where the Stripe SDK sends its requests (a local fake in tests).
    stripe_api_base: str = "https://api.stripe.com"
    stripe_timeout_seconds: float = 10.0
    # Price ids of the plans (app/billing/plans.py), as created in the Stripe dashboard.
    stripe_price_basic_month: str = "price_basic_month"
    stripe_price_basic_year: str = "price_basic_year"
    stripe_price_plus_month: str = "price_plus_month"
    stripe_price_plus_year: str = "price_plus_year"
    # Webhook signatures older or newer than this are refused (replay protection).
    stripe_webhook_tolerance_seconds: int = 300
    # Stored events still unprocessed after this long are enqueued again by the sweeper.
    stripe_event_sweep_after_seconds: int = 120
    # The arq queue the API enqueues to and the worker takes from.
    arq_queue_name: str = "arq:queue"
    # How long a worker may spend on one job before arq considers it lost and runs it again.
    worker_job_timeout_seconds: int = 300

    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (the client's address
    # is what public rate limits count): comma-separated addresses or networks, "*" for any.
    # The name uvicorn reads too.
    forwarded_allow_ips: str = "127.0.0.1"
    # Redirect plain-HTTP requests (every route) to HTTPS and send HSTS. Behind a proxy the
    # scheme comes from X-Forwarded-Proto, believed only from FORWARDED_ALLOW_IPS.
    force_https: bool = False
    hsts_max_age_seconds: int = 365 * 24 * 3600

    # The public order form (app/public/): a submission sent sooner than this after its form
    # was served is a bot's, and is dropped (answered 202 all the same); a form token is
    # good for a day; submissions per minute per client IP and per form; body size.
    public_form_min_fill_seconds: float = 3.0
    public_form_token_ttl_seconds: int = 24 * 3600
    public_form_submissions_per_ip_per_minute: int = 10
    public_form_submissions_per_form_per_minute: int = 120
    public_form_max_body_bytes: int = 64 * 1024

    log_level: str = "INFO"
    log_json: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # Create a demo company on an empty database (embedded `make run` only).
    demo_seed: bool = Field(default=True)

    def database_connections_needed(self) -> int:
        """The most connections every process of a deployment can open, plus the reserve."""
        per_process = self.database_pool_size + self.database_max_overflow
        return (
            self.api_processes + self.worker_processes
        ) * per_process + self.database_reserved_connections

    def check_connection_budget(self, max_connections: int) -> None:
        """Refuse a deployment whose pools can exhaust PostgreSQL's `max_connections`."""
        needed = self.database_connections_needed()
        if needed > max_connections:
            raise ConnectionBudgetExceeded(
                f"PostgreSQL allows {max_connections} connections (max_connections), but "
                f"this deployment may open {needed}: (API_PROCESSES {self.api_processes} + "
                f"WORKER_PROCESSES {self.worker_processes}) x (DATABASE_POOL_SIZE "
                f"{self.database_pool_size} + DATABASE_MAX_OVERFLOW "
                f"{self.database_max_overflow}) + DATABASE_RESERVED_CONNECTIONS "
                f"{self.database_reserved_connections}. Lower the pool sizes, or raise "
                "max_connections (or put a pooler such as PgBouncer in front)."
            )

    def resolved_files_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret-key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
