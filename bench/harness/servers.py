"""Serving what is measured: the API and the floors on 127.0.0.1, each one uvicorn process
unless a run asks for another server (granian) or several processes behind one port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.harness.settings import DB_NAME, REDIS_URL, ROOT, SECRET_KEY, sqlalchemy_url


def api_env(data_dir: Path, database: str = DB_NAME, *, processes: int = 1) -> dict[str, str]:
    """The API's settings under the benchmark, as its environment: no rate limit (wrk would
    meet it), the fixed secret (saved cursors stay valid), tokens that outlive a run, quiet
    logs, no demo data, and how many API processes share the database (the connection
    budget each checks). The seed's in-process client reads the same."""
    unlimited = str(1_000_000_000)
    return {
        "DATABASE_URL": sqlalchemy_url(database),
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": SECRET_KEY,
        "DATA_DIR": str(data_dir),
        "RATE_LIMIT_PER_MINUTE": unlimited,
        "RATE_LIMIT_PUBLIC_PER_MINUTE": unlimited,
        "ACCESS_TOKEN_TTL_SECONDS": str(7 * 24 * 3600),
        "LOG_LEVEL": "WARNING",
        "DEMO_SEED": "false",
        # What may be connected at once: the processes measured, the run's main API
        # process, and the floor (its own pool, no larger than an API process's).
        "API_PROCESSES": str(processes + 2),
    }


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


SERVERS = ("uvicorn", "granian")


def granian() -> str:
    """granian's command, installed into this environment when it is missing."""
    found = Path(sys.executable).parent / "granian"
    if not found.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "granian"], check=True)
    return str(found)


def server_command(spec: str, port: int, *, server: str = "uvicorn", workers: int = 1) -> list[str]:
    """The command line serving `spec` on 127.0.0.1:`port` with `workers` processes sharing
    the port (the server's own workers: one listening socket, the kernel spreads the
    connections). Both run uvloop, so the comparison is of the HTTP layer."""
    if server == "granian":
        return [
            granian(),
            "--interface",
            "asgi",
            "--loop",
            "uvloop",
            "--no-ws",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            spec,
        ]
    command = [sys.executable, "-m", "uvicorn", spec, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log"]
    if workers > 1:
        command += ["--workers", str(workers)]
    return command


def start_server(
    name: str,
    spec: str,
    env: dict[str, str],
    log_dir: Path,
    *,
    http_server: str = "uvicorn",
    workers: int = 1,
) -> Server:
    """Serve `spec`; with uvicorn and one worker, a single process (its pid is the server's,
    which the profiler needs)."""
    port = free_port()
    log = log_dir / f"{name}.log"
    command = server_command(spec, port, server=http_server, workers=workers)
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


@contextlib.contextmanager
def serving(log_dir: Path, *servers: tuple[str, str, dict[str, str]]) -> Iterator[list[Server]]:
    """Start each (name, uvicorn spec, environment) in turn; stop them, the last first,
    when the block ends however it ends."""
    started: list[Server] = []
    try:
        for name, spec, env in servers:
            started.append(start_server(name, spec, env, log_dir))
        yield started
    finally:
        for server in reversed(started):
            server.stop()
