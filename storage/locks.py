"""One check-in fan-out at a time, whatever the number of processes on the database.

PostgreSQL: a session-level advisory lock, `pg_try_advisory_lock(CHECKIN_LOCK)`, taken on a
connection of its own and held for the whole run; it is released after the run, or by
PostgreSQL when the process (and so its connection) dies. SQLite means one process (see
README.md, "Running in production"), so a lock inside this process is enough.

The lock only saves duplicate work: what makes a week's check-in post once is the unique key
of `checkin_post` (storage.checkins.claim), which holds even when a run loses its lock midway.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text

from storage.db import Database

# Any constant other than storage.migrate.MIGRATION_LOCK. In pg_locks: locktype 'advisory',
# classid 0, objid 7246312, objsubid 1.
CHECKIN_LOCK = 7_246_312
POLL_SECONDS = 0.2

# SQLite: one lock per database file in this process.
_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


@contextmanager
def checkin_lock(db: Database, wait: float = 0.0) -> Iterator[bool]:
    """Hold the check-in lock while the block runs. Yields True when it is held; False when
    another run still had it after `wait` seconds (then nothing is held: skip the run)."""
    if db.dialect == "postgresql":
        with _advisory_lock(db, CHECKIN_LOCK, wait) as held:
            yield held
        return
    lock = _local_lock(db)
    held = lock.acquire(timeout=wait) if wait > 0 else lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()


def _local_lock(db: Database) -> threading.Lock:
    key = str(db.engine.url.database)
    with _local_guard:
        return _local_locks.setdefault(key, threading.Lock())


@contextmanager
def _advisory_lock(db: Database, key: int, wait: float) -> Iterator[bool]:
    # Autocommit: the connection holds the lock between statements without sitting idle in a
    # transaction for the length of the run.
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        deadline = time.monotonic() + wait
        while True:
            held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            remaining = deadline - time.monotonic()
            if held or remaining <= 0:
                break
            time.sleep(min(POLL_SECONDS, remaining))
        try:
            yield held
        finally:
            if held:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                except Exception:
                    # Never hand a connection that may still hold the lock back to the pool:
                    # closing it for good releases the lock.
                    connection.invalidate()
    finally:
        connection.close()
