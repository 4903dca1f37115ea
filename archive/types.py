"""Column types shared by the archive's tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from archive.backends import backend_for


class UTCDateTime(TypeDecorator[datetime]):
    """An aware-UTC timestamp on every backend.

    SQLite keeps no offset, so a plain ``DateTime`` comes back naive there and aware on PostgreSQL;
    comparing the two raises. Every value is stored as UTC and returned aware, so callers never see
    the difference.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the archive stores aware UTC times only")
        return backend_for(dialect).stored_time(value.astimezone(UTC))

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as aware UTC (the only kind of time the archive accepts)."""
    return datetime.now(UTC)
