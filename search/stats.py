"""Counts of archived items by month, kind, person or geography tag, and of calls by country,
counterpart or initiative (read-only).

Counted from ``item`` itself, not from the search index, so they never lag; the call counts from the
call records (``call``, `calls.ledger`). Months are Moscow calendar months (``YYYY-MM``; an item at
23:30 UTC on 31 January is a February item), and the days of ``since`` / ``until`` are Moscow days,
both inclusive, as everywhere. A person or geography tag counts once per item that lists it; a
country (ISO code, ``EU``, ``RU``) or counterpart once per call with it; ``initiative`` counts each
side that asked for a call (a call two partners asked for counts for both), and `NOT_STATED` the
calls whose page does not say. Months and list entries are worked out in Python, the same way on
SQLite and PostgreSQL (SQLite knows no time zones), which for 100,000 items takes a fraction of a
second.

An item is counted once, however many language versions the archive holds of it: by its primary
version (the Russian one when held, else the English one), whose kind, date and tags count; a call
likewise by the primary one of its call records (``call`` has one per version). Asked for a language
(``lang``), the counts are of the versions in that language instead.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from types import MappingProxyType

from sqlalchemy import ColumnElement, Connection, Engine, Table, and_, exists, func, or_, select

from archive.export import published_within
from archive.models import CallEntry
from archive.vocabulary import LANGS, MOSCOW
from search.index import ITEM

#: What `counts` can count by.
STATS_BY = ("month", "kind", "person", "geography", "country", "counterpart", "initiative")
#: Counted from a list column of ``item``.
_LIST_COLUMN = {"person": "persons", "geography": "geography"}
#: Counted from a list column of the call records.
_CALL_COLUMN = MappingProxyType(
    {"country": "countries", "counterpart": "counterparts", "initiative": "initiated_by"}
)
#: What counts calls, not items.
CALL_STATS = tuple(_CALL_COLUMN)
#: The ``initiative`` label of calls whose page does not say who asked for them.
NOT_STATED = "not stated"
CALL = CallEntry.__table__  # type: ignore[attr-defined]
#: The language of an item's primary version: the one counted when an item has several.
PRIMARY_LANG = LANGS[0]


def counts(
    engine: Engine,
    by: str,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    lang: str | None = None,
) -> list[tuple[str, int]]:
    """(label, count) pairs: months in calendar order with empty months filled in (the newest
    ``limit`` months); the others largest first, then by name (the first ``limit``). Items without a
    publication time are not counted by month. Each item (call) counts once, by its primary version
    (record); with ``lang``, the versions in that language count."""
    if by not in STATS_BY:
        raise ValueError(f"cannot count by {by!r} (use {', '.join(STATS_BY)})")
    window = _window(since, until)
    if by in _CALL_COLUMN:
        with engine.connect() as connection:
            calls = _largest(_call_tally(connection, by, [*window, _one_per_id(CALL, "item_id", lang)]))
        return calls[:limit] if limit else calls
    conditions = [*window, _one_per_id(ITEM, "id", lang)]
    with engine.connect() as connection:
        if by == "kind":
            rows = connection.execute(
                select(ITEM.c.kind, func.count()).where(*conditions).group_by(ITEM.c.kind)
            )
            found: list[tuple[str, int]] = _largest(Counter({kind: count for kind, count in rows}))
        elif by == "month":
            moments = connection.execute(
                select(ITEM.c.published_at).where(ITEM.c.published_at.is_not(None), *conditions)
            ).scalars()
            found = _months(Counter(moment.astimezone(MOSCOW).strftime("%Y-%m") for moment in moments))
            return found[-limit:] if limit else found
        else:
            column = ITEM.c[_LIST_COLUMN[by]]
            tally: Counter[str] = Counter()
            for entries in connection.execute(select(column).where(*conditions)).scalars():
                tally.update({entry.strip() for entry in entries or () if entry and entry.strip()})
            found = _largest(tally)
    return found[:limit] if limit else found


def _call_tally(connection: Connection, by: str, conditions: list[ColumnElement[bool]]) -> Counter[str]:
    """Calls per country, counterpart name or initiating side, from the call records."""
    column = CALL.c[_CALL_COLUMN[by]]
    calls = CALL.join(ITEM, and_(ITEM.c.id == CALL.c.item_id, ITEM.c.lang == CALL.c.lang))
    rows = connection.execute(select(column).select_from(calls).where(*conditions)).scalars()
    tally: Counter[str] = Counter()
    for entries in rows:
        if by == "counterpart":
            labels = {str(entry["name"]).strip() for entry in entries or () if entry.get("name")}
        else:
            labels = {str(entry) for entry in entries or () if entry}
        if by == "initiative" and not labels:
            labels = {NOT_STATED}
        tally.update(labels - {""})
    return tally


def _one_per_id(rows: Table, id_name: str, lang: str | None) -> ColumnElement[bool]:
    """Rows of ``rows`` (``item`` or ``call``, keyed ``(id_name, lang)``) in ``lang``; without one,
    one row per id: the primary language's when there is one, else the id's only other row."""
    if lang is not None:
        return rows.c.lang == lang
    twin = rows.alias("twin")
    has_primary = exists().where(twin.c[id_name] == rows.c[id_name], twin.c.lang == PRIMARY_LANG)
    return or_(rows.c.lang == PRIMARY_LANG, ~has_primary)


def _window(since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    return published_within(ITEM.c.published_at, since, until)


def _largest(tally: Counter[str]) -> list[tuple[str, int]]:
    return sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))


def _months(tally: Counter[str]) -> list[tuple[str, int]]:
    """Every month from the first to the last with an item, in order, zero where none."""
    if not tally:
        return []
    first, last = min(tally), max(tally)
    year, month = int(first[:4]), int(first[5:])
    found = []
    while True:
        label = f"{year:04d}-{month:02d}"
        found.append((label, tally.get(label, 0)))
        if label >= last:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
