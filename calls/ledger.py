"""The call ledger: one archived row per call item, and the questions people ask of it.

"Every call with a NATO country", "calls the other side asked for", "how often did he speak to
Erdogan this year": a `CallFilter` says which calls, `load_calls` reads them newest first. There are
a few hundred calls a year, so filtering happens here in Python, identically on every backend.

The write side: `CallRecorder` is a store hook (`archive.store.BeforeCommit`) that reads a call as it
is stored and writes its row in the item's own transaction, so an item and its call record are
committed together or not at all; `fill_calls` reads the calls an archive holds without a current row
(an archive made before migration 0005, or rows of an older `READER_VERSION`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, delete, or_, select
from sqlmodel import Session

from archive.backends import backend_for
from archive.export import published_within
from archive.models import CallEntry, Item
from archive.records import ItemRecord
from archive.store import Outcome, StoreResult
from archive.types import utcnow
from archive.vocabulary import CALL
from calls.reader import READER_VERSION, CallReader
from calls.record import CallRecord, CallText, Counterpart
from calls.selection import CallSelector
from query.morphology import Lemmatizer

logger = logging.getLogger(__name__)

#: Rows `fill_calls` writes per transaction: short transactions, so a crawl running meanwhile waits little.
FILL_BATCH = 100
#: Unreadable calls `fill_calls` names in its one warning (the rest are counted).
_NAMED_IN_WARNING = 5
#: What storing an item did that makes its call record worth reading again.
_CONTENT_OUTCOMES = frozenset({Outcome.NEW, Outcome.CHANGED, Outcome.COMPLETED})


@dataclass(frozen=True)
class StoredCall:
    """A call item with its record, as the ledger, the API and the pages show it."""

    id: int
    url: str
    lang: str
    published_at: datetime | None
    title: str
    counterparts: tuple[Counterpart, ...]
    countries: tuple[str, ...]
    initiated_by: tuple[str, ...]
    readable: bool

    def to_json(self) -> dict[str, object]:
        """``id, url, lang, published_at, title, counterparts, countries, initiated_by``."""
        return {
            "id": self.id,
            "url": self.url,
            "lang": self.lang,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "title": self.title,
            "counterparts": [c.to_json() for c in self.counterparts],
            "countries": list(self.countries),
            "initiated_by": list(self.initiated_by),
        }


@dataclass(frozen=True)
class CallFilter:
    """Which calls: every given condition must hold (None: any)."""

    #: ISO alpha-2 (or ``EU``/``RU``): a counterpart from that country.
    country: str | None = None
    #: A name in any form and either language («Макроном», "Macron"): a counterpart so named.
    counterpart: str | None = None
    #: A country code, `FOREIGN` (the other side asked) or `RUSSIA` (the Russian side asked).
    initiated_by: str | None = None
    since: date | None = None
    until: date | None = None
    lang: str | None = None


def load_calls(engine: Engine, wanted: CallFilter, lemmatizer: Lemmatizer | None = None) -> list[StoredCall]:
    """Calls that pass ``wanted``, newest first. ``lemmatizer`` (made when needed) compares names."""
    statement = select(Item, CallEntry).join(CallEntry, CallEntry.item_id == Item.id)  # type: ignore[arg-type]
    statement = statement.where(*published_within(Item.published_at, wanted.since, wanted.until))  # type: ignore[arg-type]
    if wanted.lang is not None:
        statement = statement.where(Item.lang == wanted.lang)
    statement = statement.order_by(Item.published_at.desc(), Item.id.desc())  # type: ignore[union-attr]
    with Session(engine) as session:
        rows = session.exec(statement).all()  # type: ignore[call-overload]
        found = [_stored(item, entry) for item, entry in rows]
    morph = lemmatizer or (Lemmatizer() if wanted.counterpart else None)
    selector = CallSelector.of(
        (wanted.country,) if wanted.country else (),
        (wanted.initiated_by,) if wanted.initiated_by else (),
        (wanted.counterpart,) if wanted.counterpart else (),
        morph,
    )
    return [call for call in found if selector.passes(call, morph)]


def _stored(item: Item, entry: CallEntry) -> StoredCall:
    return StoredCall(
        id=item.id,
        url=item.url,
        lang=item.lang,
        published_at=item.published_at,
        title=item.title,
        counterparts=tuple(Counterpart.from_json(c) for c in entry.counterparts),
        countries=tuple(entry.countries),
        initiated_by=tuple(entry.initiated_by),
        readable=entry.readable,
    )


# --- the write side -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallsRead:
    """What `fill_calls` did: calls read, and how many of them had no readable counterpart."""

    read: int = 0
    unreadable: int = 0

    def line(self) -> str:
        return f"calls: read {self.read}, unreadable {self.unreadable}"


class CallRecorder:
    """The store hook: ``recorder(session, record, result)`` writes a stored call's row with it.

    Runs before the alert trigger in a crawl's hooks, so the rules can see the call record of the item
    they match. The crawl stores items from several worker threads; the lock keeps the readers (whose
    pymorphy3 caches are not made for threads) to one call at a time, which costs nothing at a few
    calls per check.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reader = CallReader()

    def __call__(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        """Read and upsert the call record when the item's content is new, edited or completed."""
        if result.outcome not in _CONTENT_OUTCOMES:
            return
        if record.kind != CALL:
            if result.outcome is not Outcome.NEW:  # an item the site no longer calls a call
                session.exec(delete(CallEntry).where(CallEntry.item_id == result.id))  # type: ignore[call-overload,arg-type]
            return
        item = session.get(Item, result.id)
        if item is None:  # cannot happen inside the item's own transaction; nothing to read
            return
        with self.lock:
            record_call(session, item, self.reader)


def record_call(session: Session, item: Item, reader: CallReader, warn: bool = True) -> CallRecord:
    """Read ``item`` (the merged row, not the page just read: a feed record lacks the tags) and upsert
    its `CallEntry` in ``session``'s transaction. An unreadable call is logged (with ``warn``) the first
    time only."""
    call = reader.read(CallText.of(item))
    # Asked before the upsert, and only when there is something to say: was it unreadable already?
    tell = (
        warn
        and not call.readable
        and session.exec(  # type: ignore[call-overload]
            select(CallEntry.item_id).where(CallEntry.item_id == item.id, CallEntry.readable == False)  # noqa: E712
        ).first()
        is None
    )
    values = {
        "item_version": item.version,
        "counterparts": [c.to_json() for c in call.counterparts],
        "countries": list(call.countries),
        "initiated_by": list(call.initiated_by),
        "readable": call.readable,
        "reader": READER_VERSION,
        "updated_at": utcnow(),
    }
    statement = backend_for(session.get_bind()).insert(CallEntry).values(item_id=item.id, **values)  # type: ignore[arg-type]
    statement = statement.on_conflict_do_update(
        index_elements=["item_id"],
        set_=values,
        # A reread of an older version (a rebuild racing a crawl) never replaces a newer one's record.
        where=CallEntry.item_version <= statement.excluded.item_version,  # type: ignore[arg-type]
    )
    session.exec(statement)  # type: ignore[call-overload]
    if tell:
        logger.warning("call %s: no counterpart could be read from %r", item.id, item.title)
    return call


def fill_calls(engine: Engine, everything: bool = False) -> CallsRead:
    """Read the calls without a current row (missing, or made by an older `READER_VERSION`), or every
    call with ``everything``; drop rows of items that are no longer calls. Cheap when none is due:
    one query. Unreadable calls are logged in one warning, not one each: an upgraded archive may hold
    hundreds."""
    due = select(Item.id).outerjoin(CallEntry, CallEntry.item_id == Item.id).where(Item.kind == CALL)  # type: ignore[arg-type]
    if not everything:
        due = due.where(or_(CallEntry.item_id.is_(None), CallEntry.reader < READER_VERSION))  # type: ignore[union-attr,operator]
    with Session(engine) as session:
        ids = list(session.exec(due.order_by(Item.id)).scalars())  # type: ignore[call-overload,arg-type]
        stale = session.exec(  # type: ignore[call-overload]
            select(CallEntry.item_id).join(Item, Item.id == CallEntry.item_id).where(Item.kind != CALL)  # type: ignore[arg-type]
        ).scalars().all()
        if stale:
            session.exec(delete(CallEntry).where(CallEntry.item_id.in_(stale)))  # type: ignore[call-overload,attr-defined]
            session.commit()
    read, unreadable, reader = 0, [], CallReader()
    for start in range(0, len(ids), FILL_BATCH):
        with Session(engine) as session:
            batch = select(Item).where(Item.id.in_(ids[start : start + FILL_BATCH]))  # type: ignore[attr-defined]
            items = session.exec(batch).scalars().all()  # type: ignore[call-overload]
            for item in items:
                read += 1
                if not record_call(session, item, reader, warn=False).readable:
                    unreadable.append(f"{item.id} {item.title!r}")
            session.commit()
    if unreadable:
        named = "; ".join(unreadable[:_NAMED_IN_WARNING])
        rest = len(unreadable) - _NAMED_IN_WARNING
        more = f" and {rest} more" if rest > 0 else ""
        logger.warning("%d call(s) with no readable counterpart: %s%s", len(unreadable), named, more)
    return CallsRead(read, len(unreadable))
