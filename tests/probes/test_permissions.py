"""Permission probe: every route declares who may call it, and the declaration holds.

A route declares a permission (`Authorize("resource:action")` anywhere in its dependency
tree), or is listed below as authenticated without one, or as public. For each permission
declared on routes, a caller holding every other grantable permission gets a 403 naming it
on every route that requires it (a user and an API key; for admin-only permissions, a
non-admin with everything grantable); a caller that holds it is let through. Every
non-public route answers 401 without credentials. Routes are discovered from `app.routes`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.auth import permissions
from tests.billing.helpers import subscribe
from tests.conftest import client_for
from tests.factories import Caller, api_key, member
from tests.fakes.stripe import FakeStripe
from tests.probes import (
    GAPS,
    ProbeRoute,
    api_routes,
    introspection_app,
    other_routes,
    path_ids,
    problem_mismatch,
    request_kwargs,
)
from tests.probes.resources import Tenant

THIS_FILE = "tests/probes/test_permissions.py"

# Routes anyone may call (they carry `dependencies=[PUBLIC]` or `[PROBE]`).
PUBLIC_OPERATIONS = frozenset(
    {
        "auth_signup",
        "auth_token",
        "auth_refresh",
        "auth_revoke",
        "health_live",
        "health_ready",
        # Stripe's webhooks: the Stripe-Signature on the body is the credential.
        "webhooks_stripe",
        # The public order form (app/public/): its visitors have no account.
        "public_forms_get",
        "public_forms_submit",
        "public_forms_submit_preflight",
        "public_forms_logo",
        "public_form_page",
        "public_form_page_submit",
    }
)
# Routes any authenticated caller may call (`Authenticated`, i.e. `Authorize(None)`).
AUTHENTICATED_OPERATIONS = frozenset(
    {
        "me_get",
        "permissions_list",
        "company_get",
        # The user pickers: names of the company's active users, for everyone in it.
        "directory_users_list",
        # When a user is busy (times only), to pick who can go: everyone in the company.
        "users_availability",
        # The caller's own control panel: every user has one.
        "me_notifications_list",
        "me_notifications_read",
        "me_notifications_read_all",
        # A field device reports the signed-in user's own positions: every user has some.
        "me_positions_create",
    }
)
# What the app serves besides its API routes: the OpenAPI document and the docs UI.
NON_API_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect"})

# Listed at collection time (parametrize); test_routes_are_those_collected guards the list.
ROUTES = api_routes(introspection_app())
DECLARED = sorted({p for route in ROUTES for p in route.permissions})


@pytest.fixture(scope="module")
def app(module_app: FastAPI) -> FastAPI:
    """One app and database for the module: its tests probe one company, made once."""
    return module_app


@pytest.fixture(scope="module")
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        yield client


@pytest.fixture(scope="module")
async def company(http: httpx.AsyncClient, fake_stripe: FakeStripe) -> Tenant:
    tenant = await Tenant.signup(http, "P")
    # Plus: room for the callers the probes add (each test disables its own afterwards).
    await subscribe(http, tenant.admin, fake_stripe, "plus")
    await tenant.provision()
    return tenant


@pytest.fixture(scope="module")
async def everything_grantable(http: httpx.AsyncClient, company: Tenant) -> list[Caller]:
    """A non-admin user and an API key, each holding every grantable permission."""
    grantable = sorted(permissions.GRANTABLE)
    return [
        await member(http, company.admin, grantable),
        await api_key(http, company.admin, grantable),
    ]


def _access(route: ProbeRoute) -> str:
    if route.public and route.authorizes:
        return "both public and authenticated"
    if route.public:
        return "public"
    if route.permissions:
        return "permission"
    if route.authorizes:
        return "authenticated"
    return "none"


def test_routes_are_those_collected(app: FastAPI) -> None:
    served = {(r.method, r.path, r.permissions, r.public) for r in api_routes(app)}
    collected = {(r.method, r.path, r.permissions, r.public) for r in ROUTES}
    assert served == collected, "the app under test serves other routes than were collected"


def test_only_api_routes_are_served(app: FastAPI) -> None:
    unknown = sorted(set(other_routes(app)) - NON_API_PATHS)
    assert not unknown, (
        f"served outside any APIRoute, so no probe checks them: {unknown}. Serve them with "
        f"an APIRouter (route_class=UnitOfWorkRoute), or list them in NON_API_PATHS in {THIS_FILE}."
    )


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    failures: list[str] = []
    routes = api_routes(app)
    for route in routes:
        access = _access(route)
        op = route.operation_id
        if access == "none":
            failures.append(
                f"{route.label} declares no access: add `Depends(Authorize('resource:action'))` "
                "(app/auth/dependencies.py, permission from app/auth/permissions.py); or, if "
                f"anyone may call it, `dependencies=[PUBLIC]` and add {op!r} to "
                f"PUBLIC_OPERATIONS in {THIS_FILE}."
            )
        elif access == "both public and authenticated":
            failures.append(f"{route.label} is marked public but also authenticates the caller.")
        elif access == "public" and op not in PUBLIC_OPERATIONS:
            failures.append(
                f"{route.label} is public: if anyone may really call it, add {op!r} to "
                f"PUBLIC_OPERATIONS in {THIS_FILE}; else require a permission."
            )
        elif access == "authenticated" and op not in AUTHENTICATED_OPERATIONS:
            failures.append(
                f"{route.label} authenticates but requires no permission: declare one with "
                f"`Authorize('resource:action')`, or add {op!r} to AUTHENTICATED_OPERATIONS "
                f"in {THIS_FILE} if every signed-in caller may call it."
            )
        if op in PUBLIC_OPERATIONS and access != "public":
            failures.append(f"{route.label} is in PUBLIC_OPERATIONS but is {access}.")
        if op in AUTHENTICATED_OPERATIONS and access != "authenticated":
            failures.append(f"{route.label} is in AUTHENTICATED_OPERATIONS but is {access}.")
    operation_ids = {r.operation_id for r in routes}
    for name, listed in (
        ("PUBLIC_OPERATIONS", PUBLIC_OPERATIONS),
        ("AUTHENTICATED_OPERATIONS", AUTHENTICATED_OPERATIONS),
    ):
        stale = sorted(listed - operation_ids)
        if stale:
            failures.append(f"{name} in {THIS_FILE} names no route: remove {stale}.")
    assert not failures, "\n".join(failures)


def test_every_declared_permission_is_in_the_catalogue() -> None:
    assert DECLARED, "no route declares a permission: the probe would check nothing"
    assert set(DECLARED) <= permissions.ALL


@pytest.mark.parametrize(
    "operation", [r for r in ROUTES if not r.public], ids=lambda r: r.operation_id
)
async def test_no_credentials_answer_401(
    operation: ProbeRoute, app: FastAPI, http: httpx.AsyncClient, company: Tenant
) -> None:
    route = _served(app, operation)
    ids = await path_ids(company, route)
    for description, headers in (
        ("no Authorization header", {}),
        ("a malformed token", {"Authorization": "Bearer not-a-token"}),
        ("another scheme", {"Authorization": f"Basic {company.admin.token}"}),
    ):
        response = await http.request(**await request_kwargs(app, route, company, ids, headers))
        problem = problem_mismatch(response, 401)
        assert problem is None, f"{route.label} with {description}: {problem}"
        assert response.headers.get("www-authenticate", "").startswith("Bearer")


async def _free_seats(http: httpx.AsyncClient, company: Tenant, users: list[Caller]) -> None:
    """Disable a probe's users: the plan limits active users, and the next test adds one."""
    for user in users:
        response = await http.post(
            f"/v1/users/{user.user_id}/disable", headers=company.admin.headers
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("permission", DECLARED)
async def test_missing_permission_answers_403_naming_it(
    permission: str,
    app: FastAPI,
    http: httpx.AsyncClient,
    company: Tenant,
    everything_grantable: list[Caller],
) -> None:
    guarded = [r for r in api_routes(app) if permission in r.permissions]
    assert guarded
    admin_only = permission not in permissions.GRANTABLE
    if admin_only:
        # Cannot be granted: everything grantable is still not enough; only admins pass.
        denied = everything_grantable
        allowed = [company.admin]
    else:
        others = sorted(permissions.GRANTABLE - {permission})
        denied = [await member(http, company.admin, others)]
        if others:  # an API key carries at least one permission
            denied.append(await api_key(http, company.admin, others))
        allowed = everything_grantable

    held = permissions.GRANTABLE - {permission}
    for caller in denied:  # the callers really hold all the rest
        me = await http.get("/v1/me", headers=caller.headers)
        assert me.status_code == 200, me.text
        assert set(me.json()["permissions"]) == held, me.text

    failures: list[str] = []
    for route in guarded:
        for caller in denied:
            who = "an API key" if caller.extra.get("api_key_id") else "a non-admin user"
            response = await _call(app, http, route, company, caller)
            if isinstance(response, str):
                failures.append(response)
                break
            if problem := problem_mismatch(response, 403):
                failures.append(f"{route.label} by {who} without {permission}: {problem}")
                continue
            named = response.json().get("permission")
            missing = route.permissions - held
            if named != permission and not (len(missing) > 1 and named in missing):
                failures.append(
                    f"{route.label} by {who} without {permission}: the 403 names "
                    f"{named!r}, not {permission!r}"
                )
    for route in (r for r in guarded if r.method == "GET"):
        # Sanity: the probe tells a denial from a pass.
        for caller in allowed:
            response = await _call(app, http, route, company, caller)
            if not isinstance(response, str) and response.status_code >= 400:
                failures.append(
                    f"{route.label} by a caller holding {permission} answered "
                    f"{response.status_code}: {response.text[:300]}"
                )
    await _free_seats(http, company, [] if admin_only else denied[:1])
    assert not failures, "\n".join(failures)


async def _call(
    app: FastAPI, http: httpx.AsyncClient, route: ProbeRoute, company: Tenant, caller: Caller
) -> httpx.Response | str:
    """Call `route` validly, with the company's ids, as `caller`; or say why it cannot."""
    try:
        ids = await path_ids(company, route)
        kwargs = await request_kwargs(app, route, company, ids, caller.headers)
    except GAPS as gap:
        return str(gap)
    return await http.request(**kwargs)


def _served(app: FastAPI, collected: ProbeRoute) -> ProbeRoute:
    for route in api_routes(app):
        if (route.method, route.path) == (collected.method, collected.path):
            return route
    raise AssertionError(f"{collected.label} is not served by the app under test")
