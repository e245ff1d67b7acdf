"""Stopping the detached server processes: a signal, a bounded wait, then SIGKILL."""

from __future__ import annotations

import contextlib
import signal
import time

import psutil

STOP_TIMEOUT_S = 30.0


def wait_gone(proc: psutil.Process, timeout: float) -> bool:
    """Wait until ``proc`` has exited; a zombie counts as exited.

    Detached servers are reaped by init, which in containers may take seconds (or never
    happen), so psutil's own wait() would wait for the reaping rather than the exit.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.Error:  # NoSuchProcess: gone and reaped
            return True
        time.sleep(0.02)
    return False


def terminate(proc: psutil.Process, sig: signal.Signals) -> None:
    """Send ``sig``, wait up to 30 s, then SIGKILL; returns once the process is gone."""
    with contextlib.suppress(psutil.Error):
        proc.send_signal(sig)
        if not wait_gone(proc, STOP_TIMEOUT_S):
            proc.kill()
            wait_gone(proc, 10)
