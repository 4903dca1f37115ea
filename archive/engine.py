"""Opening the archive: an engine set up for its backend, SQLite or PostgreSQL (`archive.backends`)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from archive.backends import backend_for


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and write-locking transactions."""
    parsed = make_url(url)
    return backend_for(parsed).engine(parsed)
