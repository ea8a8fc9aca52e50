"""The one place that opens database connections.

SQLite is the embedded default: WAL journal, a busy timeout, foreign keys on, and every
`session()` transaction started with BEGIN IMMEDIATE so concurrent writers queue instead of
failing. Within one process, writers queue on a lock first: SQLite's own busy handler sleeps
between retries (up to 100 ms a time), leaving the lock idle while threads sleep.
`read()` sessions are for reads only: a plain (deferred) BEGIN and no lock, so in WAL mode a
read never waits for a writer (nor for a check-in run holding the write lock for a while).
PostgreSQL (psycopg 3) is used when `DATABASE_URL` says so.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "coach_read_only"  # execution option: this connection's transactions only read
ONE_STATEMENT = "coach_one_statement"  # execution option: one statement, atomic on its own

# One lock per SQLite file, shared by every Database on it in this process.
_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


_gc_pauses = 0
_gc_pauses_lock = threading.Lock()
_gc_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's garbage collector off while hundreds of thousands of rows are read: none of
    them is garbage yet, and the full collections that so many new objects set off would
    take about a third of a check-in's reading. Threads may overlap: the last one out turns it
    back on (if it was on)."""
    global _gc_pauses, _gc_was_enabled
    with _gc_pauses_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_pauses_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def normalise_url(url: str) -> str:
    """`postgres://` and `postgresql://` URLs use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    # hide_parameters: a database error never carries the values (typed text, tokens) into a log.
    if parsed.get_backend_name() == "sqlite":
        _create_private(parsed.database)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        _tune_sqlite(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)
    event.listen(engine, "handle_error", _without_detail)
    return engine


def _without_detail(context) -> None:
    """PostgreSQL's error DETAIL quotes the values ("Failing row contains (…)", "Key (…)=(…)"):
    the error, and the traceback of any log line that carries it, keep only the first line."""
    original = context.original_exception
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if not primary or str(original) == primary:
        return
    original.args = (primary,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None and wrapped.args:
        wrapped.args = (f"({type(original).__module__}.{type(original).__name__}) {primary}",)


def _create_private(path: str | None) -> None:
    """A new SQLite file is created readable by its owner only (0600); SQLite gives its -wal
    and -shm files the database file's mode. An existing file keeps the mode it has."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # a missing folder: SQLite says so when it connects


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        options = connection.get_execution_options()
        if options.get(ONE_STATEMENT):
            return  # SQLite's autocommit: the statement is its own write transaction
        connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")


def _write_lock(engine: Engine) -> threading.RLock:
    key = str(engine.url.database)
    with _write_locks_guard:
        return _write_locks.setdefault(key, threading.RLock())


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error
    (`session()`), and sessions that only read (`read()`)."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})
        self._one_statement_engine = self.engine.execution_options(**{ONE_STATEMENT: True})
        self._plans: dict = {}  # statement -> (SQL, parameter order, bind processors, defaults): SQLite
        sqlite = self.engine.dialect.name == "sqlite"
        self._writers = _write_lock(self.engine) if sqlite else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._queue(), Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A Core connection in a write transaction (BEGIN IMMEDIATE on SQLite, queued like
        `session()`): for short writes on the ack path, without the ORM."""
        with self._queue(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def write_one(self) -> Iterator[Connection]:
        """A Core connection for exactly one writing statement, queued like `session()`. On
        SQLite no BEGIN: the statement is a transaction of its own, and a write statement takes
        the write lock before it reads, as BEGIN IMMEDIATE would. One call into SQLite instead of
        three (BEGIN, the statement, COMMIT), each of which gives up Python's GIL and may wait to
        get it back while this process's other writers queue: for the ack path."""
        with self._queue(), self._one_statement_engine.begin() as connection:
            yield connection

    def first_row_one_statement(self, statement, params: dict) -> tuple | None:
        """Run one writing statement (see `write_one`) and return its first row as the driver
        gives it: for statements whose returned columns need no conversion (ids, text).

        On SQLite the statement is compiled once and goes straight to the driver: SQLAlchemy's
        execution machinery costs more than SQLite's own work for a one-row insert, and this
        runs on the ack path. Parameters still go through their column types' bind processing."""
        if self._writers is None:
            with self.write_one() as connection:
                row = connection.execute(statement, params).first()
            return None if row is None else tuple(row)
        sql, order, processors, defaults = self._compiled(statement)
        params = {**defaults, **params}
        values = [processors[name](params[name]) if name in processors else params[name] for name in order]
        with self._queue():
            connection = self.engine.raw_connection()
            try:
                rows = connection.driver_connection.execute(sql, values).fetchall()  # to the end: committed
            finally:
                connection.close()
        return rows[0] if rows else None

    def _compiled(self, statement):
        plan = self._plans.get(statement)
        if plan is None:
            compiled = statement.compile(dialect=self.engine.dialect)
            order = list(compiled.positiontup)
            processors = {name: fn for name, fn in compiled._bind_processors.items() if fn is not None}
            # the statement's own values (`status = 'active'`)
            defaults = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
            plan = self._plans[statement] = (compiled.string, order, processors, defaults)
        return plan

    @contextmanager
    def _queue(self) -> Iterator[None]:
        """SQLite: wait for this process's other writers on a lock that wakes the next one at
        once. After the busy timeout, go on and leave it to SQLite (as without the lock)."""
        if self._writers is None:
            yield
            return
        held = self._writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            yield
        finally:
            if held:
                self._writers.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session that only reads: never waits for writers on SQLite. Nothing is committed;
        what it loaded stays readable after it closes."""
        with Session(self._read_engine, expire_on_commit=False) as session:
            yield session

    def ping(self) -> bool:
        try:
            with self._read_engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def upgrade(self) -> None:
        """Apply every Alembic migration up to head."""
        from storage.migrate import upgrade

        upgrade(self.engine)

    def upgrade_apart(self) -> bool:
        """`upgrade` in a forked child process, so Alembic (~10 MiB) never loads in this one:
        for `coach run`, whose processes all fork from the one that migrates. False when the
        migration failed (the child printed why). Where there is no fork, in this process."""
        if not hasattr(os, "fork"):
            self.upgrade()
            return True
        self.engine.dispose()  # no connection of ours crosses the fork
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                Database(self.url).upgrade()
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

    def dispose(self) -> None:
        self.engine.dispose()
