"""How far the search index can be trusted right now: which items it does not cover.

An item is covered when its `item_search` row is current. Triggers on ``item`` (migration 0004) put
every new or changed item into ``item_search_queue``, and only a writer that indexed the current
content takes it out, so the uncovered items are simply: the queue, plus rows made by another
analyser (after an upgrade of pymorphy3 or of the index format). Reading that costs two small
queries, however large the archive — instead of comparing every row with its item per search.

If the triggers are gone (SQLite's batch migrations re-create a table they alter, without its
triggers) the queue proves nothing: the index is then not used at all and every item is matched,
which is slow but right, and a warning says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select, text

from archive.models import ItemSearch, ItemSearchQueue
from search.terms import ANALYSER

logger = logging.getLogger(__name__)

SEARCH = ItemSearch.__table__  # type: ignore[attr-defined]
QUEUE = ItemSearchQueue.__table__  # type: ignore[attr-defined]
#: The triggers that keep the queue and SQLite's full-text table in step (see migration 0004).
SQLITE_TRIGGERS = (
    "item_search_enqueue_insert",
    "item_search_enqueue_update",
    "item_search_fts_insert",
    "item_search_fts_delete",
    "item_search_fts_update",
)
POSTGRES_TRIGGERS = ("item_search_enqueue_insert", "item_search_enqueue_update")


@dataclass(frozen=True)
class Coverage:
    """What the index does not cover: the ``lagging`` item ids (a row of theirs may still be in the
    full-text index, with old content that must not count). ``usable`` is False when the index
    cannot be trusted at all (triggers missing)."""

    usable: bool
    lagging: frozenset[int] = frozenset()
    #: True when some rows were made by another analyser (`IndexWriter.update` redoes them).
    other_analyser: bool = False


def triggers_present(connection: Connection) -> bool:
    """Whether the triggers the queue depends on exist (and, on PostgreSQL, are enabled)."""
    if connection.dialect.name == "postgresql":
        statement = text(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('item')"
            " AND tgname = ANY(:names) AND tgenabled <> 'D'"
        ).bindparams(names=list(POSTGRES_TRIGGERS))
        return connection.execute(statement).scalar_one() == len(POSTGRES_TRIGGERS)
    names = ", ".join(f"'{name}'" for name in SQLITE_TRIGGERS)
    statement = text(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})")
    return connection.execute(statement).scalar_one() == len(SQLITE_TRIGGERS)


def other_analyser(connection: Connection) -> bool:
    """Whether any row was made by another analyser (two index lookups: min, then max — SQLite
    only uses the index for a lone min() or max())."""
    low = connection.execute(select(func.min(SEARCH.c.analyser))).scalar()
    if low is None:
        return False
    return low != ANALYSER or connection.execute(select(func.max(SEARCH.c.analyser))).scalar() != ANALYSER


def read_coverage(engine: Engine) -> Coverage:
    """The index's coverage now (read-only; one short transaction)."""
    with engine.connect() as connection:
        if not triggers_present(connection):
            logger.warning(
                "search index: the triggers of migration 0004 are missing, so every item is matched "
                "one by one; re-create them (see archive/migrations/versions/0004_search_index.py)"
            )
            return Coverage(usable=False)
        lagging = set(connection.execute(select(QUEUE.c.item_id)).scalars())
        mixed = other_analyser(connection)
        if mixed:
            other = (SEARCH.c.analyser < ANALYSER) | (SEARCH.c.analyser > ANALYSER)  # uses the index
            lagging.update(connection.execute(select(SEARCH.c.item_id).where(other)).scalars())
    return Coverage(usable=True, lagging=frozenset(lagging), other_analyser=mixed)
