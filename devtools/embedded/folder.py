"""The data folder of the embedded servers: its checks, its lock and its list of users."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

from devtools.embedded.errors import EmbeddedError

_LOCK_TIMEOUT_S = 120.0


def prepare_data_dir(data_dir: Path) -> Path:
    """Create ``data_dir`` (owner-only) if missing; returns its absolute path."""
    data_dir = data_dir.expanduser().resolve()
    # pg_ctl passes "-k <socket dir>" through a shell command line unquoted.
    if any(ch.isspace() for ch in str(data_dir)):
        raise EmbeddedError(
            f"embedded PostgreSQL cannot live in a path containing spaces ({data_dir}); "
            "set DATA_DIR to another folder"
        )
    # Owner-only when we create it. No chmod of an existing folder: as root, PostgreSQL runs
    # as a system user of its own, and the folder is opened up so that user can traverse it.
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return data_dir


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive flock on the data folder (released by the kernel if we die)."""
    fd = os.open(data_dir / "embedded.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + _LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    msg = f"{data_dir}/embedded.lock is held by another process"
                    raise EmbeddedError(msg) from exc
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def users_path(data_dir: Path) -> Path:
    return data_dir / "embedded-users.json"


def _process_identity(pid: int) -> tuple[int, float] | None:
    """(pid, start time): unlike a bare pid, it cannot match a recycled pid."""
    try:
        return pid, round(psutil.Process(pid).create_time(), 2)
    except psutil.Error:
        return None


def update_users(data_dir: Path, *, add: bool) -> list[tuple[int, float]]:
    """Drop dead users, add or remove this process; returns the other live users.

    Call with the folder :func:`locked`.
    """
    path = users_path(data_dir)
    try:
        raw = json.loads(path.read_text())
        entries = [(int(pid), float(started)) for pid, started in raw]
    except (OSError, ValueError, TypeError):
        entries = []
    me = _process_identity(os.getpid())
    others = [e for e in entries if e != me and _process_identity(e[0]) == e]
    users = [*others, me] if add and me is not None else others
    path.write_text(json.dumps(users))
    return others
