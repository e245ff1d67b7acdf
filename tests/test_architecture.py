"""The import rules of app/ and workers/, checked on the real import graph (grimp, the engine of
import-linter), so that a new package is covered without being listed anywhere:

1. Between domains: another top-level domain may import only a domain's `service`, `schemas`
   or `models`, never its repository, router or anything else. Workers likewise.
2. Within a domain (its subpackages included), imports flow router -> dependencies ->
   service -> repository -> models, and no router imports another router.
3. Only routers and the web kit know FastAPI: no service, repository, model or schema imports
   fastapi or starlette, directly or through anything it imports.
4. There is no cycle between top-level domains, nor between the subpackages of one, through
   their behaviour (services, schemas, routers); reading another domain's tables (models)
   is data and does not count.
5. The kit depends on no domain.

A domain is any package under app/ that is not one of the shared foundations below.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import grimp
import pytest

# Foundations every domain may use: the kit, access (app/auth), the blob store, settings,
# the database, errors and logging.
SHARED = frozenset({"kit", "auth", "storage", "config", "db", "errors", "logging"})
# Composition roots: they wire every domain together and may import anything.
ROOTS = frozenset({"app.main", "app.models", "workers.settings"})
PUBLIC_LAYERS = frozenset({"service", "schemas", "models"})
LAYERS = ("router", "dependencies", "service", "repository", "models")
WEB = ("fastapi", "starlette")


@dataclass(frozen=True)
class Violation:
    rule: str
    importer: str
    imported: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.importer} -> {self.imported}"


def graph() -> grimp.ImportGraph:
    """The project's import graph, built anew (grimp caches the parsing), so a test may add
    imports to it."""
    return grimp.build_graph("app", "workers", include_external_packages=True, cache_dir=None)


def domain_of(module: str) -> str | None:
    """`app.order.line.service` -> `order`; None for shared, root and non-app modules."""
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 3 or parts[1] in SHARED:
        return None
    return parts[1]


def package_of(module: str) -> str:
    """The package a module belongs to: `app.order.line.service` -> `app.order.line`."""
    return module.rsplit(".", 1)[0]


def layer_of(module: str) -> int | None:
    last = module.rsplit(".", 1)[-1]
    return LAYERS.index(last) if last in LAYERS else None


def _project_modules(g: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in g.modules if m.split(".")[0] in ("app", "workers"))


def _imports(g: grimp.ImportGraph) -> Iterable[tuple[str, str]]:
    for importer in _project_modules(g):
        for imported in sorted(g.find_modules_directly_imported_by(importer)):
            yield importer, imported


def between_domains(g: grimp.ImportGraph) -> list[Violation]:
    found = []
    for importer, imported in _imports(g):
        target = domain_of(imported)
        if importer in ROOTS or target is None or domain_of(importer) == target:
            continue
        if imported.rsplit(".", 1)[-1] not in PUBLIC_LAYERS:
            found.append(
                Violation("only a service, schemas or models across domains", importer, imported)
            )
    return found


def within_domains(g: grimp.ImportGraph) -> list[Violation]:
    found = []
    for importer, imported in _imports(g):
        here = domain_of(importer)
        if here is None or domain_of(imported) != here:
            continue
        mine, theirs = layer_of(importer), layer_of(imported)
        if mine is None or theirs is None:
            continue
        if theirs < mine or (theirs == mine == 0):
            found.append(Violation("router -> service -> repository -> models", importer, imported))
    return found


def fastapi_outside_web(g: grimp.ImportGraph) -> list[Violation]:
    found = []
    for module in _project_modules(g):
        if module in ROOTS:
            continue
        if module.rsplit(".", 1)[-1] not in ("service", "repository", "models", "schemas"):
            continue
        for web in WEB:
            chain = (
                g.find_shortest_chain(importer=module, imported=web) if web in g.modules else None
            )
            if chain:
                found.append(Violation("only routers know FastAPI", module, " -> ".join(chain[1:])))
    return found


def _cycles(edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs (a, b) of nodes that reach each other."""
    reach: dict[str, set[str]] = {}
    for a, b in edges:
        reach.setdefault(a, set()).add(b)
    changed = True
    while changed:
        changed = False
        for targets in reach.values():
            extra = set().union(*(reach.get(t, set()) for t in targets)) - targets
            if extra:
                targets.update(extra)
                changed = True
    nodes = sorted(reach)
    return [
        (a, b)
        for a, b in itertools.combinations(nodes, 2)
        if b in reach[a] and a in reach.get(b, ())
    ]


def package_cycles(g: grimp.ImportGraph) -> list[Violation]:
    domains: set[tuple[str, str]] = set()
    siblings: set[tuple[str, str]] = set()
    for importer, imported in _imports(g):
        a, b = domain_of(importer), domain_of(imported)
        if a is None or b is None or imported.endswith(".models"):
            # The tables are one schema, joined across domains (a customer's balance reads
            # orders, an order keeps its customer's name): reading another domain's models
            # is data, not a dependency on its behaviour, and is not an edge here.
            continue
        if a != b:
            domains.add((a, b))
            continue
        # Within a domain: its subpackages (app.order.line, app.order.payment), not the root.
        pa, pb = package_of(importer), package_of(imported)
        if pa != pb and pa.count(".") == pb.count(".") == 2:
            siblings.add((pa, pb))
    return [Violation("no cycle between packages", a, b) for a, b in _cycles(domains | siblings)]


def kit_depends_on_no_domain(g: grimp.ImportGraph) -> list[Violation]:
    return [
        Violation("the kit depends on no domain", importer, imported)
        for importer, imported in _imports(g)
        if importer.startswith("app.kit")
        and (domain_of(imported) or imported.startswith("app.auth"))
    ]


RULES = (
    between_domains,
    within_domains,
    fastapi_outside_web,
    package_cycles,
    kit_depends_on_no_domain,
)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_code_keeps_the_rule(rule: object) -> None:
    violations = rule(graph())  # type: ignore[operator]
    assert not violations, "\n".join(map(str, violations))


WRONG_IMPORTS = [
    (between_domains, [("app.order.service", "app.customer.repository")]),
    (between_domains, [("workers.reminders", "app.notification.repository")]),
    (between_domains, [("app.invoice_item.router", "app.order.line.router")]),
    (within_domains, [("app.customer.repository", "app.customer.service")]),
    (within_domains, [("app.order.router", "app.order.file.router")]),
    (fastapi_outside_web, [("app.customer.service", "app.kit.dependencies")]),
    (package_cycles, [("app.customer.service", "app.note.service")]),
    (
        package_cycles,
        [
            ("app.order.line.service", "app.order.payment.service"),
            ("app.order.payment.service", "app.order.line.service"),
        ],
    ),
    (kit_depends_on_no_domain, [("app.kit.pagination", "app.customer.models")]),
]


@pytest.mark.parametrize(("rule", "imports"), WRONG_IMPORTS)
def test_a_wrong_import_breaks_the_rule(rule: object, imports: list[tuple[str, str]]) -> None:
    g = graph()
    assert not rule(g)  # type: ignore[operator]
    for importer, imported in imports:
        g.add_import(importer=importer, imported=imported)
    assert rule(g), f"{imports} should break {rule}"  # type: ignore[operator]


def test_a_new_domain_is_covered_without_being_listed() -> None:
    g = graph()
    g.add_module("app.vendor")
    g.add_module("app.vendor.service")
    g.add_import(importer="app.vendor.service", imported="app.customer.repository")
    assert [str(v) for v in between_domains(g)] == [
        "only a service, schemas or models across domains: "
        "app.vendor.service -> app.customer.repository"
    ]
