"""Writing items into the archive: insert-or-merge keyed on the site's id and the page's language,
with revisions on edits. Each language version of an item (kremlin.ru and en.kremlin.ru share the
id) is a row of its own and follows the rules below by itself.

The rules, in order of how often they apply:

* an id the archive has never seen is inserted (``NEW``), whatever page it came from;
* a record from a less complete page than the stored row (a feed entry for an item whose own page was
  read) never overwrites content, it only refreshes ``site_updated_at``: feed text and page text are
  not the same rendering, and comparing them would invent edits. If it shows the item edited since
  (`archive.freshness`: a new title, a later time) the row's page is owed again (``details_pending``);
* a record that fills in what the stored row lacked (an article page for an item first seen in the
  feed) ``COMPLETED`` the row without a revision: nothing was edited, we just learnt more;
* an article record whose content differs from a stored article row is an edit: the old content is
  kept as an ``ItemRevision`` and the row is ``CHANGED``; an edit of typography only (quotes, dashes,
  spaces: `archive.typography`) is kept the same way, its revision flagged ``cosmetic``.

An item whose own page answers 404/410 has been withdrawn by the site: `mark_gone` keeps the row as
it is (from the feed, if that is all there was), notes when it was first seen withdrawn and when its
page is asked for again (`GONE_RETRIES`, then never). An article record for it later (the page is
back) clears the mark.

Concurrency: the insert is ``INSERT .. ON CONFLICT DO NOTHING``, and an edit is an update guarded by
the row's ``version``; a writer that loses either race reads the row again and decides anew, so two
crawls storing the same item at once never create two rows or two revisions.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, bindparam, or_, select, update
from sqlmodel import Session

from archive.backends import backend_for
from archive.freshness import says_changed
from archive.models import CrawlState, Item, ItemRevision, UrlState
from archive.records import CONTENT_FIELDS, SOURCES, ItemRecord, content_hash
from archive.types import utcnow
from archive.typography import cosmetic_change

logger = logging.getLogger(__name__)
_MAX_RACE_RETRIES = 5
#: How long after its 1st, 2nd, 3rd 404/410 a withdrawn item's page is asked for again; after the
#: last one it is never asked for again (the row stays, marked withdrawn).
GONE_RETRIES = (timedelta(hours=1), timedelta(hours=6), timedelta(hours=24))
#: What an article record for a withdrawn item writes: its page is back.
_NOT_GONE = {"gone_at": None, "gone_retry_at": None, "gone_checks": 0}
_Row = TypeVar("_Row", UrlState, CrawlState)
#: A hook run inside an item's transaction: (session, record, result).
BeforeCommit = Callable[[Session, ItemRecord, "StoreResult"], None]


class Outcome(enum.StrEnum):
    """What storing one record did to the archive."""

    NEW = "new"
    CHANGED = "changed"
    COMPLETED = "completed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class HeldItem:
    """What the crawler needs to know of an item the archive holds."""

    site_updated_at: datetime | None
    details_pending: bool
    first_seen_at: datetime
    #: When the item's page first answered 404/410, and when it is due again (None: never).
    gone_at: datetime | None = None
    gone_retry_at: datetime | None = None
    #: The stored title: a list or feed page showing another one shows an edit.
    title: str | None = None

    def wants_page(self, now: datetime) -> bool:
        """Whether the item's own page should be asked for now: not read yet, and not withdrawn
        unless its back-off is over."""
        if self.gone_at is not None:
            return self.gone_retry_at is not None and self.gone_retry_at <= now
        return self.details_pending

    def wants_page_for(self, record: ItemRecord, now: datetime) -> bool:
        """`wants_page`, or the list or feed ``record`` shows the item edited since it was stored
        (`archive.freshness`): its page is read again. A withdrawn item keeps its back-off
        whatever its entry shows."""
        if self.gone_at is not None:
            return self.wants_page(now)
        return self.details_pending or says_changed(record, self.title, self.site_updated_at)


@dataclass(frozen=True)
class StoreFailure:
    """A record of a batch that could not be stored (`ArchiveStore.store_batch`): it and what its
    hooks wrote were rolled back, the rest of the batch was not."""

    id: int
    lang: str
    #: The error, in one line: ``IntegrityError: …``.
    error: str


@dataclass(frozen=True)
class StoreResult:
    """The outcome of storing a record, with the row's version afterwards."""

    id: int
    outcome: Outcome
    version: int
    #: The language version stored (``ru`` or ``en``).
    lang: str
    #: A ``CHANGED`` version that differs from the one it replaced in typography only
    #: (`archive.typography`): kept as a revision flagged ``cosmetic``, never notified.
    cosmetic: bool = False


class ArchiveStore:
    """The archive's write side: items, validators of fetched URLs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert: Any = None

    def store(self, record: ItemRecord, before_commit: BeforeCommit | None = None) -> StoreResult:
        """Insert or merge one record; see the module docstring for the rules.

        ``before_commit(session, record, result)`` runs inside the item's own transaction, so what it
        writes (the alerts an item calls for) is committed together with the item or not at all: a
        crash between the two cannot leave an archived item that was never alerted.
        """
        for _attempt in range(_MAX_RACE_RETRIES):
            with Session(self.engine) as session:
                result = self._store_in(session, record, before_commit)
                if result is None:  # another writer got in first: read the row again, decide anew
                    session.rollback()
                    continue
                session.commit()
                return result
        raise RuntimeError(f"item {record.id}: lost the race to update it {_MAX_RACE_RETRIES} times")

    def store_batch(
        self, records: Sequence[ItemRecord], before_commit: BeforeCommit | None = None
    ) -> list[StoreResult | StoreFailure]:
        """Store ``records`` in ONE transaction, each inside a savepoint of its own; the outcome of
        each, in order.

        One commit for a page's worth of items instead of one each (on SQLite a commit is a write of
        the WAL and a lock taken and given up; on PostgreSQL a round trip and a flush). Each item
        with its ``before_commit`` writes (its call record, its outbox rows) is still all or nothing:
        an item that fails, in the store or in a hook, is rolled back to its savepoint alone, with
        whatever its hooks wrote; the others are committed. So an outbox row exists exactly for an
        item that is stored. A failed item is then tried once more in a transaction of its own
        (`store`): a failure that came from the batch, not the item (on PostgreSQL a deadlock with
        another crawl's batch holding the same rows in another order), passes there; one that fails
        again is logged and comes back as a `StoreFailure`. An error of the batch itself (the commit,
        a lost connection) raises: nothing of the batch is stored, and the caller may store the
        records one by one (`store`).
        """
        outcomes: list[StoreResult | StoreFailure] = []
        with Session(self.engine) as session:
            for record in records:
                outcomes.append(self._store_savepoint(session, record, before_commit))
                # Each item reads its rows afresh, as it would in a transaction of its own.
                session.expunge_all()
            session.commit()
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, StoreFailure):
                outcomes[index] = self.store_or_failure(records[index], before_commit, outcome)
        return outcomes

    def store_or_failure(
        self, record: ItemRecord, before_commit: BeforeCommit | None, failed: StoreFailure | None = None
    ) -> StoreResult | StoreFailure:
        """`store` in a transaction of its own; a record it cannot store comes back as a
        `StoreFailure`, logged (with how it ``failed`` in its batch, when that was otherwise)."""
        try:
            return self.store(record, before_commit)
        except Exception as error:
            failure = StoreFailure(record.id, record.lang, one_line_error(error))
        before = "" if failed is None or failure.error == failed.error else f" (in its batch: {failed.error})"
        logger.error("item %s (%s) not stored: %s%s", record.id, record.lang, failure.error, before)
        return failure

    def _store_savepoint(
        self, session: Session, record: ItemRecord, before_commit: BeforeCommit | None
    ) -> StoreResult | StoreFailure:
        """`_store_in` inside a savepoint, retried after a lost race; a failure rolls back to it.

        The savepoint is the connection's, not the ORM session's (``Session.begin_nested`` cost
        about as much as storing the item: 0.28 ms of 0.65). The session does not know of it, which
        is why what the item left in the session is flushed into the savepoint before it is
        released, and every item's objects are expunged after it (`store_batch`): none outlives
        a savepoint rolled back under it."""
        for _attempt in range(_MAX_RACE_RETRIES):
            savepoint = session.connection().begin_nested()
            try:
                result = self._store_in(session, record, before_commit)
                if result is not None:
                    session.flush()
            except Exception as error:  # this item alone is undone (the savepoint), the batch goes on
                if savepoint.is_active:  # a failed flush has rolled back the whole batch already
                    savepoint.rollback()
                return StoreFailure(record.id, record.lang, one_line_error(error))
            if result is not None:
                savepoint.commit()
                return result
            savepoint.rollback()
            session.expunge_all()
        return StoreFailure(record.id, record.lang, f"lost the race to update it {_MAX_RACE_RETRIES} times")

    def _store_in(
        self, session: Session, record: ItemRecord, before_commit: BeforeCommit | None
    ) -> StoreResult | None:
        """Store ``record`` in ``session``'s transaction, ``before_commit`` included, without
        committing; None when another writer got in first (the caller rolls back and tries again)."""
        values = _row_values(record)
        now = utcnow()
        # On the session's connection, not through the session: the ORM's bulk-insert path (what
        # ``session.execute`` takes for an INSERT of a mapped table) cost more than the statement.
        row_values = {**values, "first_seen_at": now, "updated_at": now, "version": 1}
        inserted = session.connection().execute(self._insert_statement(), row_values).first()
        if inserted is not None:
            result = StoreResult(record.id, Outcome.NEW, 1, record.lang)
        else:
            row = session.get(Item, (record.id, record.lang), populate_existing=True)
            if row is None:  # deleted between the two statements; try again
                return None
            merged = _merge(session, row, record, values)
            if merged is None:
                return None
            result = merged
        if before_commit is not None:
            before_commit(session, record, result)
        return result

    def _insert_statement(self) -> Any:
        """``INSERT .. ON CONFLICT (id, lang) DO NOTHING RETURNING id`` of every column a record
        writes, built once per store: building it per item was a visible share of a backfill."""
        if self._insert is None:
            names = (*_ROW_COLUMNS, "first_seen_at", "updated_at", "version")
            columns = {name: bindparam(name) for name in names}
            self._insert = (
                backend_for(self.engine)
                .insert(Item)
                .values(**columns)
                .on_conflict_do_nothing(index_elements=["id", "lang"])
                .returning(Item.id)
            )
        return self._insert

    def any_item(self) -> bool:
        """Whether the archive holds any item at all (an empty archive reads only the first page)."""
        with Session(self.engine) as session:
            return session.exec(select(Item.id).limit(1)).first() is not None  # type: ignore[call-overload]

    def held(self, ids: Iterable[int], lang: str) -> dict[int, HeldItem]:
        """What the archive holds of these ids in ``lang``: enough to decide what a page's items need."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        columns = (
            Item.id,
            Item.site_updated_at,
            Item.details_pending,
            Item.first_seen_at,
            Item.gone_at,
            Item.gone_retry_at,
            Item.title,
        )
        with Session(self.engine) as session:
            rows = session.exec(select(*columns).where(Item.id.in_(wanted), Item.lang == lang))  # type: ignore[call-overload,attr-defined]
            return {row[0]: HeldItem(*row[1:]) for row in rows}

    def any_item_in(self, lang: str) -> bool:
        """Whether the archive holds any item in ``lang`` (a language never crawled reads one page)."""
        with Session(self.engine) as session:
            return session.exec(select(Item.id).where(Item.lang == lang).limit(1)).first() is not None  # type: ignore[call-overload]

    def pending_details(self, limit: int, lang: str, now: datetime | None = None) -> list[tuple[int, str]]:
        """Items in ``lang`` whose own page is to be asked for (id, url), oldest first: pages not read
        yet, and withdrawn items whose back-off is over (`HeldItem.wants_page`, in SQL)."""
        now = now or utcnow()
        due = or_(
            and_(Item.details_pending == True, Item.gone_at.is_(None)),  # type: ignore[union-attr] # noqa: E712
            and_(Item.gone_retry_at.is_not(None), Item.gone_retry_at <= now),  # type: ignore[union-attr,operator]
        )
        with Session(self.engine) as session:
            rows = session.exec(  # type: ignore[call-overload]
                select(Item.id, Item.url)
                .where(due, Item.lang == lang)
                .order_by(Item.first_seen_at)
                .limit(limit)
            )
            return [(row[0], row[1]) for row in rows]

    def mark_gone(self, ids: Iterable[int], lang: str, now: datetime | None = None) -> int:
        """Note that these items' pages answered 404/410 (withdrawn by the site): the first time
        keeps when, each time moves the next retry along `GONE_RETRIES` (then never). Rows are
        otherwise untouched; ids the archive does not hold are skipped. Returns the rows marked."""
        now = now or utcnow()
        marked = 0
        with Session(self.engine) as session:
            rows = session.exec(select(Item).where(Item.id.in_(list(set(ids))), Item.lang == lang)).scalars()  # type: ignore[call-overload,attr-defined]
            for row in rows:
                checks = row.gone_checks + 1
                session.exec(  # type: ignore[call-overload]
                    update(Item)
                    .where(Item.id == row.id, Item.lang == lang)  # type: ignore[arg-type]
                    .values(
                        gone_at=row.gone_at or now,
                        gone_checks=checks,
                        gone_retry_at=now + GONE_RETRIES[checks - 1] if checks <= len(GONE_RETRIES) else None,
                    )
                )
                marked += 1
            session.commit()
        return marked

    def validators(self, url: str) -> UrlState | None:
        """The ETag / Last-Modified last seen for ``url``."""
        return _detached(self.engine, UrlState, url)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a URL's validators, for a conditional request next time."""
        values = {"url": url, "etag": etag, "last_modified": last_modified, "checked_at": utcnow()}
        statement = backend_for(self.engine).insert(UrlState).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["url"],
            set_={"etag": etag, "last_modified": last_modified, "checked_at": values["checked_at"]},
        )
        with Session(self.engine) as session:
            session.exec(statement)  # type: ignore[call-overload]
            session.commit()


def one_line_error(error: Exception) -> str:
    """``IntegrityError: (sqlite3.IntegrityError) NOT NULL constraint failed: item.title``: the
    error's type and the first line of its message (SQLAlchemy's go on with the statement)."""
    return f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}"


def _detached(engine: Engine, model: type[_Row], key: object) -> _Row | None:
    """The row of ``model`` with primary key ``key``, still readable once its session is closed."""
    with Session(engine) as session:
        row = session.get(model, key)
        if row is not None:
            session.expunge(row)
        return row


#: The columns `_row_values` gives, in its order.
_ROW_COLUMNS = (
    "id", "url", "lang", "section", "kind", "source", "site_updated_at", "details_pending", "content_hash",
    *CONTENT_FIELDS,
)  # fmt: skip


def _row_values(record: ItemRecord) -> dict[str, object]:
    values: dict[str, object] = {
        "id": record.id,
        "url": record.url,
        "lang": record.lang,
        "section": record.section,
        "kind": record.kind,
        "source": record.source,
        "site_updated_at": record.site_updated_at,
        "details_pending": not record.complete,
        "content_hash": record.content_hash(),
    }
    for name in CONTENT_FIELDS:
        values[name] = getattr(record, name)
    return values


def _merge(session: Session, row: Item, record: ItemRecord, values: dict[str, object]) -> StoreResult | None:
    """Decide what ``record`` means for the stored ``row``; None when another writer got in first."""
    stored_rank = SOURCES.index(row.source)
    incoming_rank = SOURCES.index(record.source)
    site_updated = record.site_updated_at
    newer_site_time = site_updated is not None and (
        row.site_updated_at is None or site_updated > row.site_updated_at
    )
    if incoming_rank < stored_rank or (incoming_rank == stored_rank and not record.complete):
        return _refresh_less_complete(session, row, record, values, newer_site_time)

    merged = {name: getattr(row, name) for name in CONTENT_FIELDS}
    merged.update(
        {name: getattr(record, name) for name in CONTENT_FIELDS if getattr(record, name) is not None}
    )
    merged_hash = content_hash(merged)
    changes: dict[str, object] = {
        **{name: merged[name] for name in CONTENT_FIELDS},
        "content_hash": merged_hash,
        "source": record.source,
        "details_pending": not record.complete,
        "kind": record.kind,
        "url": record.url,
        "section": record.section,
    }
    if newer_site_time:
        changes["site_updated_at"] = site_updated
    back = record.complete and (row.gone_at is not None or row.gone_checks > 0)
    if back:
        changes.update(_NOT_GONE)
    if row.source == "article" and record.complete and merged_hash != row.content_hash:
        return _record_edit(session, row, changes)
    if stored_rank < incoming_rank:
        changes["updated_at"] = utcnow()
        return _guarded_update(session, row, changes, Outcome.COMPLETED, row.version)
    if newer_site_time or back:
        quiet = {name: changes[name] for name in ("site_updated_at", *_NOT_GONE) if name in changes}
        return _guarded_update(session, row, quiet, Outcome.UNCHANGED, row.version)
    return StoreResult(row.id, Outcome.UNCHANGED, row.version, row.lang)


def _refresh_less_complete(
    session: Session, row: Item, record: ItemRecord, values: dict[str, object], newer_site_time: bool
) -> StoreResult | None:
    """A list or feed record for a row built from a better page: fill gaps, never overwrite. When
    the record shows the item edited since the row's page was read (`archive.freshness`), the page
    is owed again (``details_pending``): the spider stores such a record only when the re-read
    failed, and the edit must not be lost with the moved time the record brings."""
    changes: dict[str, object] = {}
    for name in CONTENT_FIELDS:
        if getattr(row, name) is None and values[name] is not None:
            changes[name] = values[name]
    if (
        row.source == "article"
        and not row.details_pending
        and says_changed(record, row.title, row.site_updated_at)
    ):
        changes["details_pending"] = True
    if newer_site_time:
        changes["site_updated_at"] = record.site_updated_at
    if not changes:
        return StoreResult(row.id, Outcome.UNCHANGED, row.version, row.lang)
    if any(name in changes for name in CONTENT_FIELDS):
        merged = {name: changes.get(name, getattr(row, name)) for name in CONTENT_FIELDS}
        changes["content_hash"] = content_hash(merged)
    return _guarded_update(session, row, changes, Outcome.UNCHANGED, row.version)


def _record_edit(session: Session, row: Item, changes: dict[str, object]) -> StoreResult | None:
    """Keep the old content as a revision and move the row to the new version."""
    old_version = row.version
    old_content = {name: getattr(row, name) for name in CONTENT_FIELDS}
    cosmetic = cosmetic_change(old_content, {name: changes[name] for name in CONTENT_FIELDS})
    revision = ItemRevision(
        item_id=row.id,
        lang=row.lang,
        version=old_version,
        content_hash=row.content_hash,
        site_updated_at=row.site_updated_at,
        cosmetic=cosmetic,
        **old_content,
    )
    changes = {**changes, "version": old_version + 1, "updated_at": utcnow()}
    result = _guarded_update(session, row, changes, Outcome.CHANGED, old_version + 1)
    if result is None:
        return None
    result = dataclasses.replace(result, cosmetic=cosmetic)
    session.add(revision)
    session.flush()
    return result


def _guarded_update(
    session: Session, row: Item, changes: dict[str, object], outcome: Outcome, version_after: int
) -> StoreResult | None:
    """UPDATE .. WHERE version = the version we read: a concurrent edit makes it match no row."""
    item_id, lang, version = row.id, row.lang, row.version
    session.expunge(row)
    statement = (
        update(Item)
        .where(Item.id == item_id, Item.lang == lang, Item.version == version)  # type: ignore[arg-type]
        .values(**changes)
    )
    if session.exec(statement).rowcount != 1:  # type: ignore[call-overload]
        return None
    return StoreResult(item_id, outcome, version_after, lang)


class CrawlStateStore:
    """Named values that outlive a crawl (see `CrawlState`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> CrawlState | None:
        """The value stored under ``key`` with when it was written, or None."""
        return _detached(self.engine, CrawlState, key)

    def put(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing what was there."""
        now = utcnow()
        statement = (
            backend_for(self.engine)
            .insert(CrawlState)
            .values(key=key, value=value, updated_at=now)
            .on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": now})
        )
        with Session(self.engine) as session:
            session.exec(statement)  # type: ignore[call-overload]
            session.commit()

    def delete(self, key: str) -> None:
        """Forget ``key``."""
        with Session(self.engine) as session:
            state = session.get(CrawlState, key)
            if state is not None:
                session.delete(state)
                session.commit()
