"""How far the search index can be trusted right now: which item versions it does not cover.

A version (one ``(id, lang)`` row of ``item``) is covered when its `item_search` row is current.
Triggers on ``item`` (migrations 0004, 0006) put every new or changed version into
``item_search_queue``, and only a writer that indexed the current
content takes it out, so the uncovered items are simply: the queue, plus rows made by another
analyser (after an upgrade of pymorphy3 or of the index format). Reading that costs two small
queries, however large the archive — instead of comparing every row with its item per search.

If the triggers are gone (SQLite's batch migrations re-create a table they alter, without its
triggers) the queue proves nothing: the index is then not used at all and every item is matched,
which is slow but right, and a warning says why.

The two language versions of an item are indexed, covered and searched each on its own: an item is
found by the words of either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from archive.backends import backend_for
from archive.export import VersionKey
from archive.models import ItemSearch, ItemSearchQueue, ItemSearchToken
from search.terms import ANALYSER

logger = logging.getLogger(__name__)

SEARCH = ItemSearch.__table__  # type: ignore[attr-defined]
QUEUE = ItemSearchQueue.__table__  # type: ignore[attr-defined]
TOKEN = ItemSearchToken.__table__  # type: ignore[attr-defined]
#: The triggers that keep the queue in step, on every backend (see migration 0004), by table.
_QUEUE_TRIGGERS = (("item", ("item_search_enqueue_insert", "item_search_enqueue_update")),)
#: The triggers the index depends on, by the backend's kind of full-text index: FTS5 is a table of
#: its own that triggers keep in step; PostgreSQL's tsvector columns are generated and need none.
TRIGGERS = {
    "fts5": (
        *_QUEUE_TRIGGERS,
        (
            "item_search",
            (
                "item_search_fts_insert",
                "item_search_fts_delete",
                "item_search_fts_update",
                "item_search_pos_insert",
                "item_search_pos_delete",
                "item_search_pos_update",
            ),
        ),
    ),
    "tsvector": _QUEUE_TRIGGERS,
}


@dataclass(frozen=True)
class Coverage:
    """What the index does not cover: the ``lagging`` versions, ``(id, lang)`` (a row of theirs may
    still be in the full-text index, with old content that must not count). ``usable`` is False when
    the index cannot be trusted at all (triggers missing)."""

    usable: bool
    lagging: frozenset[VersionKey] = frozenset()


def triggers_present(connection: Connection) -> bool:
    """Whether the triggers the queue and the full-text index depend on exist and are enabled."""
    backend = backend_for(connection)
    return all(
        set(names) <= backend.enabled_triggers(connection, table)
        for table, names in TRIGGERS[backend.full_text]
    )


def other_analyser(connection: Connection) -> bool:
    """Whether any row was made by another analyser (two index lookups: min, then max — SQLite
    only uses the index for a lone min() or max())."""
    low = connection.execute(select(func.min(SEARCH.c.analyser))).scalar()
    if low is None:
        return False
    return low != ANALYSER or connection.execute(select(func.max(SEARCH.c.analyser))).scalar() != ANALYSER


def queued(connection: Connection) -> set[VersionKey]:
    """The versions in the queue: new or changed since they were indexed."""
    return {(row.item_id, row.lang) for row in connection.execute(select(QUEUE.c.item_id, QUEUE.c.lang))}


def of_other_analyser(connection: Connection) -> set[VersionKey]:
    """The versions whose row another analyser made."""
    other = (SEARCH.c.analyser < ANALYSER) | (SEARCH.c.analyser > ANALYSER)  # uses the index
    statement = select(SEARCH.c.item_id, SEARCH.c.lang).where(other)
    return {(row.item_id, row.lang) for row in connection.execute(statement)}


def read_coverage(engine: Engine) -> Coverage:
    """The index's coverage now (read-only; one short transaction)."""
    with engine.connect() as connection:
        if not triggers_present(connection):
            logger.warning(
                "search index: the triggers of migration 0004 are missing, so every item is matched "
                "one by one; re-create them (see archive/migrations/versions/0004_search_index.py)"
            )
            return Coverage(usable=False)
        lagging = queued(connection)
        if other_analyser(connection):
            lagging.update(of_other_analyser(connection))
    return Coverage(usable=True, lagging=frozenset(lagging))
