"""Keeping the search index current: one `item_search` row per item, rewritten when the item changes.

The index is maintained incrementally and never needed for correctness: a search treats an item the
index does not cover (`search.coverage`) as "not indexed" and matches it one by one. So indexing
runs whenever convenient — after every crawl (`scheduler.check.CheckRunner`), before a command-line
search (`kremlin-watch search`) — and never on a read-only web server.

Which items need work is known without comparing rows: triggers on ``item`` queue every new or
changed item in ``item_search_queue`` (migration 0004). A writer analyses an item, then, in one
transaction that first locks the item (``FOR SHARE`` on PostgreSQL; SQLite's writers take the
database lock), writes the row and takes the item off the queue *only if the item is still what was
analysed*. An item changed meanwhile stays queued; two writers racing cannot leave an old analysis
looking current.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select

from archive.backends import backend_for
from archive.models import Item
from archive.types import utcnow
from query.document import FIELDS
from query.morphology import Lemmatizer
from search.coverage import QUEUE, SEARCH, other_analyser, triggers_present
from search.terms import ANALYSER, TermAnalyser, folded_entries, sort_key

ITEM = Item.__table__  # type: ignore[attr-defined]
#: Items analysed and written per transaction: large enough to amortise the round trips, small
#: enough that the write lock (SQLite) is held only briefly.
BATCH = 500
#: After indexing at least this many items, the planner's statistics are refreshed (PostgreSQL's;
#: SQLite's planner is left as it was: it picks these indexes without statistics).
ANALYZE_AFTER = 1000
_STATE = ("version", "content_hash", "kind", "lang")


class IndexWriter:
    """Writes `item_search` rows; the backend's full-text index follows by trigger or generation."""

    def __init__(self, engine: Engine, lemmatizer: Lemmatizer | None = None, batch: int = BATCH) -> None:
        self.engine = engine
        self.lemmatizer = lemmatizer if lemmatizer is not None else Lemmatizer()
        self.analyser = TermAnalyser(self.lemmatizer)
        self.batch = batch

    def pending(self) -> int:
        """How many items the index does not cover."""
        return len(self._pending_ids())

    def update(self, progress: Callable[[int], None] | None = None) -> int:
        """Index every item the index does not cover, in batches; returns how many were written.

        ``progress`` is called with the running count after each batch. Each item is tried once per
        call, so an item that keeps changing cannot keep the loop going.
        """
        ids = self._pending_ids()
        done = 0
        for start in range(0, len(ids), self.batch):
            done += self._write(ids[start : start + self.batch])
            if progress is not None:
                progress(done)
        if done >= ANALYZE_AFTER:
            backend_for(self.engine).refresh_statistics(self.engine, "item_search")
        return done

    def _pending_ids(self) -> list[int]:
        with self.engine.connect() as connection:
            if not triggers_present(connection):
                # No triggers, no trustworthy queue: compare every row with its item.
                current = and_(*(SEARCH.c[_row_column(name)] == ITEM.c[name] for name in _STATE))
                statement = (
                    select(ITEM.c.id)
                    .select_from(ITEM.outerjoin(SEARCH, SEARCH.c.item_id == ITEM.c.id))
                    .where(or_(SEARCH.c.item_id.is_(None), ~current, SEARCH.c.analyser != ANALYSER))
                )
                return sorted(connection.execute(statement).scalars())
            ids = set(connection.execute(select(QUEUE.c.item_id)).scalars())
            if other_analyser(connection):
                ids.update(
                    connection.execute(
                        select(SEARCH.c.item_id).where(SEARCH.c.analyser != ANALYSER)
                    ).scalars()
                )
        return sorted(ids)

    def _write(self, ids: Sequence[int]) -> int:
        columns = [ITEM.c.id, ITEM.c.published_at, *(ITEM.c[name] for name in _STATE)]
        columns += [ITEM.c[name] for name in FIELDS]
        with self.engine.connect() as connection:
            rows = connection.execute(select(*columns).where(ITEM.c.id.in_(ids))).all()
        analysed = {row.id: self._row(row) for row in rows}
        if not analysed:
            return 0
        insert = backend_for(self.engine).insert(SEARCH)
        upsert = insert.on_conflict_do_update(
            index_elements=["item_id"],
            set_={name: insert.excluded[name] for name in next(iter(analysed.values())) if name != "item_id"},
        )
        lock = select(ITEM.c.id, *(ITEM.c[name] for name in _STATE)).where(ITEM.c.id.in_(list(analysed)))
        with self.engine.begin() as connection:
            now = connection.execute(lock.with_for_update(read=True)).all()
            fresh = [
                analysed[row.id]
                for row in now
                if all(analysed[row.id][_row_column(name)] == getattr(row, name) for name in _STATE)
            ]
            if fresh:
                connection.execute(upsert, fresh)
                written = [values["item_id"] for values in fresh]
                connection.execute(delete(QUEUE).where(QUEUE.c.item_id.in_(written)))
        return len(fresh)

    def _row(self, row: Any) -> dict[str, Any]:
        """The `item_search` values for one item row."""
        lemmas, forms = self.analyser.terms({name: getattr(row, name) for name in FIELDS})
        return {
            "item_id": row.id,
            "sort_key": sort_key(row.published_at, row.id),
            "published_at": row.published_at,
            "kind": row.kind,
            "lang": row.lang,
            "persons": folded_entries(row.persons),
            "topics": folded_entries(row.topics),
            "item_version": row.version,
            "content_hash": row.content_hash,
            "analyser": ANALYSER,
            "indexed_at": utcnow(),
            "lemmas": " ".join(lemmas),
            "forms": " ".join(forms),
        }


def _row_column(name: str) -> str:
    """The `item_search` column that keeps the item's ``name`` as it was indexed."""
    return "item_version" if name == "version" else name
