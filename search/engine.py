"""Searching the archive: the index narrows, the rules' exact matcher decides.

`search` never writes (the web server calls it read-only), so it must be right even when the index
lags behind the archive: candidates are the index's answer for versions whose index row is current,
plus every version without a current row; each candidate the index cannot vouch for is checked with
the query compiled once (`query.evaluate`) — the very matcher the alert rules use, so a search
finds exactly what a rule with the same query would fire on.

What a search finds are item *versions* (one ``(id, lang)`` row each): an item is found by the words
of either language, and when its Russian and English versions both match, both are hits, each with
its own language, url and snippets. ``lang`` narrows to one language.

How much matching a search costs depends on the query (see `search.plan`):

* an *exact* query (words, prefixes, phrases, hyphenated words, ``title:``, AND/OR/NOT of them): the
  index answer is the match set, so ``total`` is the number of candidates, and only the items on
  the requested page (plus the few not yet indexed, and PostgreSQL's capped rows under a phrase) are
  matched, for their highlights. With ``sort="date"`` the page is the newest candidates; with
  ``sort="relevance"`` the best by the database's ranking (FTS5 bm25(), ts_rank_cd; the title weighs
  `search.terms.TITLE_WEIGHT`), the versions not yet indexed after them;
* an inexact query (other field scopes, call scopes, a phrase with a prefix, NOT of those): every
  candidate is matched, in date order (or the database's ranking) and in batches, because ``total``
  must count true matches only; only the fields the query names are loaded and analysed. A
  relevance search the database cannot rank (a prefix in it, on SQLite) is ordered by the scores.

The call scopes (``country:FR``, ``counterpart:Макрон``, ``initiated_by:foreign``) are decided by the
matcher from the stored call records (the ``call`` table: `search.candidates.call_values`); the
index cannot narrow them, so such a query checks every candidate the rest of it leaves.

A hit's score: one point per matched word occurrence, three in the title (the same on both
databases; the order of a relevance search is the database's ranking, not this score).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from archive.export import VersionKey, item_object, load_items
from archive.vocabulary import lang_problem, period_problem
from calls.codes import parse_call_query
from query.document import CALL_FIELDS, FIELDS, IndexedDocument
from query.evaluate import CompiledQuery, Match, compile_query
from query.morphology import Lemmatizer
from query.snippets import snippets
from query.syntax import QuerySyntaxError
from search.candidates import Candidate, IndexPart, call_values, decoded, lagging, load_fields
from search.coverage import Coverage, read_coverage
from search.plan import plan_query
from search.request import SORTS, SearchHit, SearchRequest, SearchResult
from search.terms import TITLE_WEIGHT

#: Matches from which ranking them is spread over the database's parallel workers (PostgreSQL:
#: ts_rank_cd reads every match's positions; measured on two cores over 31,732 matches, 284 → 221–238
#: ms). Below it, starting workers would cost more than they save.
SPREAD_RANKING = 5_000


class SearchError(ValueError):
    """A search that cannot be run as asked (a query that does not parse, a bad sort or page);
    the message is one line for people."""


def search(engine: Engine, request: SearchRequest, lemmatizer: Lemmatizer | None = None) -> SearchResult:
    """Run ``request`` against the archive (read-only); see the module docstring.

    Pass a long-lived ``lemmatizer`` when searching repeatedly: creating one loads pymorphy3's
    dictionaries, and its cache is what makes matching fast.
    """
    return prepare(request, lemmatizer if lemmatizer is not None else Lemmatizer()).run(engine)


class PreparedSearch:
    """A checked request with its query parsed and compiled once, ready to run against an archive.

    A caller that must reject a bad request before touching the archive (the command line, which
    brings the index up to date first) prepares it, then runs it."""

    __slots__ = ("compiled", "request")

    def __init__(self, request: SearchRequest, compiled: CompiledQuery | None) -> None:
        self.request = request
        #: None for an empty query: a listing of the filtered items.
        self.compiled = compiled

    def run(self, engine: Engine) -> SearchResult:
        """The page of results (read-only)."""
        coverage = read_coverage(engine)
        if self.compiled is None:
            return _listing(engine, self.request, coverage)
        return _run(engine, self.request, self.compiled, coverage)


def prepare(request: SearchRequest, lemmatizer: Lemmatizer) -> PreparedSearch:
    """Check ``request`` and compile its query; `SearchError` says what is wrong with it."""
    _validate(request)
    if not request.query.strip():
        return PreparedSearch(request, None)
    try:
        query = parse_call_query(request.query)
    except QuerySyntaxError as error:
        raise SearchError(f"query: {error.message}") from None
    return PreparedSearch(request, compile_query(query, lemmatizer))


def _run(engine: Engine, request: SearchRequest, compiled: CompiledQuery, coverage: Coverage) -> SearchResult:
    plan = plan_query(compiled)
    matcher = _Matcher(engine, compiled, plan.fields)
    index = IndexPart(engine, request, plan.expr, coverage) if coverage.usable else None
    lag = lagging(engine, request, coverage, known=False)
    wanted = request.offset + request.limit
    exact = plan.exact and (index is None or index.exact)
    unsure = index.uncertain() if index is not None else []
    if exact and (request.sort == "date" or (index is not None and index.rankable)):
        # The index's answer is the match set: count it, take the page's worth (newest, or best by
        # the engine's ranking), match only the page, the uncovered items and the few the index
        # cannot decide (PostgreSQL's capped rows under a positional query).
        extra = matcher.matching(_merge(unsure, lag))
        total = len(extra) + (index.count() if index is not None else 0)
        if request.sort == "date":
            newest = index.newest(wanted, known=True) if index is not None else []
            matches = _merge(newest, extra)[:wanted]
        else:
            assert index is not None
            # Unranked ones (not indexed, or capped) come after the ranked, newest first.
            spread = total >= SPREAD_RANKING
            matches = (index.ranked(wanted, known=True, spread=spread) + extra)[:wanted]
    elif request.sort == "relevance" and index is not None and index.rankable:
        # Every candidate in the engine's order, each matched (the total counts true matches).
        matches = matcher.matching(index.ranked(None, known=False) + _merge(unsure, lag))
        total = len(matches)
    else:
        found = _merge(index.all(known=exact) if index is not None else [], unsure, lag)
        if request.sort == "relevance":
            scores = matcher.scores(found)
            matches = sorted(
                (candidate for candidate in found if candidate.version in scores),
                key=lambda candidate: (scores[candidate.version], candidate.key),
                reverse=True,
            )
        else:
            matches = matcher.matching(found)
        total = len(matches)
    page = [candidate.version for candidate in matches[request.offset : wanted]]
    return SearchResult(matcher.hits(page), total, request)


def candidate_versions(engine: Engine, compiled: CompiledQuery) -> set[VersionKey] | None:
    """The item versions ``compiled`` can match by the index: its answer for the versions it covers
    (a superset where the query is not exact), every version it does not cover, and PostgreSQL's
    capped rows under a phrase; None when the index cannot narrow (no index query, or the index not
    usable). `kremlin-watch rules test` matches only these with the rules' matcher, so it runs over
    the archive through the same index a search does."""
    plan = plan_query(compiled)
    coverage = read_coverage(engine)
    if plan.expr is None or not coverage.usable:
        return None
    index = IndexPart(engine, SearchRequest(), plan.expr, coverage)
    found = {candidate.version for candidate in index.all(known=False)}
    found.update(candidate.version for candidate in index.uncertain())
    found.update(coverage.lagging)
    return found


def _merge(*parts: list[Candidate]) -> list[Candidate]:
    """Candidates of several parts, newest first."""
    merged = [candidate for part in parts for candidate in part]
    merged.sort(key=lambda candidate: candidate.key, reverse=True)
    return merged


def _validate(request: SearchRequest) -> None:
    if request.sort not in SORTS:
        raise SearchError(f"sort: expected one of {', '.join(SORTS)}, got {request.sort!r}")
    if request.limit < 0 or request.offset < 0:
        raise SearchError("limit and offset must not be negative")
    if request.lang is not None:
        problem = lang_problem(request.lang)
        if problem is not None:
            raise SearchError(f"lang: {problem}")
    problem = period_problem(request.since, request.until)
    if problem is not None:
        raise SearchError(problem)


def _listing(engine: Engine, request: SearchRequest, coverage: Coverage) -> SearchResult:
    """An empty query: the filtered versions, newest first, no highlights."""
    index = IndexPart(engine, request, None, coverage) if coverage.usable else None
    lag = lagging(engine, request, coverage, known=True)
    wanted = request.offset + request.limit
    total = len(lag) + (index.count() if index is not None else 0)
    newest = _merge(index.newest(wanted, known=True) if index is not None else [], lag)
    keys = [candidate.version for candidate in newest[request.offset : wanted]]
    items = load_items(engine, keys)
    return SearchResult([SearchHit(item_object(items[key])) for key in keys if key in items], total, request)


def score(match: Match) -> float:
    """One point per matched word occurrence, `TITLE_WEIGHT` in the title."""
    return float(sum(TITLE_WEIGHT if hit.field == "title" else 1 for hit in match.hits))


class _Matcher:
    """The exact check of candidates, loading only the fields the query needs."""

    def __init__(self, engine: Engine, compiled: CompiledQuery, fields: Sequence[str]) -> None:
        self.engine = engine
        self.compiled = compiled
        self.fields = tuple(fields) or FIELDS

    def _document(self, values: dict[str, Any]) -> IndexedDocument:
        return IndexedDocument.from_fields(values, self.compiled.lemmatizer)

    def matching(self, found: Sequence[Candidate]) -> list[Candidate]:
        """The candidates that match, in the order given (known ones are not matched again)."""
        unknown = [candidate.version for candidate in found if not candidate.known]
        matched = {
            key
            for key, values in load_fields(self.engine, unknown, self.fields)
            if self.compiled.holds(values)
        }
        return [candidate for candidate in found if candidate.known or candidate.version in matched]

    def scores(self, found: Sequence[Candidate]) -> dict[VersionKey, float]:
        """Score of every candidate that matches, by version."""
        result: dict[VersionKey, float] = {}
        keys = [candidate.version for candidate in found]
        for key, values in load_fields(self.engine, keys, self.fields):
            match = self.compiled.match(self._document(decoded(values)))
            if match is not None:
                result[key] = score(match)
        return result

    def hits(self, keys: Sequence[VersionKey]) -> list[SearchHit]:
        """The page: versions in the given order, with highlights and scores.

        A version that no longer matches (edited since its candidates were read) is left out.
        """
        items = load_items(self.engine, keys)
        calls = call_values(self.engine, keys) if any(name in CALL_FIELDS for name in self.fields) else {}
        hits: list[SearchHit] = []
        for key in keys:
            item = items.get(key)
            if item is None:
                continue
            values = {name: getattr(item, name) for name in self.fields if name not in CALL_FIELDS}
            values.update(calls.get(key, {}))
            doc = self._document(values)
            match = self.compiled.match(doc)
            if match is None:
                continue
            hits.append(SearchHit(item_object(item), snippets(match, doc), score(match)))
        return hits
