"""The application factory: settings in, a FastAPI app out. `app` is what uvicorn serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from redis.asyncio import Redis
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import logging as app_logging
from app.api_key.router import router as api_key_router
from app.auth import versions as auth_versions
from app.auth.cache import PrincipalCache
from app.auth.passwords import Passwords
from app.auth.router import router as auth_router
from app.auth.service import TokenPolicy
from app.billing import service as billing_service
from app.billing.gateway import StripeGateway
from app.billing.router import router as billing_router
from app.billing.router import webhooks as webhooks_router
from app.company.router import router as company_router
from app.config import Settings, get_settings
from app.custom_field.router import router as custom_field_router
from app.customer.attachment import router as attachment
from app.customer.contact.router import router as contact_router
from app.customer.equipment.router import router as equipment_router
from app.customer.location.router import router as location_router
from app.customer.reminder.router import router as customer_reminder_router
from app.customer.router import router as customer_router
from app.customer.weather.gateway import OpenWeatherMap
from app.customer.weather.router import router as weather_router
from app.db import (
    check_connection_budget,
    create_engine,
    create_read_session_factory,
    create_session_factory,
)
from app.event.router import router as event_router
from app.geofence.position.router import events_router as geofence_events_router
from app.geofence.position.router import positions_router
from app.geofence.router import map_router as geofence_map_router
from app.geofence.router import router as geofence_router
from app.group.router import router as group_router
from app.health.router import router as health_router
from app.invoice_item.router import router as invoice_item_router
from app.kit import problem
from app.kit.middleware import (
    BodySizeLimitMiddleware,
    HttpsOnlyMiddleware,
    RequestContextMiddleware,
)
from app.kit.pagination import CursorCodec
from app.note.router import customer_notes, order_notes, vendor_notes
from app.notification.router import router as notification_router
from app.order.appointment.router import availability_router, schedule_router
from app.order.appointment.router import router as appointment_router
from app.order.assignee.router import router as order_assignee_router
from app.order.checklist.router import router as checklist_router
from app.order.file import router as order_file
from app.order.line.router import router as order_line_router
from app.order.payment.router import router as payment_router
from app.order.review.router import router as order_review_router
from app.order.router import router as order_router
from app.order_form.router import referrals as referral_options_router
from app.order_form.router import router as order_form_router
from app.order_status.router import router as order_status_router
from app.public import pages as public_pages
from app.public.router import router as public_router
from app.report.router import router as report_router
from app.storage.local import LocalBlobStore
from app.storage.web import upload_body_limit
from app.tag.router import router as tag_router
from app.user.router import directory_router
from app.user.router import router as user_router
from app.vendor.contact_type.router import router as contact_type_router
from app.vendor.router import router as vendor_router

ROUTERS = (
    health_router,
    auth_router,
    user_router,
    directory_router,
    group_router,
    api_key_router,
    event_router,
    company_router,
    customer_router,
    contact_router,
    location_router,
    weather_router,
    equipment_router,
    geofence_router,
    geofence_map_router,
    geofence_events_router,
    positions_router,
    customer_notes,
    attachment.router,
    customer_reminder_router,
    tag_router,
    custom_field_router,
    order_status_router,
    order_form_router,
    referral_options_router,
    invoice_item_router,
    order_router,
    order_review_router,
    order_assignee_router,
    appointment_router,
    schedule_router,
    availability_router,
    checklist_router,
    order_notes,
    order_line_router,
    payment_router,
    order_file.router,
    report_router,
    notification_router,
    billing_router,
    webhooks_router,
    vendor_router,
    vendor_notes,
    contact_type_router,
    public_router,
    public_pages.router,
)

DESCRIPTION = """
Customers, orders, payments and reminders for small service businesses.

Conventions: JSON in and out; errors are RFC 9457 `application/problem+json`; lists are
keyset-paginated (`limit`, `cursor`, `next_cursor`); single resources carry an `ETag` and
accept `If-Match` on PATCH/DELETE; every POST accepts an `Idempotency-Key`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app_logging.configure(settings.log_level, json=settings.log_json)
    engine = create_engine(settings)
    redis: Redis = Redis.from_url(
        settings.redis_url or "redis://127.0.0.1:6379/0",
        socket_timeout=2,
        socket_connect_timeout=2,
    )

    # Shares the Redis connection pool; enqueues the worker's jobs.
    arq = ArqRedis(pool_or_conn=redis.connection_pool, default_queue_name=settings.arq_queue_name)
    stripe = StripeGateway(settings) if settings.stripe_api_key else None
    weather = OpenWeatherMap(settings) if settings.weather_api_key else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            await check_connection_budget(engine, settings)
            yield
        finally:
            if stripe is not None:
                await stripe.aclose()
            if weather is not None:
                await weather.aclose()
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title="Trackr API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    secret_key = settings.resolved_secret_key()
    app.state.settings = settings
    app.state.engine = engine
    session_info = {auth_versions.REDIS_INFO_KEY: redis}
    app.state.sessions = create_session_factory(engine, session_info)
    app.state.read_sessions = create_read_session_factory(engine, session_info)
    app.state.principal_cache = PrincipalCache(settings.auth_cache_seconds)
    app.state.passwords = Passwords.from_settings(settings)
    app.state.redis = redis
    app.state.arq = arq
    app.state.stripe = stripe
    app.state.weather = weather
    app.state.blob_store = LocalBlobStore(settings.resolved_files_dir())
    app.state.secret_key = secret_key
    app.state.user_limit = billing_service.ensure_room_for_user
    app.state.cursor_codec = CursorCodec(secret_key)
    app.state.token_policy = TokenPolicy(
        secret_key=secret_key,
        access_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
    )

    problem.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger=[
            *(
                (path, upload_body_limit(settings))
                for path in (order_file.UPLOAD_PATH, attachment.UPLOAD_PATH)
            ),
            (public_pages.SUBMIT_PATH, settings.public_form_max_body_bytes),
        ],
    )
    app.add_middleware(RequestContextMiddleware)
    if settings.force_https:
        # Inside ProxyHeadersMiddleware: the scheme is X-Forwarded-Proto from trusted proxies.
        app.add_middleware(HttpsOnlyMiddleware, hsts_max_age=settings.hsts_max_age_seconds)
    # Outermost: the client's address behind the load balancer, whatever the server (granian
    # does not do it itself). Behind uvicorn, which does, a second pass changes nothing.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def build_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = problem.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    return schema


def __getattr__(name: str) -> Any:
    # `uvicorn app.main:app` builds the app on first access, so importing this module (tests,
    # tools) does not need a configured environment.
    if name == "app":
        globals()["app"] = application = create_app()
        return application
    raise AttributeError(name)
