"""The archive's tables: items, their earlier versions, per-URL validators and one row per check."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field, SQLModel

from archive.types import UTCDateTime, utcnow


def _time(nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _version_of(*, columns: tuple[str, str] = ("item_id", "lang"), **options: str) -> ForeignKeyConstraint:
    """A reference to one language version of an item: ``(item id, language)``."""
    return ForeignKeyConstraint(list(columns), ["item.id", "item.lang"], **options)


class Item(SQLModel, table=True):
    """One language version of a kremlin.ru item, keyed on the site's own numeric id and the language.

    kremlin.ru and en.kremlin.ru give an item the same id; the archive keeps each version it saw as a
    row of its own (``lang`` ``ru`` or ``en``), so every reader that handles one language handles
    both, and ``show`` or ``calls`` put the two side by side by id.
    """

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    url: str
    lang: str = Field(primary_key=True, index=True)
    section: str
    kind: str = Field(index=True)
    title: str
    lead: str | None = Field(default=None, sa_column=Column(Text))
    text: str | None = Field(default=None, sa_column=Column(Text))
    published_at: datetime | None = Field(default=None, sa_column=_time(index=True))
    place: str | None = None
    topics: list[str] | None = Field(default=None, sa_column=Column(JSON))
    geography: list[str] | None = Field(default=None, sa_column=Column(JSON))
    persons: list[str] | None = Field(default=None, sa_column=Column(JSON))
    first_seen_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
    site_updated_at: datetime | None = Field(default=None, sa_column=_time())
    content_hash: str
    #: The most complete page the row was built from: "list", "feed" or "article".
    source: str
    #: True until the item's own page has been read (place and tags are then still unknown).
    details_pending: bool = Field(default=False, index=True)
    #: 1 for the first version; every edit on the site adds one and keeps the old text as a revision.
    version: int = 1
    #: When the item's own page first answered 404/410 (the site withdrew it); None while it is not
    #: withdrawn. The row keeps what the feed or list page said; reports name it once as withdrawn.
    gone_at: datetime | None = Field(default=None, sa_column=_time())
    #: When a withdrawn item's page is asked for again (a growing back-off, see
    #: `archive.store.GONE_RETRIES`); None once the back-off is spent: it is never asked for again.
    gone_retry_at: datetime | None = Field(default=None, sa_column=_time())
    #: How many times in a row the item's page answered 404/410.
    gone_checks: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ItemRevision(SQLModel, table=True):
    """An earlier version of an item, kept when the site edits it."""

    __table_args__ = (
        UniqueConstraint("item_id", "lang", "version", name="uq_revision_item_version"),
        _version_of(),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(index=True)
    lang: str
    version: int
    replaced_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
    content_hash: str
    title: str
    lead: str | None = Field(default=None, sa_column=Column(Text))
    text: str | None = Field(default=None, sa_column=Column(Text))
    published_at: datetime | None = Field(default=None, sa_column=_time())
    place: str | None = None
    topics: list[str] | None = Field(default=None, sa_column=Column(JSON))
    geography: list[str] | None = Field(default=None, sa_column=Column(JSON))
    persons: list[str] | None = Field(default=None, sa_column=Column(JSON))
    #: When the site said this version last changed (the feed's ``<updated>``), as the row held it.
    site_updated_at: datetime | None = Field(default=None, sa_column=_time())
    #: The edit that replaced this version changed typography only (`archive.typography`): kept, never
    #: notified.
    cosmetic: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))


class UrlState(SQLModel, table=True):
    """HTTP validators of a fetched URL, so the next check can ask "changed since?" (304)."""

    __tablename__ = "url_state"

    url: str = Field(primary_key=True)
    etag: str | None = None
    last_modified: str | None = None
    checked_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))


class CheckCounts(SQLModel):
    """What a check counts, declared once for the crawler's tally (`archive.checks.CheckSummary`)
    and for the columns of `Check` that keep it."""

    requests: int = 0
    bytes: int = 0
    pages: int = 0
    new_items: int = 0
    changed_items: int = 0
    unchanged_items: int = 0
    errors: int = 0
    #: Of ``errors``, pages that came back but could not be read (a layout the parser does not know).
    parse_errors: int = 0


class Check(CheckCounts, table=True):
    """One crawl (a scheduled check or a backfill) and how it went."""

    __table_args__ = (Index("ix_check_started_at", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    mode: str
    started_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=_time())
    #: running, ok, unchanged, partial, blocked, error or crashed (see archive.checks).
    outcome: str = "running"
    #: JSON: HTTP status counts, the first error messages, the items found withdrawn, and whether
    #: the site answered the feed or list pages (``source_state``, ``source_reason``, per ``hosts``).
    detail: str | None = Field(default=None, sa_column=Column(Text))


class CrawlState(SQLModel, table=True):
    """Small named facts a crawl carries to the next one (the cached robots.txt, an open gap)."""

    __tablename__ = "crawl_state"

    key: str = Field(primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))


class OutboxEntry(SQLModel, table=True):
    """One alert to deliver: an (item version, rule, destination) triple; the only record of it.

    The unique keys make enqueueing idempotent: a check that runs twice, two crawls at once or a
    restart can only ever produce one row per triple. Rows with an ``incident`` (watcher notices, and
    withdrawal notices, which also name the item's last version) are unique per incident, rule and
    destination; the others per (item version, rule, destination).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "uq_outbox_triple",
            "item_id",
            "item_lang",
            "item_version",
            "rule",
            "destination",
            unique=True,
            sqlite_where=sql_text("incident IS NULL"),
            postgresql_where=sql_text("incident IS NULL"),
        ),
        UniqueConstraint("incident", "rule", "destination", name="uq_outbox_incident"),
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        _version_of(columns=("item_id", "item_lang")),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: The item alerted about; None for a notice about the watcher itself (see ``incident``).
    item_id: int | None = Field(default=None, index=True)
    #: The language version the row is about (the one that matched, or the twin a follow-up names).
    item_lang: str | None = None
    #: True for the short follow-up of ``follow_translation``: the item's other language appeared.
    follow_up: bool = False
    #: ``edit`` for an edit notice (a rule's ``edits = true``: the row's version is the new one),
    #: ``withdrawn`` for a withdrawal notice; None for an alert.
    notice: str | None = None
    #: For notices ("source down", "parser broken", their recoveries; ``withdrawn:ID:LANG`` for a
    #: withdrawal notice, which names its item too): the incident's key. None for item alerts and
    #: edit notices. Unique with rule and destination, so each notice goes out once.
    incident: str | None = None
    item_version: int = 1
    rule: str = Field(index=True)
    #: A digest of the destination's full URL: stable, and no secret in it.
    destination: str
    #: The destination's URL with secrets masked, for people.
    destination_label: str
    #: pending, sending, sent or failed.
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    #: JSON: the matched words with a snippet of context each, computed when the item was matched.
    matches: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    digest: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=_time())
    #: ``host:pid`` of the sender holding the claim, so a restart can take back a dead one's claims.
    claimed_by: str | None = None
    sent_at: datetime | None = Field(default=None, sa_column=_time())


#: A tsvector on PostgreSQL, text elsewhere (the search index's positions: only PostgreSQL fills them).
_TSVECTOR = Text().with_variant(TSVECTOR(), "postgresql")


class ItemSearch(SQLModel, table=True):
    """The search index's row for one item: its lemmas as text, and copies of what searches filter on.

    The full-text index proper is per backend (made by migrations 0004 and 0009): contentless FTS5
    tables ``item_search_fts`` (rowid = ``sort_key``; columns lemmas, forms, kind, lang) and
    ``item_search_pos`` (title and body by position, kind, lang) on SQLite, the generated tsvector
    columns ``document`` (lemmas) and ``spellings`` (forms) and the written ``vector`` and ``pairs``,
    with GIN indexes, on PostgreSQL. The tables and generated columns are not declared here, because
    the model is shared by both backends.
    `search.index.IndexWriter` writes these rows; `search.engine` reads them.

    A row describes the item as it was when indexed. Every insert into ``item`` and every change of
    its content, version, kind or language puts the item into `ItemSearchQueue` (by trigger), and
    only a writer that indexed the current content takes it out: so "not in the queue" is what
    makes a row current, and readers never have to compare rows with items.
    """

    __tablename__ = "item_search"
    __table_args__ = (
        Index("ix_item_search_analyser", "analyser"),
        #: For PostgreSQL's planner: a kind and a date window, AND-ed with the full-text bitmap.
        Index("ix_item_search_kind_key", "kind", "sort_key"),
        #: For the person and topic filters beside a full-text query: the rows the full-text index
        #: found are looked up by sort key, their lists read from this index, not from the wide row.
        Index("ix_item_search_lists", "sort_key", "persons", "topics"),
        _version_of(ondelete="CASCADE"),
    )

    item_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    #: Publication second and id in one integer (`search.terms.sort_key`): newest first is descending
    #: order, and on SQLite it is the FTS5 rowid, so the full-text index returns matches by date.
    sort_key: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    published_at: datetime | None = Field(default=None, sa_column=_time())
    kind: str
    lang: str = Field(sa_column=Column(String, primary_key=True))
    #: The item's persons, folded (lower case, ё as е), one per line: for the person filter.
    persons: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: The item's topics, folded, one per line: for the topic filter.
    topics: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: The item's version, content hash, kind and language when indexed.
    item_version: int
    content_hash: str
    #: Which analyser made the row (index format, pymorphy3 and its dictionary, Snowball).
    analyser: str
    indexed_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
    #: Every distinct indexable lemma of every word of the searchable fields, space-separated.
    lemmas: str = Field(sa_column=Column(Text, nullable=False))
    #: Spellings a prefix query must also see: words whose own spelling is none of their lemmas.
    forms: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: SQLite: the title's words as FTS5 tokens, one per position (`search.terms.Positional`), kept
    #: for the contentless ``item_search_pos`` (its triggers delete with them). Empty on PostgreSQL.
    title_terms: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: SQLite: the other fields' words as FTS5 tokens, gaps between fields and list entries.
    body_terms: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: PostgreSQL: a tsvector of every lemma at its position, the title weighted A (written as text by
    #: `search.index`; on SQLite an unused text column).
    vector: str = Field(default="", sa_column=Column(_TSVECTOR, nullable=False, server_default=""))
    #: PostgreSQL: a tsvector of every two lemmas of adjacent words as one lexeme ``a_b``.
    pairs: str = Field(default="", sa_column=Column(_TSVECTOR, nullable=False, server_default=""))
    #: PostgreSQL lost positions of this row (beyond 16,383, or over 256 of one lemma): its
    #: positional answers are checked by the matcher.
    capped: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))


class ItemSearchToken(SQLModel, table=True):
    """Which lemmas a compound FTS5 token holds (SQLite): a word with several lemmas is one token
    ``a_b`` at its position (`search.terms.JOIN`), and a query word with lemma ``a`` asks for every
    token listed here under ``a``. Rows are only added (a token no row holds any more matches nothing)."""

    __tablename__ = "item_search_token"

    lemma: str = Field(sa_column=Column(String, primary_key=True))
    token: str = Field(sa_column=Column(String, primary_key=True))


class ItemSearchQueue(SQLModel, table=True):
    """Item versions whose search index row is missing or out of date (filled by triggers on ``item``)."""

    __tablename__ = "item_search_queue"
    __table_args__ = (_version_of(ondelete="CASCADE"),)

    item_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    lang: str = Field(sa_column=Column(String, primary_key=True))


class CallEntry(SQLModel, table=True):
    """The call record of one language version of a call, as that language's reader made it.

    Kept beside the item rather than in it: the reader improves, and `kremlin-watch calls --rebuild`
    rereads every call without touching what the site said. Each version has its own record (names
    as that language writes them); the ledger shows an item once, with both.
    """

    __tablename__ = "call"
    __table_args__ = (_version_of(),)

    item_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    lang: str = Field(sa_column=Column(String, primary_key=True))
    #: The item version the record was read from.
    item_version: int
    #: ``[{"name", "office", "country"}, …]``; empty when no counterpart could be read.
    counterparts: list[dict[str, str | None]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    countries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    initiated_by: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: False when no counterpart could be read (counted by `status` and `/metrics`).
    readable: bool = Field(default=True, index=True)
    #: `calls.reader.READER_VERSION` of the reader that made the row.
    reader: int
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time(nullable=False))
