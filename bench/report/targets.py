"""The targets of issue 3, checked in the API report (never used to tune anything)."""

from __future__ import annotations

from collections.abc import Callable

from bench.harness.log import ms
from bench.harness.wrk import WrkResult
from bench.scenarios.customers import ExportResult

TARGET_FIRST_PAGE_VS_FLOOR = 0.40
TARGET_DEEP_VS_FIRST = 1.25
TARGET_SEARCH_P99_MS = 50.0
TARGET_EXPORT_ROWS_S = 50_000
SEARCHES = ("search_common", "search_rare", "search_common_1c", "search_rare_1c")

Check = tuple[str, str, bool]  # target, measured, met


def checks(
    median: Callable[[str], WrkResult | None],
    title: Callable[[str], str],
    export: ExportResult | None,
) -> list[Check]:
    """Each target whose scenarios were measured (`median` of a key is None when --only
    skipped it)."""
    found: list[Check] = []
    floor, first = median("floor"), median("first_page")
    if floor and first:
        share = first.rps / floor.rps
        found.append(
            (
                f"first page ≥ {TARGET_FIRST_PAGE_VS_FLOOR:.0%} of the floor's req/s",
                f"{share:.0%} ({first.rps:,.0f} vs {floor.rps:,.0f} req/s)",
                share >= TARGET_FIRST_PAGE_VS_FLOOR,
            )
        )
    deep = median("deep_page")
    if deep and first:
        factor = deep.p50_ms / first.p50_ms
        found.append(
            (
                f"deep page latency ≤ {TARGET_DEEP_VS_FIRST}x the first page's (p50)",
                f"{factor:.2f}x ({ms(deep.p50_ms)} vs {ms(first.p50_ms)} ms; "
                f"p99 {deep.p99_ms / first.p99_ms:.2f}x)",
                factor <= TARGET_DEEP_VS_FIRST,
            )
        )
    for key in SEARCHES:
        m = median(key)
        if m:
            found.append(
                (
                    f"{title(key)}: p99 ≤ {TARGET_SEARCH_P99_MS:g} ms",
                    f"{ms(m.p99_ms)} ms",
                    m.p99_ms <= TARGET_SEARCH_P99_MS,
                )
            )
    if export:
        found.append(
            (
                f"export ≥ {TARGET_EXPORT_ROWS_S:,} rows/s",
                f"{export.rows_per_s:,.0f} rows/s",
                export.rows_per_s >= TARGET_EXPORT_ROWS_S,
            )
        )
    return found


def markdown(found: list[Check]) -> list[str]:
    if not found:  # --only may measure none of the targeted scenarios
        return []
    return [
        "| Target (issue 3) | Measured | Met |",
        "|---|---|---|",
        *(f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in found),
        "",
    ]
