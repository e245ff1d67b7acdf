"""The targets of issue 11 (as ratios to the floor measured in the same run), checked in the
API report; never used to tune anything."""

from __future__ import annotations

from collections.abc import Callable

from bench.harness.log import ms
from bench.harness.wrk import WrkResult
from bench.scenarios.customers import ExportResult

# Every read scenario: at least this share of the floor's req/s.
READS = ("first_page", "deep_page", "get_by_id", "orders_first_page", "order_detail")
TARGET_READ_VS_FLOOR = 0.40
TARGET_PAYMENT_VS_FLOOR = 0.30  # a write: row lock, audit event, idempotency
TARGET_SEARCH_VS_FLOOR = 0.30  # q=smith under the run's connections
TARGET_DEEP_VS_FIRST = 1.25  # keyset paging: page 9,000 costs what page 1 costs (p50)
TARGET_EXPORT_ROWS_S = 100_000
TARGET_EXPORT_GROWTH_MB = 20  # RSS flat: the process grows by less than this

Check = tuple[str, str, bool]  # target, measured, met


def _vs_floor(
    key: str, target: float, median: Callable[[str], WrkResult | None], title: str
) -> Check | None:
    floor, found = median("floor"), median(key)
    if not (floor and found):
        return None
    share = found.rps / floor.rps
    return (
        f"{title} ≥ {target:.0%} of the floor's req/s",
        f"{share:.0%} ({found.rps:,.0f} vs {floor.rps:,.0f} req/s)",
        share >= target,
    )


def checks(
    median: Callable[[str], WrkResult | None],
    title: Callable[[str], str],
    export: ExportResult | None,
) -> list[Check]:
    """Each target whose scenarios were measured (`median` of a key is None when --only
    skipped it)."""
    found: list[Check | None] = [
        *(_vs_floor(key, TARGET_READ_VS_FLOOR, median, title(key)) for key in READS if median(key)),
    ]
    if median("payment_create"):
        found.append(
            _vs_floor("payment_create", TARGET_PAYMENT_VS_FLOOR, median, title("payment_create"))
        )
    if median("search_common"):
        found.append(
            _vs_floor("search_common", TARGET_SEARCH_VS_FLOOR, median, title("search_common"))
        )
    deep, first = median("deep_page"), median("first_page")
    if deep and first:
        factor = deep.p50_ms / first.p50_ms
        found.append(
            (
                f"deep page latency ≤ {TARGET_DEEP_VS_FIRST}x the first page's (p50)",
                f"{factor:.2f}x ({ms(deep.p50_ms)} vs {ms(first.p50_ms)} ms)",
                factor <= TARGET_DEEP_VS_FIRST,
            )
        )
    if export:
        found.append(
            (
                f"export ≥ {TARGET_EXPORT_ROWS_S:,} rows/s, RSS growth < "
                f"{TARGET_EXPORT_GROWTH_MB} MB",
                f"{export.rows_per_s:,.0f} rows/s, +{export.growth_mb:.1f} MB",
                export.rows_per_s >= TARGET_EXPORT_ROWS_S
                and export.growth_mb < TARGET_EXPORT_GROWTH_MB,
            )
        )
    return [c for c in found if c is not None]


def markdown(found: list[Check]) -> list[str]:
    if not found:  # --only may measure none of the targeted scenarios
        return []
    return [
        "| Target (issue 11) | Measured | Met |",
        "|---|---|---|",
        *(f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in found),
        "",
        "Not measured by this harness: search p99 at a fixed offered load of 100 req/s "
        "(wrk offers as much load as the server takes; it needs a constant-rate client).",
        "",
    ]
