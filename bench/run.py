"""Load benchmark of the customer and order APIs against a floor (issues 3 and 4); `make bench`.

    python -m bench.run                  # seed if needed, 3 rounds of every scenario
    python -m bench.run --rounds 1 --duration 5
    python -m bench.run --profile        # also py-spy the API's first page afterwards
    python -m bench.run --only orders_first_page order_detail payment_create
    python -m bench.run --only reminder_scan   # the reminder scan alone (bench/reminders.py)

Serves the API (`uvicorn app.main:app`, one worker) and the floor (bench/floor.py) on
127.0.0.1, loads each scenario with wrk, and reports req/s, p50 and p99 per scenario with
the ratio to the floor measured in the same run: a table on stdout and in
bench/results/<UTC stamp>.md and .json. Scenarios run in rounds (every scenario once per
round) and the median round is reported, so drift over the run hits all of them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import profile, reminders
from bench.harness.settings import (
    BENCH_DIR,
    REDIS_URL,
    RESULTS_DIR,
    ROOT,
    SECRET_KEY,
    STATE_SCHEMA,
    dsn,
    sqlalchemy_url,
)
from bench.seed import customer_data as data
from bench.seed import reminders as reminders_seed
from bench.seed.customers import (
    BIG_CUSTOMERS,
    COMPANIES,
    SMALL_CUSTOMERS,
    Company,
    SeedState,
    seed,
)
from bench.seed.orders import (
    DETAIL_LINES,
    DETAIL_PAYMENTS,
    OrdersState,
    read_orders_state,
    seed_orders,
)

LIST = "/v1/customers?limit=50&sort=name"
ORDER_LIST = "/v1/orders?limit=50"
PAYMENT_BODY = '{"amount":1,"method":"cash"}'
SCENARIO_KEYS = (
    "floor",
    "first_page",
    "deep_page",
    "search_common",
    "search_rare",
    "search_common_1c",
    "search_rare_1c",
    "get_by_id",
    "export",
    "orders_first_page",
    "order_detail",
    "payment_create",
    "reminder_scan",  # not a wrk scenario: bench/reminders.py times the cron job's scan
)
DEEP_FRACTION = 0.9
WALK_LIMIT = 200
GET_BY_ID_PATHS = 1000
# Targets of issue 3, checked in the report (never used to tune anything).
TARGET_FIRST_PAGE_VS_FLOOR = 0.40
TARGET_DEEP_VS_FIRST = 1.25
TARGET_SEARCH_P99_MS = 50.0
TARGET_EXPORT_ROWS_S = 50_000


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(name: str, spec: str, env: dict[str, str], log_dir: Path) -> Server:
    """`uvicorn spec` with one worker (a single process: its pid is the server's)."""
    port = free_port()
    log = log_dir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        spec,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} did not listen within 60 s: {log.read_text()[-2000:]}")


def api_env(log_dir: Path) -> dict[str, str]:
    unlimited = str(1_000_000_000)
    return {
        "DATABASE_URL": sqlalchemy_url(),
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": SECRET_KEY,
        "DATA_DIR": str(log_dir / "data"),
        "RATE_LIMIT_PER_MINUTE": unlimited,
        "RATE_LIMIT_PUBLIC_PER_MINUTE": unlimited,
        "ACCESS_TOKEN_TTL_SECONDS": str(7 * 24 * 3600),
        "LOG_LEVEL": "WARNING",
        "DEMO_SEED": "false",
    }


# --- a quiet machine ----------------------------------------------------------------------


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all cores busy over `seconds` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_quiet(limit: float, max_wait: float) -> float:
    """Wait (up to `max_wait` s) until other work leaves the cores idle between scenarios:
    this machine's 2 cores are shared with whatever else runs (a test suite, an editor).
    Returns the last busy share seen."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    warned = False
    while busy > limit and time.monotonic() < deadline:
        if not warned:
            say(f"  machine busy ({busy:.0%} of the CPUs) before a scenario: waiting")
            warned = True
        busy = cpu_busy(2.0)
    if busy > limit:
        say(f"  still busy ({busy:.0%}) after {max_wait:g} s: measuring anyway (noted)")
    return busy


# --- wrk ----------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: installing Debian's package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk could not be installed")
    return found


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    busy_before: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


def run_wrk(
    url: str,
    *,
    token: str | None,
    paths: Path | None,
    threads: int,
    connections: int,
    seconds: float,
    method: str = "GET",
    body: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> WrkResult:
    env = {
        **os.environ,
        **(extra_env or {}),
        "BENCH_TOKEN": token or "",
        "BENCH_PATHS": str(paths or ""),
        "BENCH_METHOD": method,
        "BENCH_BODY": body or "",
    }
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH_DIR / "wrk.lua"),
        url,
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    latency = raw["latency_us"]
    elapsed = raw["duration_us"] / 1e6
    return WrkResult(
        requests=raw["requests"],
        seconds=round(elapsed, 2),
        rps=round(raw["requests"] / elapsed, 1),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        errors={k: int(v) for k, v in raw["errors"].items() if v},
    )


# --- scenarios ----------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    title: str
    server: str  # "floor" or "api"
    path: str
    token: str | None = None
    paths_file: Path | None = None
    note: str = ""
    method: str = "GET"
    body: str | None = None  # JSON, sent with every request
    # wrk's connections (and threads) for this scenario; None: --connections
    connections: int | None = None
    rounds: list[WrkResult] = field(default_factory=list)
    sent: int = 0  # requests wrk completed, warm-ups included

    @property
    def expected_status(self) -> int:
        return 201 if self.method == "POST" else 200

    def first_path(self) -> str:
        """The path of its first request (the first line of its paths file, if any)."""
        if self.paths_file is None:
            return self.path
        return self.paths_file.read_text().split("\n", 1)[0]

    def median(self) -> WrkResult | None:
        if not self.rounds:
            return None
        ordered = sorted(self.rounds, key=lambda r: r.rps)
        return ordered[len(ordered) // 2]


async def payment_count(company_id: str) -> int:
    """Payments of the company: the payment-create scenario adds to them."""
    connection = await asyncpg.connect(dsn())
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM payment WHERE company_id = $1", uuid.UUID(company_id)
        )
    finally:
        await connection.close()
    return count


async def preflight(
    client: httpx.AsyncClient,
    url: str,
    token: str | None,
    *,
    method: str = "GET",
    body: str | None = None,
    expected: int = 200,
) -> str:
    """One request as wrk will send it: fail early, with the reason, if it does not answer
    `expected` (200; 201 for a POST)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    response = await client.request(method, url, headers=headers, content=body)
    if response.status_code != expected:
        raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:500]}")
    found = response.json()
    if "data" in found:
        return f"{len(found['data'])} rows, has_more={found['has_more']}"
    if "lines" in found:
        payments = "hidden" if found["payments"] is None else len(found["payments"])
        return f"{len(found['lines'])} lines, {payments} payments, {len(response.content)} bytes"
    return f"{response.status_code}, {len(response.content)} bytes"


async def walk_to_depth(
    client: httpx.AsyncClient, base: str, token: str, total: int
) -> tuple[str, int, float]:
    """Follow next_cursor with limit=200 pages until 90% of the company's customers are
    behind us; check on the way that (name, id) strictly increases. Returns the cursor,
    the position it starts at and the walk's duration."""
    headers = {"Authorization": f"Bearer {token}"}
    target = int(total * DEEP_FRACTION)
    position, cursor, previous = 0, None, None
    started = time.perf_counter()
    while position < target:
        params: dict[str, str | int] = {"limit": WALK_LIMIT, "sort": "name"}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(f"{base}/v1/customers", params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        for row in body["data"]:
            current = (row["name"], row["id"])
            if previous is not None and not previous < current:
                raise RuntimeError(f"keyset order broken at {position}: {previous} !< {current}")
            previous = current
        position += len(body["data"])
        cursor = body["next_cursor"]
        if not cursor:
            raise RuntimeError(f"the list ended at {position} rows, before {target}")
        if position % 100_000 < WALK_LIMIT:
            say(f"  walked {position:,} rows")
    return cursor, position, time.perf_counter() - started


async def deep_cursor(
    client: httpx.AsyncClient, base: str, token: str, total: int, *, rewalk: bool
) -> dict[str, Any]:
    """The saved cursor at 90% depth when it still works, else walk to it (and save it)."""
    connection = await asyncpg.connect(dsn())
    try:
        saved = None
        if not rewalk:
            saved = await connection.fetchval(
                f"SELECT value::text FROM {STATE_SCHEMA}.state WHERE key = 'deep_cursor'"  # noqa: S608
            )
        if saved is not None:
            found: dict[str, Any] = json.loads(saved)
            url = f"{base}{LIST}&cursor={found['cursor']}"
            with contextlib.suppress(RuntimeError):
                await preflight(client, url, token)
                say(f"deep page: saved cursor at row {found['position']:,}")
                return found
        say(f"deep page: walking the list {WALK_LIMIT} rows a page to {DEEP_FRACTION:.0%}")
        cursor, position, seconds = await walk_to_depth(client, base, token, total)
        found = {
            "cursor": cursor,
            "position": position,
            "walk_seconds": round(seconds, 1),
            "walk_pages_per_s": round(position / WALK_LIMIT / seconds, 1),
        }
        say(
            f"deep page: {position:,} rows in {seconds:.1f} s "
            f"({found['walk_pages_per_s']} pages of {WALK_LIMIT}/s)"
        )
        await connection.execute(
            f"INSERT INTO {STATE_SCHEMA}.state VALUES ('deep_cursor', $1::jsonb) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            json.dumps(found),
        )
        return found
    finally:
        await connection.close()


async def scenario_facts(state: SeedState) -> dict[str, Any]:
    """Ids for get-by-id and the number of rows each search term matches."""
    connection = await asyncpg.connect(dsn())
    try:
        big = uuid.UUID(state.big)
        ids = await connection.fetch(
            "SELECT id FROM customer WHERE company_id = $1 ORDER BY random() LIMIT $2",
            big,
            GET_BY_ID_PATHS,
        )
        matches = {}
        for term in (data.COMMON_SURNAME, data.RARE_SURNAME):
            matches[term] = await connection.fetchval(
                "SELECT count(*) FROM customer WHERE company_id = $1 AND search_text LIKE $2",
                big,
                f"%{term}%",
            )
        server = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    return {"ids": [str(r["id"]) for r in ids], "matches": matches, "postgres": server}


def build_scenarios(
    big: Company,
    orders: OrdersState,
    facts: dict[str, Any],
    deep: dict[str, Any] | None,
    log_dir: Path,
) -> list[Scenario]:
    """Every scenario, in the order they run (deep_page only with its cursor); the paths
    files of the multi-path ones are written to `log_dir`."""
    paths_file = log_dir / "get-by-id.txt"
    paths_file.write_text("".join(f"/v1/customers/{i}\n" for i in facts["ids"]))
    # Payments spread over the payable orders, so that requests do not all queue on one
    # order's row lock (each payment locks its order).
    payment_paths = log_dir / "payment-create.txt"
    payment_paths.write_text("".join(f"/v1/orders/{i}/payments\n" for i in orders.payable_ids))
    common, rare = data.COMMON_SURNAME, data.RARE_SURNAME
    matches = facts["matches"]
    scenarios = [
        Scenario("floor", "Floor: first page (raw ASGI + asyncpg + orjson)", "floor", LIST),
        Scenario("first_page", "First page of 50, sort=name", "api", LIST, big.api_key),
    ]
    if deep is not None:
        scenarios.append(
            Scenario(
                "deep_page",
                f"Page at {DEEP_FRACTION:.0%} depth (cursor)",
                "api",
                f"{LIST}&cursor={deep['cursor']}",
                big.api_key,
                note=f"row {deep['position']:,}",
            )
        )
    scenarios += [
        Scenario(
            "search_common",
            f"q={common} (common)",
            "api",
            f"{LIST}&q={common}",
            big.api_key,
            note=f"{matches[common]:,} matches",
        ),
        Scenario(
            "search_rare",
            f"q={rare} (rare)",
            "api",
            f"{LIST}&q={rare}",
            big.api_key,
            note=f"{matches[rare]:,} matches",
        ),
        # The search target is a latency: at 32 connections a request mostly waits its turn
        # behind the 31 others (its p99 is the queue), so the same searches are also
        # measured one request at a time.
        Scenario(
            "search_common_1c",
            f"q={common} (common), 1 connection",
            "api",
            f"{LIST}&q={common}",
            big.api_key,
            note="latency without a queue",
            connections=1,
        ),
        Scenario(
            "search_rare_1c",
            f"q={rare} (rare), 1 connection",
            "api",
            f"{LIST}&q={rare}",
            big.api_key,
            note="latency without a queue",
            connections=1,
        ),
        Scenario(
            "get_by_id",
            "Get by id",
            "api",
            "/v1/customers/{id}",
            big.api_key,
            paths_file,
            note=f"{len(facts['ids']):,} random ids in turn",
        ),
        Scenario(
            "orders_first_page",
            "Orders: first page of 50, sort=-number",
            "api",
            ORDER_LIST,
            orders.api_key,
            note=f"GET, the newest 50 of {orders.orders + len(orders.payable_ids) + 1:,}",
        ),
        Scenario(
            "order_detail",
            f"Order detail, {DETAIL_LINES} lines + {DETAIL_PAYMENTS} payments",
            "api",
            f"/v1/orders/{orders.detail_id}",
            orders.api_key,
            note="GET, one order with its lines, payments and assignees",
        ),
        Scenario(
            "payment_create",
            "Payment create (amount 1, cash)",
            "api",
            "/v1/orders/{id}/payments",
            orders.api_key,
            payment_paths,
            note=f"POST {PAYMENT_BODY}, 201; {len(orders.payable_ids):,} orders in turn",
            method="POST",
            body=PAYMENT_BODY,
        ),
    ]
    return scenarios


# --- export -------------------------------------------------------------------------------


def _status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def rss_sampler(pid: int, interval: float = 0.01) -> Iterator[dict[str, int]]:
    """Samples VmRSS of `pid` in a thread while the block runs; yields the running peak."""
    found = {"peak_kb": _status_kb(pid, "VmRSS")}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            found["peak_kb"] = max(found["peak_kb"], _status_kb(pid, "VmRSS"))
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()


@dataclass
class ExportResult:
    rows: int
    bytes: int
    seconds: float
    first_byte_ms: float
    rows_per_s: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    hwm_before_mb: float
    hwm_after_mb: float

    @property
    def growth_mb(self) -> float:
        return round(self.rss_peak_mb - self.rss_before_mb, 1)


async def run_export(server: Server, token: str, window: tuple[str, str]) -> ExportResult:
    params = {"created_from": window[0], "created_to": window[1]}
    headers = {"Authorization": f"Bearer {token}"}
    mb = 1 / 1024
    hwm_before = _status_kb(server.pid, "VmHWM")
    rss_before = _status_kb(server.pid, "VmRSS")
    newlines = size = 0
    first_byte = None
    async with httpx.AsyncClient(timeout=300) as client:
        with rss_sampler(server.pid) as peak:
            started = time.perf_counter()
            async with client.stream(
                "GET", f"{server.base}/v1/customers/export", params=params, headers=headers
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise RuntimeError(f"export: {response.status_code} {response.text[:500]}")
                async for chunk in response.aiter_raw():
                    if first_byte is None:
                        first_byte = time.perf_counter() - started
                    newlines += chunk.count(b"\n")
                    size += len(chunk)
            seconds = time.perf_counter() - started
    rows = newlines - 1  # the header row
    return ExportResult(
        rows=rows,
        bytes=size,
        seconds=round(seconds, 2),
        first_byte_ms=round((first_byte or 0) * 1000, 1),
        rows_per_s=round(rows / seconds),
        rss_before_mb=round(rss_before * mb, 1),
        rss_peak_mb=round(peak["peak_kb"] * mb, 1),
        rss_after_mb=round(_status_kb(server.pid, "VmRSS") * mb, 1),
        hwm_before_mb=round(hwm_before * mb, 1),
        hwm_after_mb=round(_status_kb(server.pid, "VmHWM") * mb, 1),
    )


# --- report -------------------------------------------------------------------------------


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip()


def environment(facts: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    dirty = _git("status", "--porcelain", "--", "app", "migrations")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "app_dirty": bool(dirty),
        "cpus": os.cpu_count(),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "python": platform.python_version(),
        "postgres": facts["postgres"],
        "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration:g}s",
        "rounds": args.rounds,
        "warmup_s": args.warmup,
    }


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _payments_created(
    payments: tuple[int, int], sent: int, orders: int
) -> tuple[dict[str, int], list[str]]:
    """The payments the payment-create scenario recorded: for the JSON and the report."""
    before, after = payments
    found = {
        "payments_before": before,
        "payments_after": after,
        "created": after - before,
        "responses_counted_by_wrk": sent,
    }
    lines = [
        f"**payment_create** recorded {after - before:,} payments (rows of the company "
        f"before/after the rounds: {before:,} → {after:,}; wrk counted {sent:,} responses, "
        f"warm-ups included, and not those in flight when it stops) over {orders:,} orders, "
        "one row lock each. They accumulate across runs.",
        "",
    ]
    return found, lines


def build_report(
    scenarios: list[Scenario],
    exports: list[ExportResult],
    state: SeedState,
    facts: dict[str, Any],
    deep: dict[str, Any] | None,
    env: dict[str, Any],
    orders: OrdersState,
    payments: tuple[int, int] | None,
) -> tuple[str, dict[str, Any]]:
    by_key = {s.key: s for s in scenarios}

    def median(key: str) -> WrkResult | None:
        return by_key[key].median() if key in by_key else None  # --only may skip it

    floor = median("floor")
    first = median("first_page")
    rows: list[list[str]] = []
    results: dict[str, Any] = {}
    for s in scenarios:
        m = s.median()
        if m is None:
            rows.append([s.title, "failed", "", "", "", s.note])
            results[s.key] = {"title": s.title, "error": s.note}
            continue
        ratio = m.rps / floor.rps if floor else 0.0
        rows.append(
            [
                s.title,
                f"{m.rps:,.0f}",
                _ms(m.p50_ms),
                _ms(m.p99_ms),
                f"{ratio:.0%}" if s.key != "floor" else "1x",
                s.note,
            ]
        )
        results[s.key] = {
            "title": s.title,
            "path": s.path,
            "median": asdict(m),
            "rounds": [asdict(r) for r in s.rounds],
            "vs_floor_rps": round(ratio, 3),
            **({"method": s.method, "body": s.body} if s.body is not None else {}),
        }
    export = sorted(exports, key=lambda e: e.rows_per_s)[len(exports) // 2] if exports else None
    if export:
        results["export"] = {
            "median": {**asdict(export), "growth_mb": export.growth_mb},
            "rounds": [asdict(e) for e in exports],
        }

    checks: list[tuple[str, str, bool | None]] = []
    if floor and first:
        share = first.rps / floor.rps
        checks.append(
            (
                f"first page ≥ {TARGET_FIRST_PAGE_VS_FLOOR:.0%} of the floor's req/s",
                f"{share:.0%} ({first.rps:,.0f} vs {floor.rps:,.0f} req/s)",
                share >= TARGET_FIRST_PAGE_VS_FLOOR,
            )
        )
    deep_m = median("deep_page")
    if deep_m and first:
        factor = deep_m.p50_ms / first.p50_ms
        checks.append(
            (
                f"deep page latency ≤ {TARGET_DEEP_VS_FIRST}x the first page's (p50)",
                f"{factor:.2f}x ({_ms(deep_m.p50_ms)} vs {_ms(first.p50_ms)} ms; "
                f"p99 {deep_m.p99_ms / first.p99_ms:.2f}x)",
                factor <= TARGET_DEEP_VS_FIRST,
            )
        )
    for key in ("search_common", "search_rare", "search_common_1c", "search_rare_1c"):
        m = median(key)
        if m:
            checks.append(
                (
                    f"{by_key[key].title}: p99 ≤ {TARGET_SEARCH_P99_MS:g} ms",
                    f"{_ms(m.p99_ms)} ms",
                    m.p99_ms <= TARGET_SEARCH_P99_MS,
                )
            )
    if export:
        checks.append(
            (
                f"export ≥ {TARGET_EXPORT_ROWS_S:,} rows/s",
                f"{export.rows_per_s:,.0f} rows/s",
                export.rows_per_s >= TARGET_EXPORT_ROWS_S,
            )
        )
    results["targets"] = [{"target": t, "measured": v, "met": ok} for t, v, ok in checks]
    payment_lines: list[str] = []
    if payments is not None:
        results["payment_create"], payment_lines = _payments_created(
            payments, by_key["payment_create"].sent, len(orders.payable_ids)
        )

    big = state.company(state.big)
    lines = [
        f"# API benchmark (customers, orders), {env['date']}",
        "",
        f"Commit `{env['commit']}`{' (app/ with uncommitted changes)' if env['app_dirty'] else ''}"
        f"; {env['cpus']} cores shared by wrk, the server and PostgreSQL {env['postgres']}; "
        f"load average at start {' '.join(env['loadavg_at_start'])}.",
        f"wrk `{env['wrk']}`, {env['warmup_s']:g} s warm-up, median of {env['rounds']} "
        "round(s) (by req/s). One uvicorn worker each for the API and the floor.",
        f"Data: {len(state.companies)} companies, {big.customers:,} customers in the one "
        "measured; API key of that company (`customers:read`). Its orders: "
        f"{orders.orders:,} numbered 1..{orders.orders:,} over 3 years ({orders.lines:,} line "
        f"items), one detail order with {DETAIL_LINES} line items and {DETAIL_PAYMENTS} "
        f"payments, {len(orders.payable_ids):,} payable ones; the order scenarios use an API "
        "key with `orders:read|write`, `payments:read|write`, `customers:read`.",
        "",
        "| Scenario | req/s | p50 ms | p99 ms | vs floor | Notes |",
        "|---|---:|---:|---:|---:|---|",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
    ]
    if export:
        lines += [
            f"**Export** of {export.rows:,} rows ({export.bytes / 1e6:.1f} MB of CSV, "
            f"`created_from`/`created_to` slice of the big company): {export.seconds:.2f} s, "
            f"**{export.rows_per_s:,.0f} rows/s**, first byte after "
            f"{export.first_byte_ms:.0f} ms. Server RSS {export.rss_before_mb:.0f} MB before, "
            f"peak {export.rss_peak_mb:.0f} MB during (+{export.growth_mb:.1f} MB), "
            f"{export.rss_after_mb:.0f} MB after; VmHWM {export.hwm_before_mb:.0f} → "
            f"{export.hwm_after_mb:.0f} MB. Median of {len(exports)}: "
            + ", ".join(f"{e.rows_per_s:,.0f}" for e in exports)
            + " rows/s.",
            "",
        ]
    lines += payment_lines
    if checks:  # --only may measure none of the targeted scenarios
        lines += ["| Target (issue 3) | Measured | Met |", "|---|---|---|"]
        lines += [f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in checks]
        lines.append("")
    if deep is not None:
        lines.append(
            f"Deep page: cursor at row {deep['position']:,} of {big.customers:,}"
            + (
                f", reached by walking {deep['position'] // WALK_LIMIT:,} pages of {WALK_LIMIT} "
                f"in {deep['walk_seconds']} s ({deep['walk_pages_per_s']} pages/s), checking "
                "that (name, id) strictly increases."
                if "walk_seconds" in deep
                else "."
            )
        )
    lines += [
        "Search terms match "
        + ", ".join(f"`{t}` {n:,} rows" for t, n in facts["matches"].items())
        + f" of {big.customers:,}.",
        "Seed timings (s): " + ", ".join(f"{k} {v:g}" for k, v in state.timings.items()) + ".",
        "Orders seed timings (s): "
        + ", ".join(f"{k.removeprefix('orders: ')} {v:g}" for k, v in orders.timings.items())
        + ".",
        "",
    ]
    return "\n".join(lines), results


def measure_reminder_scan(
    layout: reminders_seed.Layout | None, args: argparse.Namespace
) -> reminders.ScanBench | None:
    """The reminder scan over the prepared 1M orders (bench/reminders.py), when wanted."""
    if layout is None:
        return None
    wait_for_quiet(args.quiet, args.quiet_wait)
    return reminders.measure(layout, runs=max(args.rounds, 3))


def add_reminder_scan(
    report: str, results: dict[str, Any], scan: reminders.ScanBench | None
) -> str:
    if scan is None:
        return report
    results["reminder_scan"] = scan.as_json()
    return report + "\n" + scan.markdown()


# --- main ---------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk before each")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only",
        nargs="*",
        choices=SCENARIO_KEYS,
        metavar="KEY",
        help=f"scenarios to run (default: all): {' '.join(SCENARIO_KEYS)}",
    )
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--customers", type=int, default=BIG_CUSTOMERS)
    parser.add_argument("--rewalk", action="store_true", help="walk to the deep page again")
    parser.add_argument("--profile", action="store_true", help="py-spy the first page after")
    parser.add_argument("--profile-seconds", type=float, default=10)
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.25,
        help="before each scenario, wait while more than this share of the CPUs is busy",
    )
    parser.add_argument("--quiet-wait", type=float, default=120, help="for at most this long")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    ensure_wrk()
    state = seed(reset=args.reseed, big=args.customers, small=SMALL_CUSTOMERS, companies=COMPANIES)
    big = state.company(state.big)
    seed_orders(state)
    orders = asyncio.run(read_orders_state())
    if orders is None or orders.company_id != big.id:
        raise RuntimeError("the seed recorded no orders of the big company (bench/orders.py)")
    facts = asyncio.run(scenario_facts(state))
    log_dir = Path(tempfile.mkdtemp(prefix="trackr-bench-"))
    env = environment(facts, args)

    def wanted(key: str) -> bool:
        return not args.only or key in args.only

    # Before the servers start: it tops the big company up to 1M orders (once).
    reminder_layout = reminders_seed.prepare(state) if wanted("reminder_scan") else None

    servers: list[Server] = []
    try:
        floor = start_server("floor", "bench.floor:app", {"BENCH_COMPANY_ID": big.id}, log_dir)
        servers.append(floor)
        api = start_server("api", "app.main:app", api_env(log_dir), log_dir)
        servers.append(api)
        say(f"floor pid {floor.pid} on {floor.base}; API pid {api.pid} on {api.base}")

        async def prepare() -> dict[str, Any]:
            async with httpx.AsyncClient(timeout=60) as client:
                return await deep_cursor(
                    client, api.base, big.api_key, big.customers, rewalk=args.rewalk
                )

        # Walking to the deep page takes a while without a saved cursor: only when measured.
        deep = asyncio.run(prepare()) if wanted("deep_page") else None
        scenarios = build_scenarios(big, orders, facts, deep, log_dir)
        if args.only:
            scenarios = [s for s in scenarios if s.key in args.only or s.key == "floor"]
        run_export_scenario = wanted("export")
        by_server = {"floor": floor, "api": api}

        async def preflight_all() -> None:
            async with httpx.AsyncClient(timeout=60) as client:
                for s in scenarios:
                    outcome = await preflight(
                        client,
                        by_server[s.server].base + s.first_path(),
                        s.token,
                        method=s.method,
                        body=s.body,
                        expected=s.expected_status,
                    )
                    say(f"  {s.key}: {outcome}")

        asyncio.run(preflight_all())
        creates_payments = any(s.key == "payment_create" for s in scenarios)
        payments_before = asyncio.run(payment_count(big.id)) if creates_payments else 0

        exports: list[ExportResult] = []
        for round_no in range(1, args.rounds + 1):
            say(f"round {round_no}/{args.rounds}")
            for s in scenarios:
                url = by_server[s.server].base + (s.path if not s.paths_file else "/")
                common_args: dict[str, Any] = {
                    "token": s.token,
                    "paths": s.paths_file,
                    "threads": min(args.threads, s.connections or args.threads),
                    "connections": s.connections or args.connections,
                    "method": s.method,
                    "body": s.body,
                }
                busy = wait_for_quiet(args.quiet, args.quiet_wait)
                if args.warmup > 0:
                    s.sent += run_wrk(url, seconds=args.warmup, **common_args).requests
                result = run_wrk(url, seconds=args.duration, **common_args)
                result.busy_before = round(busy, 2)
                s.rounds.append(result)
                s.sent += result.requests
                say(
                    f"  {s.key:17} {result.rps:9,.0f} req/s  p50 {_ms(result.p50_ms):>6} ms  "
                    f"p99 {_ms(result.p99_ms):>6} ms"
                    + (f"  ERRORS {result.errors}" if result.failed else "")
                )
                if result.failed:
                    s.note = f"{s.note}; errors {result.errors}".strip("; ")
            if run_export_scenario:
                export = asyncio.run(run_export(api, big.api_key, state.export_window))
                exports.append(export)
                say(
                    f"  {'export':17} {export.rows:,} rows in {export.seconds:.2f} s = "
                    f"{export.rows_per_s:,.0f} rows/s; RSS {export.rss_before_mb:.0f} → peak "
                    f"{export.rss_peak_mb:.0f} MB (+{export.growth_mb} MB)"
                )

        reminder_scan = measure_reminder_scan(reminder_layout, args)
        payments = None
        if creates_payments:
            payments = (payments_before, asyncio.run(payment_count(big.id)))
        report, results = build_report(
            scenarios, exports, state, facts, deep, env, orders, payments
        )
        report = add_reminder_scan(report, results, reminder_scan)
        profile_summary = None
        if args.profile:
            profile_summary = profile.profile_first_page(
                api,
                f"{api.base}{LIST}",
                big.api_key,
                seconds=args.profile_seconds,
                threads=args.threads,
                connections=args.connections,
                out_dir=RESULTS_DIR if not args.no_save else log_dir,
            )
            report += "\n" + profile_summary.markdown
            results["profile"] = profile_summary.as_json()
    finally:
        for server in reversed(servers):
            server.stop()

    print()
    print(report)
    if not args.no_save:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
        (RESULTS_DIR / f"{stamp}.md").write_text(report)
        payload = {
            "environment": env,
            "seed": state.to_json(),
            "orders_seed": orders.public(),
            "results": results,
        }
        payload["seed"]["companies"] = [  # never commit credentials, even throwaway ones
            {k: v for k, v in c.items() if k != "api_key"} for c in payload["seed"]["companies"]
        ]
        (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(payload, indent=2) + "\n")
        say(f"wrote bench/results/{stamp}.md and .json")
    say(f"server logs in {log_dir}")


if __name__ == "__main__":
    main()
