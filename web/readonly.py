"""A read-only engine on the archive, for the web side.

The web server only reads, and it faces the network: opening the archive so that the database itself
refuses writes means no bug in a handler (or in code it calls) can change the archive. SQLite is
opened through a ``mode=ro`` URI with ``PRAGMA query_only`` on top; PostgreSQL sessions start with
``default_transaction_read_only`` on (see `archive.backends`). Neither migrates: a server that may
run as a read-only database user must not try, so an archive behind the code's schema is reported
instead (`check_schema`).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from archive.backends import backend_for


class ArchiveNotReady(RuntimeError):
    """The archive cannot be served: absent, unreachable, or its schema is not the code's."""


def readonly_engine(database_url: str) -> Engine:
    """An engine on ``database_url`` whose connections cannot write."""
    parsed = make_url(database_url)
    return backend_for(parsed).readonly_engine(parsed)


def check_schema(engine: Engine) -> None:
    """Raise `ArchiveNotReady` unless the archive answers and its schema is the newest one.

    The server does not migrate (see the module docstring); the daemon and ``kremlin-watch db
    upgrade`` do.
    """
    from sqlalchemy.exc import DBAPIError

    from archive.migrate import SchemaTooNew, check_known, current_revision, head_revision

    try:
        current = current_revision(engine)
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ArchiveNotReady(f"cannot read the archive: {reason}") from None
    try:
        check_known(current)
    except SchemaTooNew as error:
        raise ArchiveNotReady(str(error)) from None
    head = head_revision()
    if current != head:
        raise ArchiveNotReady(
            f"the archive's schema is {current or 'empty'}, this version needs {head}: "
            "run `kremlin-watch db upgrade` (or start the daemon) first"
        )
