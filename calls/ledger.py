"""The call ledger: one archived record per language version of a call, one ledger entry per call.

"Every call with a NATO country", "calls the other side asked for", "how often did he speak to
Erdogan this year": a `CallFilter` says which calls, `load_calls` reads them newest first. There are
a few hundred calls a year, so filtering happens here in Python, identically on every backend.

kremlin.ru and en.kremlin.ru give a call the same id, and each version has the record its own
language's reader made (a `CallEntry` per ``(item_id, lang)``). The ledger lists a call ONCE: the
Russian version when the archive has it (the primary one), else the English one, or with
``lang="en"`` the English version; the entry carries ``en_title``/``en_url`` when an English version
is archived. The filters ``country``, ``counterpart`` and ``initiated_by`` hold when the record of
EITHER version passes all of them, so ``--counterpart Macron`` finds a Russian call once its English
twin, which writes the name so, is archived (and a rule's call fields fire on the same calls:
`alerts.trigger`).

The write side: `CallRecorder` is a store hook (`archive.store.BeforeCommit`) that reads the stored
version of a call as it is stored and writes its row in the version's own transaction, so a version
and its call record are committed together or not at all; `fill_calls` reads the versions an archive
holds without a current row (an archive made before migration 0005, or rows of an older
`READER_VERSION`). Unreadable calls are counted by VERSION (`CallsRead.unreadable`, `status`'s and
``kremlin_watch_unreadable_calls``' count of unreadable ``call`` rows): each language has its own
reader, and an English page the English reader cannot read is as much a sign of a changed site as a
Russian one, even when the other version of the call was read. Warnings name the id and language.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, bindparam, delete, exists, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from archive.backends import Backend, backend_for
from archive.export import published_within
from archive.models import CallEntry, Item
from archive.records import ItemRecord
from archive.store import Outcome, StoreResult
from archive.types import utcnow
from archive.vocabulary import CALL, LANGS
from calls.reader import READER_VERSION, CallReader
from calls.record import CallRecord, CallText, Counterpart
from calls.selection import CallSelector
from query.morphology import Lemmatizer

logger = logging.getLogger(__name__)

#: Rows `fill_calls` writes per transaction: short transactions, so a crawl running meanwhile waits little.
FILL_BATCH = 100
#: Ids per query when the ledger reads the other versions of the calls it lists.
_IDS_PER_QUERY = 500
#: Unreadable calls `fill_calls` names in its one warning (the rest are counted).
_NAMED_IN_WARNING = 5
#: What storing an item did that makes its call record worth reading again.
_CONTENT_OUTCOMES = frozenset({Outcome.NEW, Outcome.CHANGED, Outcome.COMPLETED})
#: The language whose version the ledger shows, and the English twin's.
PRIMARY_LANG, EN = LANGS[0], "en"


@dataclass(frozen=True)
class StoredCall:
    """One call as the ledger, the API, the feeds and the pages show it: one version of the item with
    that version's call record, and a pointer to the English twin.

    ``id``, ``url``, ``lang``, ``published_at``, ``title``: the version shown (the Russian one when
    archived, else the English one; the English one when the ledger was asked for ``lang="en"``).
    ``counterparts``, ``countries``, ``initiated_by``, ``readable``: that version's record, names as
    its language writes them. ``en_title``, ``en_url``: the English version's title and url whenever
    one is archived (the shown version's own when it is the English one), else None.
    """

    id: int
    url: str
    lang: str
    published_at: datetime | None
    title: str
    counterparts: tuple[Counterpart, ...]
    countries: tuple[str, ...]
    initiated_by: tuple[str, ...]
    readable: bool
    en_title: str | None = None
    en_url: str | None = None

    def to_json(self) -> dict[str, object]:
        """``id, url, lang, published_at, title, counterparts, countries, initiated_by``, plus
        ``en_title, en_url`` when the English version is known."""
        data: dict[str, object] = {
            "id": self.id,
            "url": self.url,
            "lang": self.lang,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "title": self.title,
            "counterparts": [c.to_json() for c in self.counterparts],
            "countries": list(self.countries),
            "initiated_by": list(self.initiated_by),
        }
        if self.en_url is not None:
            data["en_title"], data["en_url"] = self.en_title, self.en_url
        return data


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
    #: The version to show (``ru``/``en``): calls that have it. None: the primary version of each.
    lang: str | None = None


def record_of(entry: CallEntry) -> CallRecord:
    """The stored row as the `CallRecord` the reader made (for the selectors and the messages)."""
    return CallRecord(
        tuple(Counterpart.from_json(c) for c in entry.counterparts), tuple(entry.initiated_by)
    )


def _shown_version(lang: str | None) -> ColumnElement[bool]:
    """Which version of a call the ledger lists: ``lang``'s, or the first of `LANGS` that has a record."""
    if lang is not None:
        return Item.lang == lang  # type: ignore[return-value]
    other = aliased(CallEntry)
    choices = []
    for index, code in enumerate(LANGS):
        choice = Item.lang == code
        if index:
            preferred = exists().where(other.item_id == Item.id, other.lang.in_(LANGS[:index]))  # type: ignore[attr-defined]
            choice = and_(choice, ~preferred)  # type: ignore[assignment]
        choices.append(choice)
    return or_(*choices)


@dataclass(frozen=True)
class _Twin:
    """Another version of a listed call: its title and url, and its record when it has one."""

    title: str
    url: str
    record: CallRecord | None


def load_calls(engine: Engine, wanted: CallFilter, lemmatizer: Lemmatizer | None = None) -> list[StoredCall]:
    """Calls that pass ``wanted``, newest first, one entry per id (see the module's docstring).
    ``lemmatizer`` (made when needed) compares names."""
    statement = select(Item, CallEntry).join(
        CallEntry,
        and_(CallEntry.item_id == Item.id, CallEntry.lang == Item.lang),  # type: ignore[arg-type]
    )
    statement = statement.where(_shown_version(wanted.lang))
    statement = statement.where(*published_within(Item.published_at, wanted.since, wanted.until))  # type: ignore[arg-type]
    statement = statement.order_by(Item.published_at.desc(), Item.id.desc())  # type: ignore[union-attr]
    with Session(engine) as session:
        rows = session.exec(statement).all()  # type: ignore[call-overload]
        twins = _twins(session, [(item.id, item.lang) for item, _entry in rows])
        found = [
            (_stored(item, entry, twins.get(item.id, {})), twins.get(item.id, {})) for item, entry in rows
        ]
    morph = lemmatizer or (Lemmatizer() if wanted.counterpart else None)
    selector = CallSelector.of(
        (wanted.country,) if wanted.country else (),
        (wanted.initiated_by,) if wanted.initiated_by else (),
        (wanted.counterpart,) if wanted.counterpart else (),
        morph,
    )
    return [
        call
        for call, others in found
        if selector.passes(call, morph)
        or any(twin.record is not None and selector.passes(twin.record, morph) for twin in others.values())
    ]


def _twins(session: Session, shown: Sequence[tuple[int, str]]) -> dict[int, dict[str, _Twin]]:
    """The other versions of the listed calls: id -> {lang: twin} (a few queries of ids)."""
    listed = set(shown)
    ids = sorted({item_id for item_id, _lang in shown})
    found: dict[int, dict[str, _Twin]] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        statement = (
            select(Item.id, Item.lang, Item.title, Item.url, CallEntry)
            .outerjoin(CallEntry, and_(CallEntry.item_id == Item.id, CallEntry.lang == Item.lang))  # type: ignore[arg-type]
            .where(Item.id.in_(ids[start : start + _IDS_PER_QUERY]))  # type: ignore[attr-defined]
        )
        for item_id, lang, title, url, entry in session.exec(statement).all():  # type: ignore[call-overload]
            if (item_id, lang) not in listed:
                found.setdefault(item_id, {})[lang] = _Twin(
                    title, url, record_of(entry) if entry is not None else None
                )
    return found


def _stored(item: Item, entry: CallEntry, twins: dict[str, _Twin]) -> StoredCall:
    english = twins.get(EN) if item.lang != EN else _Twin(item.title, item.url, None)
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
        en_title=english.title if english else None,
        en_url=english.url if english else None,
    )


# --- the write side -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallsRead:
    """What `fill_calls` did: call versions read, and how many of them had no readable counterpart."""

    read: int = 0
    unreadable: int = 0

    def line(self) -> str:
        return f"calls: read {self.read}, unreadable {self.unreadable}"


class CallRecorder:
    """The store hook: ``recorder(session, record, result)`` writes a stored call version's row with it.

    Runs before the alert trigger in a crawl's hooks, so the rules can see the call record of the
    version they match. The crawl stores items from several worker threads; the lock keeps the readers
    (whose pymorphy3 caches are not made for threads) to one call at a time, which costs nothing at a
    few calls per check.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reader = CallReader()

    def __call__(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        """Read and upsert the stored version's call record when its content is new, edited or
        completed; the other language's version keeps its own row."""
        if result.outcome not in _CONTENT_OUTCOMES:
            return
        if record.kind != CALL:
            if result.outcome is not Outcome.NEW:  # a version the site no longer calls a call
                session.exec(  # type: ignore[call-overload]
                    delete(CallEntry).where(CallEntry.item_id == result.id, CallEntry.lang == result.lang)  # type: ignore[arg-type]
                )
            return
        item = session.get(Item, (result.id, result.lang))
        if item is None:  # cannot happen inside the item's own transaction; nothing to read
            return
        with self.lock:
            record_call(session, item, self.reader)


#: The columns of a call row that `record_call` writes, in its order.
_UPSERT_COLUMNS = (
    "item_id", "lang", "item_version", "counterparts", "countries", "initiated_by", "readable", "reader",
    "updated_at",
)  # fmt: skip


@cache
def _upsert_statement(backend: Backend) -> Any:
    """``INSERT .. ON CONFLICT (item_id, lang) DO UPDATE`` of a call row, its values as parameters;
    built once per backend: building it per call (its ``excluded`` alias copies every column) cost
    more than running it."""
    insert = backend.insert(CallEntry).values(**{name: bindparam(name) for name in _UPSERT_COLUMNS})
    return insert.on_conflict_do_update(
        index_elements=["item_id", "lang"],
        set_={name: insert.excluded[name] for name in _UPSERT_COLUMNS[2:]},
        # A reread of an older version (a rebuild racing a crawl) never replaces a newer one's record.
        where=CallEntry.item_version <= insert.excluded.item_version,  # type: ignore[arg-type]
    )


def record_call(session: Session, item: Item, reader: CallReader, warn: bool = True) -> CallRecord:
    """Read the version ``item`` (the merged row, not the page just read: a feed record lacks the tags)
    with its language's reader and upsert its `CallEntry` ``(item.id, item.lang)`` in ``session``'s
    transaction. An unreadable version is logged (with ``warn``) the first time only."""
    call = reader.read(CallText.of(item))
    # Asked before the upsert, and only when there is something to say: was it unreadable already?
    tell = (
        warn
        and not call.readable
        and session.exec(  # type: ignore[call-overload]
            select(CallEntry.item_id).where(
                CallEntry.item_id == item.id,
                CallEntry.lang == item.lang,
                CallEntry.readable == False,  # noqa: E712
            )
        ).first()
        is None
    )
    values = {
        "item_id": item.id,
        "lang": item.lang,
        "item_version": item.version,
        "counterparts": [c.to_json() for c in call.counterparts],
        "countries": list(call.countries),
        "initiated_by": list(call.initiated_by),
        "readable": call.readable,
        "reader": READER_VERSION,
        "updated_at": utcnow(),
    }
    statement = _upsert_statement(backend_for(session.get_bind()))  # type: ignore[arg-type]
    session.connection().execute(statement, values)
    if tell:
        logger.warning("call %s (%s): no counterpart could be read from %r", item.id, item.lang, item.title)
    return call


def fill_calls(engine: Engine, everything: bool = False) -> CallsRead:
    """Read the call versions without a current row (missing, or made by an older `READER_VERSION`),
    or every call version with ``everything``; drop rows of versions that are no longer calls. Cheap
    when none is due: one query. Unreadable versions are logged in one warning, not one each: an
    upgraded archive may hold hundreds."""
    joined = and_(CallEntry.item_id == Item.id, CallEntry.lang == Item.lang)
    due = select(Item.id, Item.lang).outerjoin(CallEntry, joined).where(Item.kind == CALL)  # type: ignore[arg-type]
    if not everything:
        due = due.where(or_(CallEntry.item_id.is_(None), CallEntry.reader < READER_VERSION))  # type: ignore[union-attr,operator]
    with Session(engine) as session:
        keys = [tuple(key) for key in session.exec(due.order_by(Item.id, Item.lang)).all()]  # type: ignore[call-overload,arg-type]
        stale = session.exec(  # type: ignore[call-overload]
            select(CallEntry.item_id, CallEntry.lang).join(Item, joined).where(Item.kind != CALL)  # type: ignore[arg-type]
        ).all()
        for item_id, lang in stale:
            session.exec(delete(CallEntry).where(CallEntry.item_id == item_id, CallEntry.lang == lang))  # type: ignore[call-overload,arg-type]
        session.commit()
    read, unreadable, reader = 0, [], CallReader()
    for start in range(0, len(keys), FILL_BATCH):
        batch = set(keys[start : start + FILL_BATCH])
        with Session(engine) as session:
            wanted = select(Item).where(Item.id.in_(sorted({item_id for item_id, _lang in batch})))  # type: ignore[attr-defined]
            items = [item for item in session.exec(wanted).scalars() if (item.id, item.lang) in batch]  # type: ignore[call-overload]
            for item in items:
                read += 1
                if not record_call(session, item, reader, warn=False).readable:
                    unreadable.append(f"{item.id} ({item.lang}) {item.title!r}")
            session.commit()
    if unreadable:
        named = "; ".join(unreadable[:_NAMED_IN_WARNING])
        rest = len(unreadable) - _NAMED_IN_WARNING
        more = f" and {rest} more" if rest > 0 else ""
        logger.warning("%d call(s) with no readable counterpart: %s%s", len(unreadable), named, more)
    return CallsRead(read, len(unreadable))
