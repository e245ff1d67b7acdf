"""Tenancy probe: on every route, another company's ids answer 404 and change nothing, and
no read shows another company's rows.

Two companies, A and B, each create one resource of every kind (tests/probes/resources.py).
B's admin then calls every method of every route that has an id in its path with A's ids
(and, on nested paths, with one of A's ids among B's own), sending a valid body so that a
422 cannot mask the answer. Routes are discovered from `app.routes`: a new router is probed
as soon as it is included, or the probe fails saying what to register.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import client_for
from tests.probes import (
    GAPS,
    ProbeRoute,
    api_routes,
    path_ids,
    problem_mismatch,
    request_kwargs,
)
from tests.probes.resources import RESOURCES, MissingFactory, Tenant

Snapshot = dict[str, tuple[int, str | None, Any]]

THIS_FILE = "tests/probes/test_tenancy.py"
# Reads whose body changes by itself between two calls (a clock, a third-party service): the
# probe compares only their status and ETag before and after B's calls.
VOLATILE_READS: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def app(module_app: FastAPI) -> FastAPI:
    """One app and database for the module: its tests probe two companies, made once."""
    return module_app


@pytest.fixture(scope="module")
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        yield client


@pytest.fixture(scope="module")
async def tenants(http: httpx.AsyncClient) -> tuple[Tenant, Tenant]:
    a = await Tenant.signup(http, "A")
    b = await Tenant.signup(http, "B")
    await a.provision()
    await b.provision()
    return a, b


def _probed(app: FastAPI) -> list[ProbeRoute]:
    """Authenticated routes with a company's id in their path."""
    return [r for r in api_routes(app) if not r.public and r.scoped_params]


def _variants(
    route: ProbeRoute, own: dict[str, str], foreign: dict[str, str]
) -> list[tuple[str, dict[str, str]]]:
    """All of A's ids; on nested paths also each one of A's ids among B's own."""
    scoped = route.scoped_params
    variants = [("A's ids", {p: foreign[p] if p in scoped else own[p] for p in route.params})]
    if len(scoped) > 1:
        for param in scoped:
            ids = {p: foreign[p] if p == param else own[p] for p in route.params}
            variants.append((f"A's {param} among B's ids", ids))
    return variants


async def _snapshot(app: FastAPI, tenant: Tenant, reads: list[ProbeRoute]) -> Snapshot:
    """Status, ETag and (when there is no ETag) body of each of the tenant's own reads:
    single resources, and lists, the audit log among them (every change adds an event)."""
    seen: Snapshot = {}
    for route in reads:
        try:
            ids = await path_ids(tenant, route)
            kwargs = await request_kwargs(app, route, tenant, ids, tenant.admin.headers)
        except GAPS:
            continue  # reported by the probe itself
        response = await tenant.client.request(**kwargs)
        etag = response.headers.get("etag")
        body = None if etag else response.text
        seen[f"{route.label} as GET {kwargs['url']}"] = (response.status_code, etag, body)
    return seen


def test_every_path_parameter_has_a_factory(app: FastAPI) -> None:
    """Of every route the probes call (all but public ones)."""
    missing: dict[str, list[str]] = {}
    for route in api_routes(app):
        for param in () if route.public else route.params:
            if param not in RESOURCES:
                missing.setdefault(param, []).append(route.label)
    assert not missing, "\n".join(
        str(MissingFactory(param, ", ".join(labels))) for param, labels in missing.items()
    )


async def test_another_company_ids_answer_404_and_change_nothing(
    app: FastAPI, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    probed = _probed(app)
    assert probed, "no route has an id in its path: the probe would check nothing"
    own_reads = [r for r in api_routes(app) if r.method == "GET" and not r.public]

    before = await _snapshot(app, a, own_reads)
    unreadable = [f"{key}: {status}" for key, (status, _, _) in before.items() if status != 200]
    assert not unreadable, (
        "company A cannot read its own data, so the probe cannot tell whether B's "
        "calls changed them:\n" + "\n".join(unreadable)
    )

    failures: list[str] = []
    calls = 0
    for route in probed:
        try:
            own = await path_ids(b, route)
            foreign = await path_ids(a, route)
        except GAPS as gap:
            failures.append(str(gap))
            continue
        for description, ids in _variants(route, own, foreign):
            try:
                kwargs = await request_kwargs(app, route, b, ids, b.admin.headers)
            except GAPS as gap:
                failures.append(str(gap))
                break
            response = await b.client.request(**kwargs)
            calls += 1
            if problem := problem_mismatch(response, 404):
                failures.append(f"{route.label} with {description} ({kwargs['url']}): {problem}")

    after = await _snapshot(app, a, own_reads)
    for key, (status, etag, body) in before.items():
        now_status, now_etag, now_body = after[key]
        if now_status != status:
            failures.append(f"A's resource at {key} answers {now_status} after B's calls")
        elif now_etag != etag:
            failures.append(f"A's resource at {key} changed: ETag {etag} -> {now_etag}")
        elif now_body != body and key.split(" ", 1)[0] not in VOLATILE_READS:
            failures.append(
                f"A's read {key} changed: {body} -> {now_body} (if it changes by itself, "
                f"add its operationId to VOLATILE_READS in {THIS_FILE})"
            )

    assert not failures, (
        f"{len(failures)} failures in {calls} calls by company B with company A's ids "
        "(each must answer 404 problem+json and change nothing):\n" + "\n".join(failures)
    )


async def test_reads_show_none_of_another_company_rows(
    app: FastAPI, tenants: tuple[Tenant, Tenant]
) -> None:
    """Every read (lists included) by B shows none of A's ids; A's own reads show them all,
    so the scan is not blind."""
    a, b = tenants
    reads = [r for r in api_routes(app) if r.method == "GET" and not r.public]
    failures: list[str] = []
    lists = 0
    visible_to_a: set[str] = set()
    for route in reads:
        for tenant in (b, a):
            try:
                ids = await path_ids(tenant, route)
                kwargs = await request_kwargs(app, route, tenant, ids, tenant.admin.headers)
            except GAPS as gap:
                failures.append(str(gap))
                break
            response = await tenant.client.request(**kwargs)
            if response.status_code != 200:
                failures.append(
                    f"{route.label} as company {tenant.label} answered "
                    f"{response.status_code}: {response.text[:300]}"
                )
                continue
            seen = response.text + "\n" + "\n".join(response.headers.values())
            if tenant is a:
                visible_to_a |= {i for i in a.created if i in seen}
                continue
            leaked = [f"{i} ({why})" for i, why in a.created.items() if i in seen]
            if leaked:
                failures.append(f"{route.label} shows company B ids of A: {', '.join(leaked)}")
            if not route.params and response.headers["content-type"] == "application/json":
                payload = response.json()
                if isinstance(payload, dict) and isinstance(payload.get("data"), list):
                    lists += 1
    hidden = [f"{i} ({why})" for i, why in a.created.items() if i not in visible_to_a]
    if hidden:
        failures.append(
            "company A's own reads never show these ids, so the scan cannot tell whether B "
            "sees them: " + ", ".join(hidden)
        )
    assert lists, "no list route found: the scan would check nothing"
    assert not failures, "\n".join(failures)
