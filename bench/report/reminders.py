"""The reminder scan's paragraph: in the API report (`reminder_scan`) and on its own."""

from __future__ import annotations

from bench.scenarios.reminders import ScanBench


def markdown(scan: ScanBench) -> str:
    layout = scan.layout
    mb = {k: v / 1e6 for k, v in scan.sizes.items()}
    return "\n".join(
        [
            f"**Reminder scan, {layout.orders / 1e6:g}M orders, {layout.due:,} due: "
            f"{scan.median_ms:,.0f} ms** (median of {len(scan.runs_ms)}: "
            + ", ".join(f"{ms:,.0f}" for ms in scan.runs_ms)
            + f" ms), notifying {layout.due:,} orders' {2 * layout.due:,} assignees in "
            f"batches of {scan.batch_size}; the same scan with nothing due: "
            f"{scan.idle_median_ms:,.1f} ms. `workers.reminders.scan` on the bench "
            f"database; of the big company's {layout.orders:,} orders, "
            f"{layout.future:,} have a reminder in the coming year and {layout.notified:,} "
            f"a past one already notified. The partial index `ix_orders_reminder_pending` "
            f"is {mb['pending_index']:.1f} MB, the orders table {mb['orders']:,.0f} MB.",
            "",
            "One batch, `EXPLAIN (ANALYZE, BUFFERS)` (rolled back):",
            "",
            "```",
            scan.explain,
            "```",
            "",
        ]
    )
