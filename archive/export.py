"""Reading the archive out: item objects as JSON, JSON lines or CSV, filtered by Moscow calendar days."""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import IO, Any

from sqlalchemy import ColumnElement, Engine, select
from sqlmodel import Session

from archive.models import Item
from archive.vocabulary import moscow_day_start

FORMATS = ("jsonl", "json", "csv")
#: The fields of an exported item, in this order (also the CSV header).
EXPORT_FIELDS = (
    "id",
    "url",
    "lang",
    "section",
    "kind",
    "title",
    "lead",
    "text",
    "published_at",
    "place",
    "topics",
    "geography",
    "persons",
    "first_seen_at",
    "updated_at",
    "version",
    "details_pending",
    # Withdrawn by the site (its page answered 404/410) since, and when its page is asked for again.
    "gone_at",
    "gone_retry_at",
)


def item_object(item: Item) -> dict[str, Any]:
    """An item as the JSON object every reader prints (times ISO 8601 in UTC with their offset)."""
    data: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = getattr(item, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def published_within(
    column: ColumnElement[datetime], since: date | None, until: date | None
) -> list[ColumnElement[bool]]:
    """Conditions on a publication time ``column`` for [since, until], Moscow days, both inclusive
    (an item at 23:30 UTC on 30 December is on 31 December). Export, search, statistics and the call
    ledger all filter days this way."""
    conditions = []
    if since is not None:
        conditions.append(column >= moscow_day_start(since))
    if until is not None:
        conditions.append(column < moscow_day_start(until + timedelta(days=1)))
    return conditions


#: One language version of an item: ``(id, lang)``, the key of `Item`.
VersionKey = tuple[int, str]


def load_items(engine: Engine, keys: Sequence[VersionKey]) -> dict[VersionKey, Item]:
    """The item versions with these ``(id, lang)`` keys, by key, detached from their session."""
    if not keys:
        return {}
    ids = sorted({item_id for item_id, _lang in keys})
    wanted = set(keys)
    with Session(engine) as session:
        rows = session.exec(select(Item).where(Item.id.in_(ids))).scalars()  # type: ignore[call-overload,attr-defined]
        items = {(item.id, item.lang): item for item in rows if (item.id, item.lang) in wanted}
        for item in items.values():
            session.expunge(item)
    return items


def load_versions(engine: Engine, ids: Sequence[int]) -> dict[int, dict[str, Item]]:
    """Every language version of these items: id -> {lang: item}, detached (one query)."""
    if not ids:
        return {}
    found: dict[int, dict[str, Item]] = {}
    with Session(engine) as session:
        rows = session.exec(select(Item).where(Item.id.in_(list(set(ids))))).scalars()  # type: ignore[call-overload,attr-defined]
        for item in rows:
            session.expunge(item)
            found.setdefault(item.id, {})[item.lang] = item
    return found


#: Versions read per query when streaming (`iter_items`, `iter_versions`).
STREAM_CHUNK = 500


def _oldest_first(statement: Any, since: date | None, until: date | None, lang: str | None) -> Any:
    """``statement`` limited to [since, until] and ``lang``, oldest first (the Russian version before
    the English one of the same item): the order of every stream of versions."""
    statement = statement.where(*published_within(Item.published_at, since, until))  # type: ignore[arg-type]
    if lang is not None:
        statement = statement.where(Item.lang == lang)  # type: ignore[arg-type]
    return statement.order_by(Item.published_at, Item.id, Item.lang.desc())  # type: ignore[arg-type,attr-defined]


def iter_items(
    engine: Engine, since: date | None = None, until: date | None = None, lang: str | None = None
) -> Iterator[Item]:
    """Item versions published within [since, until] (Moscow days, both inclusive), in ``lang`` when
    given, oldest first (the Russian version before the English one of the same item), streamed."""
    statement = _oldest_first(select(Item), since, until, lang)
    with Session(engine) as session:
        yield from session.exec(statement.execution_options(yield_per=STREAM_CHUNK)).scalars()  # type: ignore[call-overload]


def iter_versions(
    engine: Engine, keys: Collection[VersionKey], since: date | None = None, until: date | None = None
) -> Iterator[Item]:
    """The versions among ``keys`` that `iter_items` would give, in its order, streamed: only their
    keys are read in order, then the versions themselves a chunk at a time. A caller that knows
    which versions can matter (`kremlin-watch rules test`, from the search index) reads only those."""
    wanted = set(keys)
    if not wanted:
        return
    statement = _oldest_first(select(Item.id, Item.lang), since, until, None)  # type: ignore[call-overload]
    with engine.connect() as connection:
        ordered = [
            (row.id, row.lang) for row in connection.execute(statement) if (row.id, row.lang) in wanted
        ]
    for start in range(0, len(ordered), STREAM_CHUNK):
        chunk = ordered[start : start + STREAM_CHUNK]
        items = load_items(engine, chunk)
        yield from (items[key] for key in chunk if key in items)


def write_export(items: Iterator[Item], out: IO[str], fmt: str) -> int:
    """Write items in ``fmt``; returns how many were written."""
    count = 0
    if fmt == "jsonl":
        for item in items:
            out.write(json.dumps(item_object(item), ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "json":
        out.write("[")
        for item in items:
            out.write(("," if count else "") + "\n" + json.dumps(item_object(item), ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for item in items:
            row = item_object(item)
            for name in ("topics", "geography", "persons"):
                row[name] = "; ".join(row[name] or [])
            writer.writerow(row)
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    return count
