"""Child processes of ``make run``: started in groups of their own, stopped in order.

Ctrl-C in the terminal reaches the supervisor only (children run in their own process
groups); it then stops them itself, so the order of shutdown is its choice, not the
terminal's.
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType

from app.cli import say

_CHILD_STOP_TIMEOUT_S = 20.0
_READY_TIMEOUT_S = 60.0


class Shutdown(Exception):
    """Raised by the SIGINT/SIGTERM handler to unwind into the cleanup code."""


def _already_stopping(signum: int, frame: FrameType | None) -> None:
    say("already stopping, please wait")


def install_cleanup_guard() -> None:
    """From now on SIGINT/SIGTERM are acknowledged but cannot interrupt the cleanup."""
    signal.signal(signal.SIGINT, _already_stopping)
    signal.signal(signal.SIGTERM, _already_stopping)


def install_shutdown_handlers() -> None:
    """First SIGINT/SIGTERM unwinds into cleanup; later ones are ignored so cleanup finishes."""

    def shutdown(signum: int, frame: FrameType | None) -> None:
        install_cleanup_guard()
        raise Shutdown(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)


def _die_with_parent() -> None:
    """In a child, before exec: get SIGTERM if the supervisor dies (even by kill -9).

    Children run in their own process group (so the terminal's Ctrl-C reaches the
    supervisor only, which stops them in order); this keeps them from being orphaned.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]


def spawn(name: str, argv: Sequence[str], env: dict[str, str]) -> Child:
    """Start ``argv`` in a process group of its own, bound to die with this process."""
    # preexec_fn is unsafe with threads; the supervisor never starts any.
    proc = subprocess.Popen(
        list(argv),
        env=env,
        stdin=subprocess.DEVNULL,  # in a background process group, reading a TTY stops it
        process_group=0,
        preexec_fn=_die_with_parent,  # noqa: PLW1509
        close_fds=True,
    )
    return Child(name=name, proc=proc)


def stop_children(children: Sequence[Child]) -> None:
    """SIGTERM every live child's process group, wait up to 20 s in all, then SIGKILL."""
    for child in children:
        if child.proc.poll() is None:
            say(f"stopping {child.name}")
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + _CHILD_STOP_TIMEOUT_S
    for child in children:
        try:
            child.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop in time, killing it")
            _signal_group(child, signal.SIGKILL)
            child.proc.wait()


def _signal_group(child: Child, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.proc.pid, sig)


def display_host(host: str) -> str:
    """Where a browser on this machine reaches a server bound to ``host``."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host or "127.0.0.1"
    if ip.is_unspecified:  # bound to all interfaces: loopback works
        return "127.0.0.1" if ip.version == 4 else "[::1]"
    return f"[{host}]" if ip.version == 6 else host


def wait_listening(host: str, port: int, children: Sequence[Child]) -> bool:
    """Wait until host:port accepts TCP connections; False if a child died or on timeout."""
    address = host.strip("[]")
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if any(child.proc.poll() is not None for child in children):
            return False
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def supervise(children: Sequence[Child]) -> int:
    """Block until a child exits (returns a non-zero code) or a signal raises Shutdown."""
    while True:
        for child in children:
            code = child.proc.poll()
            if code is not None:
                say(f"{child.name} exited unexpectedly (code {code}); stopping everything")
                return code if code > 0 else 1
        time.sleep(0.2)
