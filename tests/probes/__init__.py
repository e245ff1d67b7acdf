"""Probes: tests that walk every route the app serves, so that a new router is checked for
tenancy and permissions without anyone writing a test for it.

This module is the probes' kit: it discovers the routes from `app.routes` and builds, for any
route, a request that passes validation (path ids from the resource registry in
`tests/probes/resources.py`, bodies from the OpenAPI examples), so that the status a probe
expects (401, 403, 404) cannot be masked by a 404 or a 422.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.auth.dependencies import Authorize
from app.config import Settings
from app.main import create_app
from tests.probes.resources import (
    BODIES,
    REGISTRY_FILE,
    RESOURCES,
    MissingFactory,
    RequestKwargs,
    Tenant,
)

PROBLEM_JSON = "application/problem+json"
_METHOD_ORDER = {"GET": 0, "HEAD": 0, "OPTIONS": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}


class ProbeGap(AssertionError):
    """The probe cannot build a valid request for a route; the message says what to add."""


GAPS = (ProbeGap, MissingFactory)
"""What a probe reports for one route while going on with the others."""


@dataclass(frozen=True)
class ProbeRoute:
    """One operation: a method of an APIRoute, with what its dependency tree declares."""

    method: str
    path: str
    operation_id: str
    params: tuple[str, ...]
    permissions: frozenset[str]
    authorizes: bool
    public: bool
    dependant: Dependant = field(compare=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.operation_id} ({self.method} {self.path})"

    @property
    def scoped_params(self) -> tuple[str, ...]:
        """Path parameters naming a company's row (all but `tenant_scoped=False` ones)."""
        return tuple(p for p in self.params if p not in RESOURCES or RESOURCES[p].tenant_scoped)

    @property
    def order(self) -> tuple[int, str, str]:
        """Reads first, deletes last: a leaking delete must not hide a leaking read."""
        return (_METHOD_ORDER.get(self.method, 1), self.path, self.method)


def dependency_calls(dependant: Dependant) -> Iterator[object]:
    """Every callable in the dependency tree (route, router and app level, nested)."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependency_calls(sub)


def _api_route_contexts(app: FastAPI) -> Iterator[Any]:
    # FastAPI includes routers lazily: `app.routes` holds the included routers, and
    # `iter_route_contexts` yields each APIRoute with its effective path and dependencies
    # (those of the route, its router and the include).
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def api_routes(app: FastAPI) -> list[ProbeRoute]:
    """One ProbeRoute per (APIRoute, method) the app serves, sorted reads first."""
    paths: dict[str, dict[str, Any]] = app.openapi().get("paths", {})
    found: list[ProbeRoute] = []
    for context in _api_route_contexts(app):
        dependant: Dependant = context.dependant
        path: str = context.path_format
        calls = list(dependency_calls(dependant))
        authorizers = [c for c in calls if isinstance(c, Authorize)]
        for method in sorted(context.methods or ()):
            documented = paths.get(path, {}).get(method.lower(), {})
            operation_id = (
                documented.get("operationId") or context.operation_id or context.unique_id
            )
            found.append(
                ProbeRoute(
                    method=method,
                    path=path,
                    operation_id=str(operation_id),
                    params=tuple(context.param_convertors),
                    permissions=frozenset(a.permission for a in authorizers if a.permission),
                    authorizes=bool(authorizers),
                    public=any(getattr(c, "public", False) is True for c in calls),
                    dependant=dependant,
                )
            )
    return sorted(found, key=lambda r: r.order)


def other_routes(app: FastAPI) -> list[str]:
    """Paths served by something that is not an APIRoute (docs, mounts, websockets)."""
    return [
        str(getattr(context, "path", None) or context.original_route)
        for context in iter_route_contexts(app.routes)
        if not isinstance(context.original_route, APIRoute)
    ]


@functools.cache
def introspection_app() -> FastAPI:
    """An app that is never served, to list routes at collection time (for parametrize).
    Its database and Redis clients are created but never connect, and the logging set-up
    that `create_app` does is undone."""
    logging = structlog.get_config()
    try:
        return create_app(
            Settings(
                database_url="postgresql+asyncpg://probe@127.0.0.1:9/introspection-only",
                redis_url="redis://127.0.0.1:9/0",
                secret_key="introspection-only-secret-key-never-serves-a-request",
                log_level="WARNING",
            )
        )
    finally:
        structlog.configure(**logging)


# --- Building valid requests ----------------------------------------------------------------


def fill_path(route: ProbeRoute, ids: Mapping[str, str]) -> str:
    path = route.path
    for param in route.params:
        path = path.replace("{" + param + "}", ids[param])
    return path


async def path_ids(tenant: Tenant, route: ProbeRoute) -> dict[str, str]:
    """The tenant's ids for the route's path parameters, created on demand."""
    ids: dict[str, str] = {}
    for param in route.params:
        try:
            ids[param] = await tenant.id(param)
        except MissingFactory:
            raise MissingFactory(param, route.label) from None
    return ids


def _operation(app: FastAPI, route: ProbeRoute) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = app.openapi().get("paths", {})
    operation: dict[str, Any] = paths.get(route.path, {}).get(route.method.lower(), {})
    return operation


def _resolve(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        schema = app.openapi()["components"]["schemas"][name]
    return schema


def _example(app: FastAPI, schema: dict[str, Any], depth: int = 0) -> tuple[bool, Any]:
    """The first example a schema (or what it refers to) documents."""
    if schema.get("examples"):
        return True, schema["examples"][0]
    if "example" in schema:
        return True, schema["example"]
    if depth > 10:
        return False, None
    subs = [_resolve(app, schema)] if "$ref" in schema else []
    for key in ("allOf", "anyOf", "oneOf"):
        subs += [sub for sub in schema.get(key, ()) if sub.get("type") != "null"]
    for sub in subs:
        found, value = _example(app, sub, depth + 1)
        if found:
            return True, value
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, dict):
        found, item = _example(app, items, depth + 1)
        if found:
            return True, [item]
    return False, None


def _no_example(route: ProbeRoute, what: str) -> ProbeGap:
    return ProbeGap(
        f"{route.label} takes {what} but documents no example, so the probes cannot send a "
        "valid request (a 422 would mask the status they check). Add an example to the "
        "request schema (`model_config = {'json_schema_extra': {'examples': [{...}]}}`), or "
        f'register the request body with `@body("{route.operation_id}")` in {REGISTRY_FILE}.'
    )


async def request_body(app: FastAPI, route: ProbeRoute, tenant: Tenant) -> RequestKwargs:
    """A valid body for the route: a registered one, else the OpenAPI example."""
    if route.operation_id in BODIES:
        return await BODIES[route.operation_id](tenant)
    documented = _operation(app, route).get("requestBody")
    if documented is None:
        if route.dependant.body_params:
            raise _no_example(route, "a request body (not in the OpenAPI schema)")
        return {}
    content: dict[str, Any] = documented.get("content", {})
    media = content.get("application/json")
    if media is None:
        raise ProbeGap(
            f"{route.label} takes a {', '.join(content) or 'non-JSON'} body: register the "
            f'request with `@body("{route.operation_id}")` in {REGISTRY_FILE}.'
        )
    if "example" in media:
        return {"json": copy.deepcopy(media["example"])}
    for named in (media.get("examples") or {}).values():
        if isinstance(named, dict) and "value" in named:
            return {"json": copy.deepcopy(named["value"])}
    schema: dict[str, Any] = media.get("schema", {})
    found, value = _example(app, schema)
    if found:
        return {"json": copy.deepcopy(value)}
    if route.method == "PATCH" and not _resolve(app, schema).get("required"):
        return {"json": {}}  # a partial update that changes nothing is a valid PATCH
    raise _no_example(route, "a JSON body")


def _parameter_values(app: FastAPI, route: ProbeRoute) -> tuple[dict[str, Any], dict[str, str]]:
    """Values for the required query parameters and headers (from their examples)."""
    query: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for parameter in _operation(app, route).get("parameters", ()):
        where = parameter.get("in")
        if where not in {"query", "header"} or not parameter.get("required"):
            continue
        schema = parameter.get("schema", {})
        candidates: list[Any] = []
        if "example" in parameter:
            candidates.append(parameter["example"])
        candidates += [
            v["value"] for v in (parameter.get("examples") or {}).values() if "value" in v
        ]
        found, value = _example(app, schema)
        if found:
            candidates.append(value)
        if "default" in schema:
            candidates.append(schema["default"])
        if not candidates:
            raise ProbeGap(
                f"{route.label} requires the {where} parameter {parameter['name']!r} but "
                "documents no example: give it one (`Query(examples=[...])`), so that the "
                "probes can send a valid request."
            )
        (query if where == "query" else headers)[parameter["name"]] = candidates[0]
    return query, {k: str(v) for k, v in headers.items()}


async def request_kwargs(
    app: FastAPI,
    route: ProbeRoute,
    tenant: Tenant,
    ids: Mapping[str, str],
    headers: Mapping[str, str],
) -> RequestKwargs:
    """Everything `httpx.AsyncClient.request` needs to call `route` validly: the path with
    `ids`, required parameters, a body built for `tenant` (the caller's company)."""
    query, extra_headers = _parameter_values(app, route)
    kwargs: RequestKwargs = {
        "method": route.method,
        "url": fill_path(route, ids),
        "headers": {**extra_headers, **headers},
        **await request_body(app, route, tenant),
    }
    if query:
        kwargs["params"] = query
    return kwargs


def problem_mismatch(response: httpx.Response, status: int) -> str | None:
    """None when `response` is a `status` problem+json; else what is wrong with it."""
    if response.status_code != status:
        return f"answered {response.status_code} (expected {status}): {response.text[:300]}"
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media != PROBLEM_JSON:
        return f"answered {status} as {media!r}, not {PROBLEM_JSON}: {response.text[:300]}"
    problem = response.json()
    if not isinstance(problem, dict) or problem.get("status") != status:
        return f"answered a problem whose `status` is not {status}: {response.text[:300]}"
    return None
