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

The index part (`IndexPart`) never reads ``item``: SQLite's FTS5 tables have the sort key as rowid
and kind and language as columns, so a count is one full-text lookup and the newest matches come out
of it in order (``ORDER BY rowid DESC LIMIT``), however many there are; the best by bm25() come out of
``item_search_pos`` the same way (``ORDER BY bm25(…) LIMIT``). On PostgreSQL the same query runs on
``item_search`` with the GIN indexes (ranked by ts_rank_cd). Rows of uncovered versions
(`Coverage.lagging`) are left out (by ``(id, lang)``, whatever sort key their old row has): their old
content must not count.
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
from archive.models import CallEntry, ItemSearchToken
from archive.vocabulary import moscow_day_start
from query.document import CALL_FIELDS, LIST_FIELDS, call_fields
from query.words import fold
from search.coverage import SEARCH, Coverage
from search.index import ITEM, versions_in
from search.plan import (
    AllOf,
    AnyLemma,
    AnyOf,
    Expr,
    Phrase,
    Prefix,
    TooManyPhrases,
    fts5,
    fts5_positional,
    has_prefix,
    positional,
    relaxed,
    tsquery,
)
from search.request import SearchRequest
from search.terms import FIRST_DATED, JOIN, TITLE_WEIGHT, first_key, key_version, sort_key

#: Ids or keys per ``IN (...)`` list.
CHUNK = 500
#: Kinds and languages are FTS5 columns (facets) when they are plain words like these.
_FACET = re.compile(r"[a-z0-9]{1,64}")
#: Up to this many matches, PostgreSQL sorts them all rather than walk the sort key (see `newest`).
_FEW = 10_000
_DOCUMENT = literal_column("item_search.document")
_SPELLINGS = literal_column("item_search.spellings")
_POSITIONS = literal_column("item_search.vector")
_ADJACENT = literal_column("item_search.pairs")
#: bm25() of ``item_search_pos`` (columns title, body, kind, lang): the title weighs `TITLE_WEIGHT`.
_BM25 = text(f"bm25(item_search_pos, {float(TITLE_WEIGHT)}, 1.0, 0.0, 0.0)")
#: ts_rank_cd's weights, {D, C, B, A}: the title (A) weighs `TITLE_WEIGHT` times the rest (at most 1).
_PG_WEIGHTS = "{%s,%s,%s,1.0}" % ((repr(1 / TITLE_WEIGHT),) * 3)
_CALL = CallEntry.__table__  # type: ignore[attr-defined]
_TOKEN = ItemSearchToken.__table__  # type: ignore[attr-defined]


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
    version) and the filters, minus the uncovered versions' rows.

    ``exact`` is False when this backend had to ask a superset of ``expr`` (a phrase of too many
    alternative tokens on SQLite): the caller then matches every candidate. PostgreSQL's positions
    have limits (`search.terms.PG_MAX_POSITION`): its rows beyond them (``capped``) answer a
    positional query by the words alone, and come from `uncertain`, to be matched one by one.
    """

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
        self.exact = True
        #: The index query for the backend, worked out once (see `_FullText.prepare`).
        self.match: Any = self.full_text.prepare(self)

    # --- the statement -----------------------------------------------------------------------

    def _select(
        self, count: bool, uncertain: bool = False, rank: bool = False
    ) -> tuple[Select[Any], ColumnElement[Any]]:
        """``SELECT count(*)`` or ``SELECT <sort key>`` with every condition, and the key column."""
        source, key, conditions = self.full_text.source(self, uncertain=uncertain, rank=rank)
        statement = select(func.count() if count else key).select_from(source)
        return statement.where(*conditions, *self._range(key)), key

    def list_filters(self, columns: Any = SEARCH.c) -> list[ColumnElement[bool]]:
        """The person and topic filters (a plain substring of the folded entries: see above), on
        ``columns`` (``item_search``'s by default)."""
        found = []
        for name in ("person", "topic"):
            wanted = _needle(getattr(self.request, name))
            if wanted:
                found.append(self.backend.position(columns[name + "s"], wanted) > 0)
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
        """How many covered versions the request selects (remembered in ``counted``); without the
        `uncertain` ones."""
        statement, key = self._select(count=True)
        with self.engine.connect() as connection:
            self._prefer_index(connection, walk=False)
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
        return self._candidates(statement, known, walk=self.full_text.walks(self))[:count]

    def all(self, known: bool) -> list[Candidate]:
        """Every covered version the request selects, newest first."""
        statement, key = self._select(count=False)
        return self._candidates(statement.order_by(key.desc()), known)

    def uncertain(self) -> list[Candidate]:
        """Covered versions the index cannot decide for this query (PostgreSQL's capped rows under
        a positional query), newest first: to be matched."""
        if not self.full_text.has_uncertain(self):
            return []
        statement, key = self._select(count=False, uncertain=True)
        return self._candidates(statement.order_by(key.desc()), known=False)

    @property
    def rankable(self) -> bool:
        """Whether the engine can rank this query's answer (`ranked`)."""
        return self.expr is not None and self.full_text.rankable(self)

    def ranked(self, count: int | None, known: bool, spread: bool = False) -> list[Candidate]:
        """The ``count`` (None: all) best covered versions by the engine's ranking (FTS5 bm25(),
        ts_rank_cd; the title weighs `TITLE_WEIGHT`), newest first among equals; not the
        `uncertain` ones. ``spread``: many matches to rank, worth parallel workers
        (`archive.backends.Backend.spread_over_workers`)."""
        statement, key = self._select(count=False, rank=True)
        statement = statement.order_by(self.full_text.rank(self), key.desc())
        if count is not None:
            statement = statement.limit(count + len(self.lagging))
        found = self._candidates(statement, known, spread=spread)
        return found if count is None else found[:count]

    def _prefer_index(self, connection: Connection, walk: bool) -> None:
        """Where the planner needs telling (PostgreSQL), rule out a sequential scan for this
        transaction when there is an index query: for a common word the planner prefers reading
        every row and testing every tsvector (about 4 µs a row), while the GIN bitmap answers a
        count of 80,000 matches in a quarter of the time. Unless the statement ``walk``s the sort
        key (the newest of many matches), plain index scans are ruled out too: see
        `archive.backends.Backend.prefer_bitmap_scans`."""
        if self.expr is None:
            return
        if walk:
            self.backend.prefer_index_scans(connection)
        else:
            self.backend.prefer_bitmap_scans(connection)

    def _candidates(
        self, statement: Select[Any], known: bool, walk: bool = False, spread: bool = False
    ) -> list[Candidate]:
        with self.engine.connect() as connection:
            self._prefer_index(connection, walk)
            if spread:
                self.backend.spread_over_workers(connection)
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

    def prepare(self, part: IndexPart) -> Any:
        """What `source` needs of the query, worked out once per search."""
        return None

    def source(
        self, part: IndexPart, uncertain: bool = False, rank: bool = False
    ) -> tuple[Any, ColumnElement[Any], list[ColumnElement[bool]]]:
        """What to select from, the sort-key column, and the request's conditions (for ``rank``: in
        the form `rank` can order)."""
        raise NotImplementedError

    def newest(
        self, part: IndexPart, statement: Select[Any], key: ColumnElement[Any], wanted: int
    ) -> Select[Any]:
        """``statement`` limited to the ``wanted`` newest keys."""
        return statement.order_by(key.desc()).limit(wanted)

    def has_uncertain(self, part: IndexPart) -> bool:
        """Whether `IndexPart.uncertain` can find anything."""
        return False

    def walks(self, part: IndexPart) -> bool:
        """Whether `newest` walks the sort key backwards (rather than reading every match)."""
        return True

    def rankable(self, part: IndexPart) -> bool:
        raise NotImplementedError

    def rank(self, part: IndexPart) -> ColumnElement[Any]:
        """The ORDER BY term of the engine's ranking, best first."""
        raise NotImplementedError


class _Fts5Query:
    """SQLite's MATCH texts for a search: ``bag`` for ``item_search_fts`` (words, prefixes), and
    `positions` for ``item_search_pos`` (phrases, the title, a ranking), worked out when first asked
    (it reads ``item_search_token``). A query that asks for positions uses them; one that does not
    uses the bag unless it is to be ranked."""

    def __init__(self, part: IndexPart) -> None:
        self.part = part
        expr = part.expr
        self.needs_positions = expr is not None and positional(expr)
        #: Positions cannot say a prefix (they hold no spellings): such a query is a bag query.
        self.can_rank = expr is not None and not has_prefix(expr)
        self._positions: str | None = None
        self._asked = False
        self.bag: str | None = None
        if expr is not None and not self.needs_positions:
            self.bag = fts5(expr)
        elif expr is not None and self.positions is None:
            self.bag = fts5(relaxed(expr))  # too many phrases: a superset, matched one by one

    @property
    def positions(self) -> str | None:
        """The positional MATCH text (None without a query, or for a phrase of too many tokens)."""
        if not self._asked and self.can_rank:
            self._asked = True
            expr = self.part.expr
            assert expr is not None
            tokens = _compound_tokens(self.part.engine, expr)
            try:
                self._positions = fts5_positional(expr, lambda word: _tokens_of(word, tokens))
            except TooManyPhrases:
                self.can_rank = False
                if self.needs_positions:
                    self.part.exact = False
        return self._positions


def _lemmas_in(expr: Expr) -> set[str]:
    if isinstance(expr, AnyLemma):
        return set(expr.lemmas)
    if isinstance(expr, Phrase):
        return {lemma for word in expr.words for lemma in word}
    if isinstance(expr, Prefix):
        return set()
    children = (*expr.positives, *expr.negatives) if isinstance(expr, AllOf) else expr.children
    return set().union(*(_lemmas_in(child) for child in children))


def _compound_tokens(engine: Engine, expr: Expr) -> dict[str, list[str]]:
    """Lemma → the compound tokens (`search.terms.JOIN`) that hold it, for the lemmas of ``expr``."""
    lemmas = sorted(_lemmas_in(expr))
    found: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for start in range(0, len(lemmas), CHUNK):
            statement = select(_TOKEN.c.lemma, _TOKEN.c.token).where(
                _TOKEN.c.lemma.in_(lemmas[start : start + CHUNK])
            )
            for lemma, token in connection.execute(statement):
                found.setdefault(lemma, []).append(token)
    return found


def _tokens_of(word: tuple[str, ...], compounds: dict[str, list[str]]) -> list[str]:
    """Every token that holds one of ``word``'s lemmas: the lemmas, and the compounds of them."""
    tokens = dict.fromkeys(word)
    for lemma in word:
        tokens.update(dict.fromkeys(sorted(compounds.get(lemma, ()))))
    return list(tokens)


class _Fts5(_FullText):
    """SQLite: FTS5 tables whose rowid is the sort key and whose columns include kind and language:
    ``item_search_fts``, the bag of lemmas and spellings (small, quick for words and prefixes), and
    ``item_search_pos``, a token per position of title and body (phrases, the title, bm25())."""

    def prepare(self, part: IndexPart) -> _Fts5Query:
        return _Fts5Query(part)

    def rankable(self, part: IndexPart) -> bool:
        return part.match.can_rank and part.match.positions is not None

    def rank(self, part: IndexPart) -> ColumnElement[Any]:
        return _BM25  # type: ignore[return-value]  # a text() ORDER BY term

    def source(
        self, part: IndexPart, uncertain: bool = False, rank: bool = False
    ) -> tuple[Any, ColumnElement[Any], list[ColumnElement[bool]]]:
        """FTS5 does the work when there is a query or a kind / language facet; ``item_search`` is
        joined only for what FTS5 does not hold (person, topic, an unusual kind)."""
        query: _Fts5Query = part.match
        use_positions = (rank or query.bag is None) and query.positions is not None
        match: list[str] = []
        if use_positions:
            match.append(query.positions)  # type: ignore[arg-type]  # checked above
        elif query.bag is not None:
            match.append(query.bag)
        facets: dict[str, str] = {}
        for name in ("kind", "lang"):
            value = getattr(part.request, name)
            if value and _FACET.fullmatch(value):
                match.append(f'{{{name}}} : "{value}"')
            elif value:
                facets[name] = value
        if not match:
            joined = [SEARCH.c[name] == value for name, value in facets.items()]
            return SEARCH, SEARCH.c.sort_key, joined + part.list_filters()
        name = "item_search_pos" if use_positions else "item_search_fts"
        key = literal_column(f"{name}.rowid")
        condition = text(f"{name} MATCH :match").bindparams(match=" AND ".join(f"({m})" for m in match))
        if not facets and not part.list_filters():
            return table(name), key, [condition]
        # Joined with ``item_search`` for what FTS5 does not hold (person, topic, an unusual kind):
        # its rows are looked up in ``ix_item_search_lists``, which holds the lists (SQLite would
        # pick the unique index of the sort key and read every wide row: 5× the time). SQLAlchemy
        # cannot say INDEXED BY, so this FROM is text and the columns are named.
        names = ("kind", "lang", "persons", "topics")
        columns = {column: literal_column(f"item_search.{column}") for column in names}
        joined = [columns[name] == value for name, value in facets.items()] + part.list_filters(columns)
        source = text(
            f"{name} JOIN item_search INDEXED BY ix_item_search_lists ON item_search.sort_key = {name}.rowid"
        )
        return source, key, [condition, *joined]


class _Tsvector(_FullText):
    """PostgreSQL: tsvector columns of ``item_search`` with GIN indexes: ``document`` (lemmas) and
    ``spellings`` (forms) generated from the bag of words, ``vector`` (every lemma at its word's
    position, the title weighted A) and ``pairs`` (lemmas of adjacent words) written by the indexer."""

    def source(
        self, part: IndexPart, uncertain: bool = False, rank: bool = False
    ) -> tuple[Any, ColumnElement[Any], list[ColumnElement[bool]]]:
        conditions: list[ColumnElement[bool]] = []
        if part.expr is not None:
            if not positional(part.expr):
                conditions.append(_postgres(part.expr))
            elif uncertain:
                conditions += [SEARCH.c.capped, _postgres(relaxed(part.expr))]
            else:
                conditions += [not_(SEARCH.c.capped), _pg_positional(part.expr)]
        for name in ("kind", "lang"):
            value = getattr(part.request, name)
            if value:
                conditions.append(SEARCH.c[name] == value)
        return SEARCH, SEARCH.c.sort_key, conditions + part.list_filters()

    def has_uncertain(self, part: IndexPart) -> bool:
        return part.expr is not None and positional(part.expr)

    def walks(self, part: IndexPart) -> bool:
        return part.expr is None or part.counted is None or part.counted > _FEW

    def rankable(self, part: IndexPart) -> bool:
        return True

    def rank(self, part: IndexPart) -> ColumnElement[Any]:
        assert part.expr is not None
        weights = literal_column(f"'{_PG_WEIGHTS}'::float4[]")
        return func.ts_rank_cd(weights, _POSITIONS, _tsquery(part.expr)).desc()

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


def _tsquery(expr: Expr) -> ColumnElement[Any]:
    return cast(literal(tsquery(expr)), TSQUERY)


def _pg_positional(expr: Expr) -> ColumnElement[bool]:
    """SQL for an index expression with positions (and no prefix) on PostgreSQL, for rows that are
    not capped. A phrase of two words is a lookup of its lemma pairs in ``pairs`` (the GIN index
    answers it; no row is rechecked); a longer one, or one in the title, is ``<->`` on ``vector``
    with its pairs as a first filter; words are looked up in ``document``."""
    if isinstance(expr, AnyLemma):
        return _DOCUMENT.op("@@")(_tsquery(expr))
    if isinstance(expr, Phrase):
        pairs = [
            "(" + " | ".join(f"'{first}{JOIN}{second}'" for first in left for second in right) + ")"
            for left, right in zip(expr.words, expr.words[1:], strict=False)
        ]
        adjacent = _ADJACENT.op("@@")(cast(literal(" & ".join(pairs)), TSQUERY)) if pairs else None
        if len(expr.words) == 2 and not expr.title:
            assert adjacent is not None
            return adjacent
        phrase = _POSITIONS.op("@@")(_tsquery(expr))
        return phrase if adjacent is None else and_(adjacent, phrase)
    if isinstance(expr, AllOf):
        parts = [_pg_positional(child) for child in expr.positives]
        parts += [not_(_pg_positional(child)) for child in expr.negatives]
        return and_(*parts)
    if isinstance(expr, AnyOf):
        return or_(*(_pg_positional(child) for child in expr.children))
    raise AssertionError(expr)  # pragma: no cover - plan_query relaxes queries with prefixes


def _postgres(expr: Expr) -> ColumnElement[bool]:
    """SQL for an index expression without positions on PostgreSQL: lemmas are in ``document``; a
    prefix may begin a lemma or a spelling (``spellings``), so subtrees with prefixes become SQL
    AND / OR."""
    if not has_prefix(expr):
        return _DOCUMENT.op("@@")(_tsquery(expr))
    if isinstance(expr, Prefix):
        query = _tsquery(expr)
        return or_(_DOCUMENT.op("@@")(query), _SPELLINGS.op("@@")(query))
    if isinstance(expr, AnyLemma | Phrase):  # pragma: no cover - has_prefix is False for them
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
