"""A read-only engine on the archive, for the web side.

The web server only reads, and it faces the network: opening the archive so that the database itself
refuses writes means no bug in a handler (or in code it calls) can change the archive. SQLite is
opened through a ``mode=ro`` URI with ``PRAGMA query_only`` on top; PostgreSQL sessions start with
``default_transaction_read_only`` on. Neither migrates: a server that may run as a read-only database
user must not try, so an archive behind the code's schema is reported instead (`check_schema`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from archive.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine


class ArchiveNotReady(RuntimeError):
    """The archive cannot be served: absent, unreachable, or its schema is not the code's."""


def readonly_engine(database_url: str) -> Engine:
    """An engine on ``database_url`` whose connections cannot write."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_readonly(parsed)
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_read_only)
    return engine


def _sqlite_readonly(parsed: URL) -> Engine:
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser().resolve()
        # A URI, not a path: only a URI can say mode=ro. Quote what a URI would misread (?, #, %).
        parsed = URL.create(
            "sqlite+pysqlite",
            database=f"file:{quote(str(path))}",
            query={"mode": "ro", "uri": "true"},
        )
    engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_query_only)
    return engine


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


def check_schema(engine: Engine) -> None:
    """Raise `ArchiveNotReady` unless the archive answers and its schema is the newest one.

    The server does not migrate (see the module docstring); the daemon and ``kremlin-watch db
    upgrade`` do.
    """
    from sqlalchemy.exc import DBAPIError

    from archive.migrate import current_revision, head_revision

    try:
        current = current_revision(engine)
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ArchiveNotReady(f"cannot read the archive: {reason}") from None
    head = head_revision()
    if current != head:
        raise ArchiveNotReady(
            f"the archive's schema is {current or 'empty'}, this version needs {head}: "
            "run `kremlin-watch db upgrade` (or start the daemon) first"
        )
