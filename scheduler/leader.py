"""Who may check and send: one daemon per archive.

PostgreSQL: a session advisory lock, held on a connection of its own for as long as the daemon leads.
A second daemon waits as a standby and tries again every few seconds; when the leader dies its
connection closes, the lock goes with it, and the standby takes over well within one interval.

SQLite: the archive is a file on one machine, so a second daemon is a mistake, not a standby: it
refuses to start, naming the process that holds the archive.

One class per backend, registered by the backend's name (`archive.backends`); the daemon asks the
one it gets (`Leadership.standby`) instead of the database's name.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, ClassVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from archive.backends import backend_for


class ArchiveInUse(RuntimeError):
    """Another daemon holds this SQLite archive."""


class Leadership:
    """``try_acquire()`` until it says True; ``still_held()`` to notice a lost lock; ``release()``."""

    #: The backend (`archive.backends.Backend.name`) this lock is for.
    backend: ClassVar[str]
    #: True: a second daemon waits as a standby and must watch for the lock; False: the lock is
    #: taken once at start, and a second daemon is refused (`try_acquire` raises `ArchiveInUse`).
    standby: ClassVar[bool]

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def still_held(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class PostgresLeadership(Leadership):
    """A PostgreSQL advisory lock named after the archive's schema (several archives, one server)."""

    backend = "postgresql"
    standby = True
    _KEY = "hashtext('kremlin-watch-leader:' || current_schema())"

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.connection: Connection | None = None

    def try_acquire(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect()
        try:
            held = bool(self.connection.execute(text(f"SELECT pg_try_advisory_lock({self._KEY})")).scalar())
            self.connection.commit()
        except Exception:  # the connection broke: drop it and try afresh next time
            self._drop()
            return False
        return held

    def still_held(self) -> bool:
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
        except Exception:  # a dead connection has lost the lock with it
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(text(f"SELECT pg_advisory_unlock({self._KEY})"))
                self.connection.commit()
            except Exception:  # closing the connection releases it anyway
                pass
            self._drop()

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.invalidate()
                self.connection.close()
            except Exception:  # already gone
                pass
            self.connection = None


class SqliteLeadership(Leadership):
    """An exclusive lock on ``<archive>.daemon.lock``, released by the kernel when the process dies."""

    backend = "sqlite"
    standby = False

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.database = make_url(str(engine.url)).database or ":memory:"
        self.path = Path(self.database + ".daemon.lock")
        self.handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ArchiveInUse(
                f"another kremlin-watch daemon ({holder}) is using the archive {self.database}; "
                "stop it first (SQLite archives take one daemon; use PostgreSQL for a standby)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self.handle = handle
        return True

    def still_held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


_BY_BACKEND: dict[str, type[Leadership]] = {
    kind.backend: kind for kind in (PostgresLeadership, SqliteLeadership)
}


def leadership_for(engine: Engine) -> Leadership:
    """The lock that fits the archive's backend."""
    return _BY_BACKEND[backend_for(engine).name](engine)
