"""Keeping the search index current: one `item_search` row per item version (``(id, lang)``),
rewritten when the version changes.

The index is maintained incrementally and never needed for correctness: a search treats an item the
index does not cover (`search.coverage`) as "not indexed" and matches it one by one. So indexing
runs whenever convenient — after every crawl (`scheduler.check.CheckRunner`), before a command-line
search (`kremlin-watch search`) — and never on a read-only web server.

Which versions need work is known without comparing rows: triggers on ``item`` queue every new or
changed version in ``item_search_queue`` (migrations 0004, 0006). A writer analyses a version, then,
in one transaction that first locks it (``FOR SHARE`` on PostgreSQL; SQLite's writers take the
database lock), writes the row and takes the version off the queue *only if it is still what was
analysed*. A version changed meanwhile stays queued; two writers racing cannot leave an old analysis
looking current. The Russian and English versions of an item are two rows, each with its own words
and its own sort key (`search.terms.sort_key`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, delete, false, or_, select

from archive.backends import backend_for
from archive.export import VersionKey
from archive.models import Item
from archive.types import utcnow
from query.document import FIELDS
from query.morphology import Lemmatizer
from search.coverage import QUEUE, SEARCH, TOKEN, of_other_analyser, other_analyser, queued, triggers_present
from search.terms import ANALYSER, TermAnalyser, folded_entries, sort_key

ITEM = Item.__table__  # type: ignore[attr-defined]
#: Items analysed and written per transaction: large enough to amortise the round trips, small
#: enough that the write lock (SQLite) is held only briefly.
BATCH = 500
#: After indexing at least this many items, the planner's statistics are refreshed (PostgreSQL's;
#: SQLite's planner is left as it was: it picks these indexes without statistics).
ANALYZE_AFTER = 1000
_STATE = ("version", "content_hash", "kind", "lang")
#: Compound tokens (``сталь_стать``) and the lemmas each holds, as `search.terms.TermAnalyser` keeps them.
_Compounds = dict[str, tuple[str, ...]]


class IndexWriter:
    """Writes `item_search` rows; the backend's full-text index follows by trigger or generation."""

    def __init__(
        self,
        engine: Engine,
        lemmatizer: Lemmatizer | None = None,
        batch: int = BATCH,
        cache_words: int | None = None,
    ) -> None:
        """``cache_words`` bounds the analyser's word → terms cache (a daemon's grows with the
        vocabulary it meets for months); None keeps `TermAnalyser`'s default."""
        self.engine = engine
        self.lemmatizer = lemmatizer if lemmatizer is not None else Lemmatizer()
        self.analyser = TermAnalyser(self.lemmatizer, maxsize=cache_words)
        self.batch = batch
        #: PostgreSQL takes positions as tsvector text, SQLite as FTS5 tokens (`search.terms.Positional`).
        self._tsvector = backend_for(engine).full_text == "tsvector"
        #: Compound tokens this writer has recorded in ``item_search_token`` (SQLite).
        self._known_tokens: set[str] = set()

    def pending(self) -> int:
        """How many item versions the index does not cover."""
        return len(self._pending())

    def update(self, progress: Callable[[int], None] | None = None) -> int:
        """Index every version the index does not cover, in batches; returns how many were written.

        ``progress`` is called with the running count after each batch. Each version is tried once
        per call, so a version that keeps changing cannot keep the loop going.

        Reading and analysing a batch (Python) overlaps with writing the one before it (the database
        library, which lets go of the GIL while the database works): one writer thread takes the
        analysed batches in order, one transaction each. A batch not written (a crash, a failed
        write, whose error ends the call here) stays queued for the next call.
        """
        done = 0
        for count in self._written_batches(self._pending()):
            done += count
            if progress is not None:
                progress(done)
        if done >= ANALYZE_AFTER:
            backend_for(self.engine).refresh_statistics(self.engine, "item_search")
        return done

    def _written_batches(self, keys: Sequence[VersionKey]) -> Iterator[int]:
        """How many versions each batch of ``keys`` wrote, in order, as each write ends. Batch N+1 is
        read and analysed here while the writer thread writes batch N; its compound tokens count as
        recorded (`_known_tokens`) only once its write has ended."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-writer") as writer:
            in_flight: list[tuple[Future[int], _Compounds]] = []
            for start in range(0, len(keys), self.batch):
                analysed, compounds = self._analyse(keys[start : start + self.batch])
                in_flight.append((writer.submit(self._store, analysed, compounds), compounds))
                if len(in_flight) > 1:
                    yield self._settle(*in_flight.pop(0))
            for written in in_flight:
                yield self._settle(*written)

    def _settle(self, written: Future[int], compounds: _Compounds) -> int:
        """Wait for one batch's write; only then are its compound tokens known to be recorded."""
        count = written.result()
        self._known_tokens.update(compounds)
        return count

    def _pending(self) -> list[VersionKey]:
        with self.engine.connect() as connection:
            if not triggers_present(connection):
                # No triggers, no trustworthy queue: compare every row with its item version.
                current = and_(*(SEARCH.c[_row_column(name)] == ITEM.c[name] for name in _STATE))
                joined = ITEM.outerjoin(
                    SEARCH, and_(SEARCH.c.item_id == ITEM.c.id, SEARCH.c.lang == ITEM.c.lang)
                )
                statement = (
                    select(ITEM.c.id, ITEM.c.lang)
                    .select_from(joined)
                    .where(or_(SEARCH.c.item_id.is_(None), ~current, SEARCH.c.analyser != ANALYSER))
                )
                return sorted((row.id, row.lang) for row in connection.execute(statement))
            keys = queued(connection)
            if other_analyser(connection):
                keys.update(of_other_analyser(connection))
        return sorted(keys)

    def _analyse(self, keys: Sequence[VersionKey]) -> tuple[dict[VersionKey, dict[str, Any]], _Compounds]:
        """Read and analyse one batch: its rows by version, and the compound tokens not yet recorded."""
        columns = [ITEM.c.id, ITEM.c.published_at, *(ITEM.c[name] for name in _STATE)]
        columns += [ITEM.c[name] for name in FIELDS]
        with self.engine.connect() as connection:
            # Beside the writer thread's transaction, not behind it.
            backend_for(self.engine).only_reading(connection)
            rows = connection.execute(select(*columns).where(versions_in(ITEM.c.id, ITEM.c.lang, keys))).all()
        analysed = {(row.id, row.lang): self._row(row) for row in rows}
        if not analysed:  # nothing to write, so no tokens either: they must not count as recorded
            return analysed, {}
        known = self._known_tokens
        compounds = {token: lemmas for token, lemmas in self.analyser.compounds.items() if token not in known}
        return analysed, compounds

    def _store(self, analysed: dict[VersionKey, dict[str, Any]], compounds: _Compounds) -> int:
        """Write one analysed batch in one transaction, keeping only versions still as analysed."""
        if not analysed:
            return 0
        tokens = [{"lemma": lemma, "token": token} for token, lemmas in compounds.items() for lemma in lemmas]
        backend = backend_for(self.engine)
        state = (ITEM.c.id, *(ITEM.c[name] for name in _STATE))
        lock = select(*state).where(versions_in(ITEM.c.id, ITEM.c.lang, list(analysed)))
        with self.engine.begin() as connection:
            now = connection.execute(lock.with_for_update(read=True)).all()
            fresh = [
                analysed[row.id, row.lang]
                for row in now
                if all(analysed[row.id, row.lang][_row_column(name)] == getattr(row, name) for name in _STATE)
            ]
            if fresh:
                # Oldest first: FTS5 starts a new segment whenever a rowid is not above the last one.
                fresh.sort(key=itemgetter("sort_key"))
                backend.upsert(connection, SEARCH, fresh, key=("item_id", "lang"))
                written = [(values["item_id"], values["lang"]) for values in fresh]
                connection.execute(delete(QUEUE).where(versions_in(QUEUE.c.item_id, QUEUE.c.lang, written)))
            if tokens:
                connection.execute(backend.insert(TOKEN).on_conflict_do_nothing(), tokens)
        return len(fresh)

    def _row(self, row: Any) -> dict[str, Any]:
        """The `item_search` values for one item version."""
        values = {name: getattr(row, name) for name in FIELDS}
        lemmas, forms, positions = self.analyser.analyse(values, tsvector=self._tsvector)
        return {
            "item_id": row.id,
            "sort_key": sort_key(row.published_at, row.id, row.lang),
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
            "title_terms": positions.title,
            "body_terms": positions.body,
            "vector": positions.vector,
            "pairs": positions.pairs,
            "capped": positions.capped,
        }


def versions_in(
    id_column: ColumnElement[Any], lang_column: ColumnElement[Any], keys: Sequence[VersionKey]
) -> ColumnElement[bool]:
    """``(id, lang)`` is one of ``keys``: per language an ``id IN (...)`` (which the primary key's
    index answers on both backends), OR-ed. Callers keep ``keys`` to a batch or a chunk."""
    by_lang: dict[str, list[int]] = {}
    for item_id, lang in keys:
        by_lang.setdefault(lang, []).append(item_id)
    if not by_lang:
        return false()
    return or_(*(and_(lang_column == lang, id_column.in_(ids)) for lang, ids in sorted(by_lang.items())))


def _row_column(name: str) -> str:
    """The `item_search` column that keeps the item's ``name`` as it was indexed."""
    return "item_version" if name == "version" else name
