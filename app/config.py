"""Settings, read from environment variables (no prefix); each is documented in the README."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Where embedded PostgreSQL/Redis and generated secrets live when no URLs are given.
    data_dir: Path = Path(".trackr-data")
    # postgresql+asyncpg://user:pass@host:5432/db ; unset means "start embedded PostgreSQL".
    database_url: str | None = None
    # redis://host:6379/0 ; unset means "start embedded Redis".
    redis_url: str | None = None
    database_pool_size: int = 10
    database_max_overflow: int = 5

    # HS256 signing key for access tokens and pagination cursors. Unset: generated once
    # and kept in DATA_DIR/secret-key (fine for one machine, set it explicitly when scaled out).
    secret_key: str | None = None
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600

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

    log_level: str = "INFO"
    log_json: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # Create a demo company on an empty database (embedded `make run` only).
    demo_seed: bool = Field(default=True)

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
