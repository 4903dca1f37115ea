"""Which item versions a search must consider: the index's answer, and the versions the index does
not cover. A candidate is one language version, ``(id, lang)``: the Russian and the English version of
an item are matched each on its own words, and both are hits when both match.

Both parts apply the request's filters, with the same meaning:

* since / until: Moscow calendar days, both inclusive, by publication time to the second (the
  index compares sort keys, `search.terms.sort_key`; undated items never pass a date filter);
* kind, lang: equal (the version's own kind and language);
* person, topic: a case-insensitive substring of one list entry (ё = е). The index keeps the
  entries folded in Python, one per line, and the database only looks for a plain substring
  (``instr`` / ``strpos``): SQLite's ``lower`` folds only ASCII and PostgreSQL's depends on the
  server's locale, so neither is asked to fold «Макрон».

The index part (`IndexPart`) never reads ``item``: SQLite's FTS5 table has the sort key as rowid and
kind and language as columns, so a count is one full-text lookup and the newest matches come out of
it in order (``ORDER BY rowid DESC LIMIT``), however many there are. On PostgreSQL the same query
runs on ``item_search`` with the GIN indexes. Rows of uncovered versions (`Coverage.lagging`) are
left out (by ``(id, lang)``, whatever sort key their old row has): their old content must not count.
A sort key names its version (`search.terms.key_version`), so the index part never reads more.

The call scopes (``country:FR``, ``counterpart:Макрон``, ``initiated_by:foreign``) are answered from
the ``call`` table, the stored call records (`call_values`): each version by its own record (the one
its language's reader made); a version without a call row has none.

Every query runs in its own short transaction: on SQLite the archive's engine takes the write lock
at BEGIN, and a crawler waiting for it should wait for one statement, not a whole search.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Text,
    and_,
    cast,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from archive.backends import backend_for
from archive.export import VersionKey, published_within
from archive.models import CallEntry
from archive.vocabulary import moscow_day_start
from query.document import CALL_FIELDS, LIST_FIELDS, call_fields
from query.words import fold
from search.coverage import SEARCH, Coverage
from search.index import ITEM, versions_in
from search.plan import AllOf, AnyLemma, AnyOf, Expr, Prefix, fts5, has_prefix, tsquery
from search.request import SearchRequest
from search.terms import FIRST_DATED, first_key, key_version, sort_key

#: Ids or keys per ``IN (...)`` list.
CHUNK = 500
#: Kinds and languages are FTS5 columns (facets) when they are plain words like these.
_FACET = re.compile(r"[a-z0-9]{1,64}")
#: Up to this many matches, PostgreSQL sorts them all rather than walk the sort key (see `newest`).
_FEW = 10_000
_FTS = table("item_search_fts", column("rowid"))
_DOCUMENT = literal_column("item_search.document")
_SPELLINGS = literal_column("item_search.spellings")
_CALL = CallEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item version to consider, with its sort key; ``known`` when it matches without being
    matched (the index's answer to an exact query, or any version for an empty query)."""

    key: int
    id: int
    lang: str
    known: bool

    @property
    def version(self) -> VersionKey:
        """``(id, lang)``: what `archive.export.load_items` and `load_fields` take."""
        return self.id, self.lang

    @classmethod
    def of_key(cls, key: int, known: bool) -> Candidate:
        """The candidate a sort key names."""
        item_id, lang = key_version(key)
        return cls(key, item_id, lang, known)


def key_range(request: SearchRequest) -> tuple[int | None, int | None]:
    """Sort-key bounds ``[low, high)`` for the request's days (None: open)."""
    low = high = None
    if request.since is not None:
        low = first_key(moscow_day_start(request.since))
    if request.until is not None:
        high = first_key(moscow_day_start(request.until + timedelta(days=1)))
        low = low if low is not None else FIRST_DATED  # undated items never pass a date filter
    return low, high


def _needle(value: str | None) -> str:
    return fold(value.strip()).replace("\n", " ") if value else ""


def entry_matches(entries: Iterable[str] | None, needle: str | None) -> bool:
    """True when some entry contains ``needle``, ignoring case and ё/е (empty needle: True)."""
    wanted = _needle(needle)
    return not wanted or any(wanted in fold(entry) for entry in entries or ())


class IndexPart:
    """The covered versions a request selects: the index query ``expr`` (None: every covered
    version) and the filters, minus the uncovered versions' rows."""

    def __init__(self, engine: Engine, request: SearchRequest, expr: Expr | None, coverage: Coverage) -> None:
        self.engine = engine
        self.request = request
        self.expr = expr
        self.lagging = sorted(coverage.lagging)
        self.backend = backend_for(engine)
        self.full_text = _FULL_TEXT[self.backend.full_text]
        self.low, self.high = key_range(request)
        #: The answer of `count`, once asked: `newest` picks its plan by it on PostgreSQL.
        self.counted: int | None = None

    # --- the statement -----------------------------------------------------------------------

    def _select(self, count: bool) -> tuple[Select[Any], ColumnElement[Any]]:
        """``SELECT count(*)`` or ``SELECT <sort key>`` with every condition, and the key column."""
        source, key, conditions = self.full_text.source(self)
        statement = select(func.count() if count else key).select_from(source)
        return statement.where(*conditions, *self._range(key)), key

    def list_filters(self) -> list[ColumnElement[bool]]:
        """The person and topic filters (a plain substring of the folded entries: see above)."""
        found = []
        for name in ("person", "topic"):
            wanted = _needle(getattr(self.request, name))
            if wanted:
                found.append(self.backend.position(SEARCH.c[name + "s"], wanted) > 0)
        return found

    def _range(self, key: ColumnElement[Any]) -> list[ColumnElement[bool]]:
        bounds = []
        if self.low is not None:
            bounds.append(key >= self.low)
        if self.high is not None:
            bounds.append(key < self.high)
        return bounds

    # --- the answers -------------------------------------------------------------------------

    def count(self) -> int:
        """How many covered versions the request selects (remembered in ``counted``)."""
        statement, key = self._select(count=True)
        with self.engine.connect() as connection:
            self._prefer_index(connection)
            total = int(connection.execute(statement).scalar_one())
            for chunk in _chunks(self.lagging):
                # The rows the lagging versions have now, by their sort keys: FTS5 looks rowids up
                # quickly, but re-runs its query per row when joined from the other side.
                uncovered = versions_in(SEARCH.c.item_id, SEARCH.c.lang, chunk)
                keys = select(SEARCH.c.sort_key).where(uncovered).scalar_subquery()
                total -= int(connection.execute(statement.where(key.in_(keys))).scalar_one())
        self.counted = total
        return total

    def newest(self, count: int, known: bool) -> list[Candidate]:
        """The ``count`` newest covered versions the request selects."""
        if count <= 0:
            return []
        statement, key = self._select(count=False)
        statement = self.full_text.newest(self, statement, key, count + len(self.lagging))
        return self._candidates(statement, known)[:count]

    def all(self, known: bool) -> list[Candidate]:
        """Every covered version the request selects, newest first."""
        statement, key = self._select(count=False)
        return self._candidates(statement.order_by(key.desc()), known)

    def _prefer_index(self, connection: Connection) -> None:
        """Where the planner needs telling (PostgreSQL), rule out a sequential scan for this
        transaction when there is an index query: for a common word the planner prefers reading
        every row and testing every tsvector (about 4 µs a row), while the GIN bitmap answers a
        count of 80,000 matches in a quarter of the time."""
        if self.expr is not None:
            self.backend.prefer_index_scans(connection)

    def _candidates(self, statement: Select[Any], known: bool) -> list[Candidate]:
        with self.engine.connect() as connection:
            self._prefer_index(connection)
            keys = connection.execute(statement).scalars().all()
            # Left out by the keys their rows have now: a row another analyser made may even have
            # a sort key of another layout, which `Candidate.of_key` would misread.
            stale = set()
            for chunk in _chunks(self.lagging):
                uncovered = versions_in(SEARCH.c.item_id, SEARCH.c.lang, chunk)
                stale.update(connection.execute(select(SEARCH.c.sort_key).where(uncovered)).scalars())
        return [Candidate.of_key(key, known) for key in keys if key not in stale]


class _FullText:
    """How an `IndexPart` asks one kind of full-text index (`archive.backends.Backend.full_text`)."""

    def source(self, part: IndexPart) -> tuple[Any, ColumnElement[Any], list[ColumnElement[bool]]]:
        """What to select from, the sort-key column, and the request's conditions."""
        raise NotImplementedError

    def newest(
        self, part: IndexPart, statement: Select[Any], key: ColumnElement[Any], wanted: int
    ) -> Select[Any]:
        """``statement`` limited to the ``wanted`` newest keys."""
        return statement.order_by(key.desc()).limit(wanted)


class _Fts5(_FullText):
    """SQLite: an FTS5 table whose rowid is the sort key and whose columns include kind and language."""

    def source(self, part: IndexPart) -> tuple[Any, ColumnElement[Any], list[ColumnElement[bool]]]:
        """FTS5 does the work when there is a query or a kind / language facet; ``item_search`` is
        joined only for what FTS5 does not hold (person, topic, an unusual kind)."""
        match: list[str] = [fts5(part.expr)] if part.expr is not None else []
        joined: list[ColumnElement[bool]] = []
        for name in ("kind", "lang"):
            value = getattr(part.request, name)
            if value and _FACET.fullmatch(value):
                match.append(f'{{{name}}} : "{value}"')
            elif value:
                joined.append(SEARCH.c[name] == value)
        joined += part.list_filters()
        if not match:
            return SEARCH, SEARCH.c.sort_key, joined
        key = _FTS.c.rowid
        condition = text("item_search_fts MATCH :match").bindparams(
            match=" AND ".join(f"({m})" for m in match)
        )
        source = _FTS.join(SEARCH, SEARCH.c.sort_key == key) if joined else _FTS
        return source, key, [condition, *joined]


class _Tsvector(_FullText):
    """PostgreSQL: generated tsvector columns of ``item_search`` with GIN indexes."""

    def source(self, part: IndexPart) -> tuple[Any, ColumnElement[Any], list[ColumnElement[bool]]]:
        conditions: list[ColumnElement[bool]] = [] if part.expr is None else [_postgres(part.expr)]
        for name in ("kind", "lang"):
            value = getattr(part.request, name)
            if value:
                conditions.append(SEARCH.c[name] == value)
        return SEARCH, SEARCH.c.sort_key, conditions + part.list_filters()

    def newest(
        self, part: IndexPart, statement: Select[Any], key: ColumnElement[Any], wanted: int
    ) -> Select[Any]:
        if part.expr is None or part.counted is None or part.counted > _FEW:
            return super().newest(part, statement, key, wanted)
        # Few matches: PostgreSQL would walk the sort-key index backwards, testing row after
        # row, while fetching the matches from the GIN index and sorting them is quicker.
        # OFFSET 0 keeps the planner from merging the subquery (and the ORDER BY) back in.
        fenced = statement.offset(0).subquery()
        return select(fenced.c.sort_key).order_by(fenced.c.sort_key.desc()).limit(wanted)


#: One strategy per kind of full-text index, chosen by the archive's backend.
_FULL_TEXT: dict[str, _FullText] = {"fts5": _Fts5(), "tsvector": _Tsvector()}


def _postgres(expr: Expr) -> ColumnElement[bool]:
    """SQL for an index expression on PostgreSQL: lemmas are in ``document``; a prefix may begin a
    lemma or a spelling (``spellings``), so subtrees with prefixes become SQL AND / OR."""
    if not has_prefix(expr):
        return _DOCUMENT.op("@@")(cast(literal(tsquery(expr)), TSQUERY))
    if isinstance(expr, Prefix):
        query = cast(literal(tsquery(expr)), TSQUERY)
        return or_(_DOCUMENT.op("@@")(query), _SPELLINGS.op("@@")(query))
    if isinstance(expr, AnyLemma):  # pragma: no cover - has_prefix is False for it
        raise AssertionError(expr)
    if isinstance(expr, AllOf):
        parts = [_postgres(child) for child in expr.positives]
        parts += [not_(_postgres(child)) for child in expr.negatives]
        return and_(*parts)
    assert isinstance(expr, AnyOf)
    return or_(*(_postgres(child) for child in expr.children))


def lagging(engine: Engine, request: SearchRequest, coverage: Coverage, known: bool) -> list[Candidate]:
    """The uncovered versions the request's filters select, read from ``item`` (every version when
    the index is not usable), newest first."""
    columns = [ITEM.c.id, ITEM.c.lang, ITEM.c.published_at, ITEM.c.persons, ITEM.c.topics]
    conditions = _item_filters(request)
    rows: list[Any] = []
    with engine.connect() as connection:
        if not coverage.usable:
            rows = list(connection.execute(select(*columns).where(*conditions)))
        else:
            for chunk in _chunks(sorted(coverage.lagging)):
                uncovered = versions_in(ITEM.c.id, ITEM.c.lang, chunk)
                rows += connection.execute(select(*columns).where(uncovered, *conditions)).all()
    found = [
        Candidate(sort_key(row.published_at, row.id, row.lang), row.id, row.lang, known)
        for row in rows
        if entry_matches(row.persons, request.person) and entry_matches(row.topics, request.topic)
    ]
    found.sort(key=lambda candidate: candidate.key, reverse=True)
    return found


def _item_filters(request: SearchRequest) -> list[ColumnElement[bool]]:
    conditions = published_within(ITEM.c.published_at, request.since, request.until)
    if request.kind:
        conditions.append(ITEM.c.kind == request.kind)
    if request.lang:
        conditions.append(ITEM.c.lang == request.lang)
    return conditions


def load_fields(
    engine: Engine, keys: Sequence[VersionKey], fields: Sequence[str]
) -> Iterator[tuple[VersionKey, dict[str, Any]]]:
    """((id, lang), {field: value}) for the given versions, read in chunks, in the order given. List
    fields come as their JSON text (decoded only if a term looks at them: see
    `query.document.LazyDocument`); call fields (`query.document.CALL_FIELDS`) as lists, from the
    version's own ``call`` row."""
    item_fields = [name for name in fields if name not in CALL_FIELDS]
    call_wanted = [name for name in fields if name in CALL_FIELDS]
    columns = [
        ITEM.c.id,
        ITEM.c.lang,
        *(cast(ITEM.c[name], Text) if name in LIST_FIELDS else ITEM.c[name] for name in item_fields),
    ]
    for chunk in _chunks(keys):
        wanted = versions_in(ITEM.c.id, ITEM.c.lang, chunk)
        with engine.connect() as connection:
            rows = {(row[0], row[1]): row for row in connection.execute(select(*columns).where(wanted))}
        calls = call_values(engine, chunk) if call_wanted else {}
        for key in chunk:
            row = rows.get(key)
            if row is not None:
                values = dict(zip(item_fields, row[2:], strict=True))
                found = calls.get(key, {})
                values.update((name, found.get(name)) for name in call_wanted)
                yield key, values


def call_values(engine: Engine, keys: Sequence[VersionKey]) -> dict[VersionKey, dict[str, list[str]]]:
    """The call fields of those of the given versions that have a call record (their own language's:
    the ``call`` row of that ``(id, lang)``), as `query.document.call_fields` makes them."""
    found: dict[VersionKey, dict[str, list[str]]] = {}
    columns = [_CALL.c.item_id, _CALL.c.lang, _CALL.c.countries, _CALL.c.counterparts, _CALL.c.initiated_by]
    for chunk in _chunks(keys):
        with engine.connect() as connection:
            statement = select(*columns).where(versions_in(_CALL.c.item_id, _CALL.c.lang, chunk))
            for row in connection.execute(statement):
                names = [str(entry.get("name") or "") for entry in row.counterparts or ()]
                found[row.item_id, row.lang] = call_fields(row.countries or (), names, row.initiated_by or ())
    return found


def decoded(values: dict[str, Any]) -> dict[str, Any]:
    """Field values from `load_fields` with the list fields' JSON decoded."""
    return {
        name: json.loads(value) if name in LIST_FIELDS and isinstance(value, str) else value
        for name, value in values.items()
    }


def _chunks(values: Sequence[VersionKey]) -> Iterator[Sequence[VersionKey]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
