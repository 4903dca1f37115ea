"""The databases the archive runs on, one object each: every difference between them lives here.

SQLite (the embedded default, a file on one machine) and PostgreSQL (the production store, shared by
several processes) need different engines, locks, upserts and planner hints. Rather than compare
dialect names wherever the difference shows, callers ask `backend_for(engine)` and call the one
method that does the job on that database — one small interface, one class per backend, as in
scrapyd's ``jobstorage.py``. Adding a backend means adding a class here, not a branch in ten modules.

The objects are stateless: what they act on (an engine, a connection, a URL) is passed in.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar
from urllib.parse import quote

from sqlalchemy import ColumnElement, Connection, Engine, Table, create_engine, event, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Dialect, make_url

#: How long an SQLite writer waits for another one before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Rows per statement in `SqliteBackend.upsert`, and the most parameters one statement may take
#: (SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32).
SQLITE_ROWS_PER_STATEMENT = 1000
SQLITE_MAX_VARIABLES = 32_766
#: The execution option `Backend.only_reading` sets.
_ONLY_READING = "kremlin_watch_only_reading"
#: Any constant will do: it names the PostgreSQL advisory lock that serialises migrations.
_PG_MIGRATION_LOCK = 0x6B77_0001


class UnsupportedDatabase(ValueError):
    """A database URL of a kind the archive does not run on."""


class Backend:
    """What the archive needs of a database, in the places where SQLite and PostgreSQL differ."""

    #: SQLAlchemy's name for it (``URL.get_backend_name()``, ``Dialect.name``).
    name: ClassVar[str]
    #: The full-text index migration 0004 builds there: an FTS5 table or a tsvector column.
    full_text: ClassVar[str]
    #: Whether Alembic must re-create a table to alter it (``render_as_batch``).
    batch_migrations: ClassVar[bool]

    def engine(self, url: URL) -> Engine:
        """An engine for the archive's read-write side (crawler, daemon, command line)."""
        raise NotImplementedError

    def readonly_engine(self, url: URL) -> Engine:
        """An engine whose connections the database itself keeps from writing (the web side)."""
        raise NotImplementedError

    def insert(self, table: Any) -> sqlite.Insert | postgresql.Insert:
        """The dialect's INSERT, the one that knows ``ON CONFLICT`` (both spell it alike)."""
        raise NotImplementedError

    def stored_time(self, value: datetime) -> datetime:
        """An aware UTC time as this database keeps it."""
        return value

    def only_reading(self, connection: Connection) -> Connection:
        """Mark ``connection``, before its first statement, as one that will only read.

        On SQLite its transactions then begin deferred: a snapshot of the database that reads
        beside a writer instead of queueing for the write lock that every other transaction there
        takes up front. PostgreSQL reads beside writers anyway.
        """
        return connection.execution_options(**{_ONLY_READING: True})

    def upsert(
        self, connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
    ) -> None:
        """Insert ``rows`` (all with the same columns), overwriting the row with the same ``key``.

        Here: one ``executemany`` of SQLAlchemy's upsert, which psycopg pipelines (multi-row
        statements cost PostgreSQL more).
        """
        insert = self.insert(table)
        update = {name: insert.excluded[name] for name in rows[0] if name not in key}
        connection.execute(insert.on_conflict_do_update(index_elements=list(key), set_=update), rows)

    def migration_lock(self, engine: Engine) -> contextlib.AbstractContextManager[None]:
        """Held while migrating, so that processes starting at once migrate one after the other."""
        raise NotImplementedError

    def refresh_statistics(self, engine: Engine, table: str) -> None:
        """Let the planner see what a large write changed (a no-op where it plans well without)."""

    def prefer_index_scans(self, connection: Connection) -> None:
        """Rule out sequential scans for the rest of this transaction (where a planner needs it)."""

    def prefer_bitmap_scans(self, connection: Connection) -> None:
        """Rule out sequential and plain index scans for the rest of this transaction (where a
        planner needs it): for a statement that reads every match, in no order."""

    def spread_over_workers(self, connection: Connection) -> None:
        """Let the rest of this transaction run in parallel workers (where the database has them):
        for a statement whose work its planner underestimates."""

    def position(self, haystack: Any, needle: str) -> ColumnElement[int]:
        """SQL for the 1-based place of ``needle`` in ``haystack`` (0: absent), no folding."""
        raise NotImplementedError

    def enabled_triggers(self, connection: Connection, table: str) -> set[str]:
        """The names of the triggers on ``table`` that would fire now."""
        raise NotImplementedError


class SqliteBackend(Backend):
    """A file on one machine: WAL, a busy timeout, write locks taken at BEGIN, flock for migrations."""

    name = "sqlite"
    full_text = "fts5"
    batch_migrations = True

    def engine(self, url: URL) -> Engine:
        database = url.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_read_write)
        event.listen(engine, "begin", _sqlite_begin)
        return engine

    def readonly_engine(self, url: URL) -> Engine:
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database).expanduser().resolve()
            # A URI, not a path: only a URI can say mode=ro. Quote what a URI would misread (?, #, %).
            url = URL.create(
                "sqlite+pysqlite",
                database=f"file:{quote(str(path))}",
                query={"mode": "ro", "uri": "true"},
            )
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_query_only)
        return engine

    def insert(self, table: Any) -> sqlite.Insert | postgresql.Insert:
        return sqlite.insert(table)

    def upsert(
        self, connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
    ) -> None:
        """Many rows per statement, written as the driver's own statement and parameters.

        Many rows in one statement, in the order given, is what keeps a table with FTS5 triggers
        fast: FTS5 flushes its pending terms to a new segment at every statement (the trigger's
        savepoint) and whenever a rowid is not above the last one, so row by row is a segment per row
        and the merging that follows (more than twice the work, measured). The statement goes to the
        driver directly, its values through each column's own bind processor (as SQLAlchemy would
        store them): SQLAlchemy's per-row parameter handling held the GIL for longer than SQLite took
        to write, which kept a writer thread (`search.index.IndexWriter`) from overlapping with the
        Python work beside it; the driver lets go of the GIL while SQLite works.
        """
        names = list(rows[0])
        quote_name = connection.dialect.identifier_preparer.quote
        processors = [table.c[name].type.bind_processor(connection.dialect) for name in names]
        columns = ", ".join(quote_name(name) for name in names)
        update = ", ".join(
            f"{quote_name(name)} = excluded.{quote_name(name)}" for name in names if name not in key
        )
        conflict = ", ".join(quote_name(name) for name in key)
        one_row = "(" + ", ".join("?" * len(names)) + ")"
        per_statement = max(1, min(SQLITE_ROWS_PER_STATEMENT, SQLITE_MAX_VARIABLES // len(names)))
        for start in range(0, len(rows), per_statement):
            page = rows[start : start + per_statement]
            values = [
                value if process is None else process(value)
                for row in page
                for value, process in zip((row[name] for name in names), processors, strict=True)
            ]
            statement = (
                f"INSERT INTO {quote_name(table.name)} ({columns}) VALUES {', '.join([one_row] * len(page))}"
                f" ON CONFLICT ({conflict}) DO UPDATE SET {update}"
            )
            connection.exec_driver_sql(statement, tuple(values))

    def stored_time(self, value: datetime) -> datetime:
        # SQLite keeps no offset: store the UTC wall time, and `UTCDateTime` reads it back as UTC.
        return value.replace(tzinfo=None)

    @contextlib.contextmanager
    def migration_lock(self, engine: Engine) -> Iterator[None]:
        database = make_url(str(engine.url)).database
        if not database or database == ":memory:":
            yield
            return
        lock_path = Path(database + ".migrate.lock")
        with lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def position(self, haystack: Any, needle: str) -> ColumnElement[int]:
        return func.instr(haystack, needle)

    def enabled_triggers(self, connection: Connection, table: str) -> set[str]:
        statement = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table")
        return set(connection.execute(statement, {"table": table}).scalars())


class PostgresBackend(Backend):
    """A server shared by several processes: advisory locks, planner statistics and hints."""

    name = "postgresql"
    full_text = "tsvector"
    batch_migrations = False

    def engine(self, url: URL) -> Engine:
        if url.drivername == "postgresql":  # the driver kremlin-watch installs, not psycopg2
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, pool_pre_ping=True)

    def readonly_engine(self, url: URL) -> Engine:
        engine = self.engine(url)
        event.listen(engine, "connect", _postgres_read_only)
        return engine

    def insert(self, table: Any) -> sqlite.Insert | postgresql.Insert:
        return postgresql.insert(table)

    @contextlib.contextmanager
    def migration_lock(self, engine: Engine) -> Iterator[None]:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK})
                connection.commit()

    def refresh_statistics(self, engine: Engine, table: str) -> None:
        with engine.begin() as connection:
            connection.execute(text(f"ANALYZE {table}"))

    def prefer_index_scans(self, connection: Connection) -> None:
        # For a common word the planner prefers reading every row and testing every tsvector, while
        # the GIN bitmap is several times quicker. ``SET LOCAL`` ends with the transaction.
        connection.execute(text("SET LOCAL enable_seqscan = off"))

    def prefer_bitmap_scans(self, connection: Connection) -> None:
        # A count (or every match) is a bitmap of the full-text index, AND-ed with the kind and date
        # index. Misjudging a date window as small, the planner would walk the sort-key index and
        # test each row's tsvector, which lives in the TOAST table (migration 0009): 8x slower.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_indexscan = off"))

    def spread_over_workers(self, connection: Connection) -> None:
        # Ranking many matches reads each one's positions from TOAST (migration 0009), which the
        # planner prices as one cheap function call, so it never finds a parallel plan worth its
        # start-up; free start-up and free tuples (a worker hands on only its best few) let it.
        connection.execute(text("SET LOCAL parallel_setup_cost = 0"))
        connection.execute(text("SET LOCAL parallel_tuple_cost = 0"))

    def position(self, haystack: Any, needle: str) -> ColumnElement[int]:
        return func.strpos(haystack, needle)

    def enabled_triggers(self, connection: Connection, table: str) -> set[str]:
        # to_regclass follows the search path: each archive (schema) sees its own table's triggers.
        statement = text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(:table) AND tgenabled <> 'D'"
        )
        return set(connection.execute(statement, {"table": table}).scalars())


_BACKENDS = MappingProxyType({backend.name: backend for backend in (SqliteBackend(), PostgresBackend())})


def backend_for(where: Engine | Connection | Dialect | URL | str) -> Backend:
    """The backend of an engine, a connection, a dialect or a database URL."""
    if isinstance(where, Engine | Connection):
        name = where.dialect.name
    elif isinstance(where, Dialect):
        name = where.name
    else:
        name = make_url(where).get_backend_name()
    backend = _BACKENDS.get(name)
    if backend is None:
        known = " or ".join(sorted(_BACKENDS))
        raise UnsupportedDatabase(f"the archive runs on {known}, not on {name!r}")
    return backend


def _sqlite_read_write(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, open transactions, so that "begin" below is honoured.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is locked"
    # when another writer got in between; taking the write lock up front makes it wait instead.
    # A connection marked read-only (`Backend.only_reading`) needs no lock: WAL gives it a snapshot.
    if connection.get_execution_options().get(_ONLY_READING):
        connection.exec_driver_sql("BEGIN DEFERRED")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_query_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _postgres_read_only(dbapi_connection: Any, _record: Any) -> None:
    # SET is transactional in PostgreSQL: commit it, or the pool's reset-on-return rollback undoes it.
    cursor = dbapi_connection.cursor()
    cursor.execute("SET default_transaction_read_only = on")
    cursor.close()
    dbapi_connection.commit()
