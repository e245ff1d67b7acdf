"""The demo company `make run` creates on an empty embedded database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from app.auth import service as auth_service
from app.auth.passwords import Passwords
from app.company.models import Company
from app.config import Settings
from app.db import create_session_factory

DEMO_EMAIL = "admin@demo.trackr.dev"
DEMO_PASSWORD = "trackr-demo-password"


async def seed_demo(database_url: str) -> tuple[str, str] | None:
    """Create "Demo Company" and its admin when no company exists; return the login, or
    None when the database already has data (a second `make run` keeps what is there)."""
    engine = create_async_engine(database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            if await session.scalar(select(func.count()).select_from(Company)):
                return None
            await auth_service.signup(
                session,
                Passwords.from_settings(Settings()),
                company_name="Demo Company",
                name="Demo Admin",
                email=DEMO_EMAIL,
                password=DEMO_PASSWORD,
            )
        return DEMO_EMAIL, DEMO_PASSWORD
    finally:
        await engine.dispose()
