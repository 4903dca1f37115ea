"""The JSON API under ``/api``: search, one item, statistics, the rules and what they match.

Parameters mirror `kremlin-watch search` (days are Moscow calendar days, both ends inclusive), so
what works on the command line works here. Every bad parameter is a 422 with a message a person can
read, a bad query included: the query's own syntax error, with its column, not a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import AfterValidator, BaseModel, Field

from archive.vocabulary import ITEM_ID_MAX, KINDS, LANGS, kind_problem, lang_problem, period_problem
from calls.filters import CallFilterError, call_filter
from calls.ledger import load_calls
from search.engine import SearchError, search
from search.request import SearchRequest
from search.show import item_history, item_versions
from search.stats import STATS_BY, counts
from web.calls_page import english_version
from web.context import WebContext, get_context
from web.rules import RulesUnavailable, configured_rules, rule_json, rule_matches

#: How many recent matches `/api/rules` shows per rule.
RULE_MATCHES = 10


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    """A validator that refuses what ``problem`` finds wrong, in the words the command line uses."""

    def check(value: str) -> str:
        found = problem(value)
        if found is not None:
            raise ValueError(found)
        return value

    return check


# The archive's own checks (`archive.vocabulary`), shared with the command line; the schema still
# offers exactly the archive's words.
Kind = Annotated[str, AfterValidator(_checked(kind_problem)), Field(json_schema_extra={"enum": list(KINDS)})]
Lang = Annotated[str, AfterValidator(_checked(lang_problem)), Field(json_schema_extra={"enum": list(LANGS)})]
StatsBy = Literal[STATS_BY]  # type: ignore[valid-type]

router = APIRouter(prefix="/api", tags=["api"])


class ErrorOut(BaseModel):
    """An error: one readable line."""

    detail: str


class ItemsOut(BaseModel):
    """A page of search hits: item objects with ``snippets`` and ``score``; ``total`` counts all."""

    total: int
    items: list[dict[str, Any]]


class CallsOut(BaseModel):
    """A page of the call ledger, newest first, one call per item with ``en_title`` and ``en_url`` of
    its English version; ``total`` counts every call that passes the filters."""

    total: int
    calls: list[dict[str, Any]]


class StatOut(BaseModel):
    """One group of the statistics and how many items fall in it."""

    key: str
    count: int


class RuleOut(BaseModel):
    """A rule of the rules file with its newest matches (item objects, newest first)."""

    name: str
    query: str
    description: str
    kinds: list[str]
    langs: list[str]
    sections: list[str]
    notify: list[str]
    enabled: bool
    total: int = Field(description="how many archived items the rule matches")
    matches: list[dict[str, Any]]


def check_days(since: date | None, until: date | None) -> None:
    """A 422 for a range that ends before it starts (`archive.vocabulary.period_problem`)."""
    problem = period_problem(since, until)
    if problem is not None:
        raise HTTPException(422, problem)


def search_request(
    q: Annotated[str, Query(max_length=1000, description="the rules' query language; empty lists all")] = "",
    since: Annotated[date | None, Query(description="first Moscow day, YYYY-MM-DD (inclusive)")] = None,
    until: Annotated[date | None, Query(description="last Moscow day, YYYY-MM-DD (inclusive)")] = None,
    kind: Kind | None = None,
    lang: Lang | None = None,
    person: Annotated[str | None, Query(max_length=200, description="substring of a person tag")] = None,
    topic: Annotated[str | None, Query(max_length=200, description="substring of a topic tag")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    sort: Literal["date", "relevance"] = "date",
) -> SearchRequest:
    """FastAPI dependency: the query parameters as a `SearchRequest`."""
    check_days(since, until)
    return SearchRequest(
        query=q.strip(),
        since=since,
        until=until,
        kind=kind,
        lang=lang,
        person=person or None,
        topic=topic or None,
        limit=limit,
        offset=offset,
        sort=sort,
    )


def query_error(error: ValueError) -> HTTPException:
    """A bad query as a 422 whose detail starts with ``query:``."""
    message = str(error)
    return HTTPException(422, message if message.startswith("query") else f"query: {message}")


@router.get("/items", response_model=ItemsOut, responses={422: {"model": ErrorOut}})
def list_items(
    request: Annotated[SearchRequest, Depends(search_request)],
    context: Annotated[WebContext, Depends(get_context)],
) -> dict[str, Any]:
    """Search the archive, or list it newest first when ``q`` is empty."""
    try:
        result = search(context.engine, request, context.lemmatizer)
    except SearchError as error:
        raise query_error(error) from None
    return {"total": result.total, "items": [hit.to_json() for hit in result.hits]}


@router.get("/items/{item_id}", responses={404: {"model": ErrorOut}})
def get_item(
    item_id: Annotated[int, Path(ge=0, le=ITEM_ID_MAX, description="the site's numeric id")],
    context: Annotated[WebContext, Depends(get_context)],
    lang: Annotated[Lang | None, Query(description="the version to put first (default: ru if held)")] = None,
) -> dict[str, Any]:
    """One item: the object of its primary version (Russian when held, else the one there is; or the
    ``lang`` asked for) with its earlier versions (``revisions``), and ``versions``: every language
    version's object with its own revisions, Russian first.

    A client that wants "the item" reads the top level, as before the archive kept both languages; a
    client that wants both reads ``versions``.
    """
    found = item_versions(context.engine, item_id)
    if found is None:
        raise HTTPException(404, f"no item {item_id} in the archive")
    versions = found["versions"]
    chosen = versions[0] if lang is None else next((v for v in versions if v["lang"] == lang), None)
    if chosen is None:
        raise HTTPException(404, f"no {lang} version of item {item_id} in the archive")
    return {**chosen, "versions": versions}


@router.get("/items/{item_id}/revisions", responses={404: {"model": ErrorOut}})
def get_revisions(
    item_id: Annotated[int, Path(ge=0, le=ITEM_ID_MAX, description="the site's numeric id")],
    context: Annotated[WebContext, Depends(get_context)],
) -> dict[str, Any]:
    """Every version of the item, per language version (Russian first): ``versions`` is a list of
    ``{lang, url, kind, title, version, withdrawn_at, history}``, and ``history`` every version from
    the first, each ``{version, title, seen_at, site_updated_at, replaced_at, cosmetic, changes}``:
    when the archive first held it, when the site says it changed, when the next version replaced
    it, whether the edit that made it was typography only, and that edit as the structured diff
    (``{summary, cosmetic, fields: [{field, summary, before, after, cosmetic, sentences: [{op,
    before, after, segments: [{op, text}]}], removed_entries, added_entries}]}``; null for version
    1). Times are ISO 8601 in UTC."""
    found = item_history(context.engine, item_id)
    if found is None:
        raise HTTPException(404, f"no item {item_id} in the archive")
    return found


@router.get("/calls", response_model=CallsOut, responses={422: {"model": ErrorOut}})
def list_calls(
    context: Annotated[WebContext, Depends(get_context)],
    country: Annotated[str, Query(max_length=20, description="ISO 3166 alpha-2 (or EU, RU)")] = "",
    counterpart: Annotated[str, Query(max_length=200, description="a name, any form or language")] = "",
    initiated_by: Annotated[
        str, Query(max_length=20, description="a country code, foreign (the other side) or russia")
    ] = "",
    since: Annotated[date | None, Query(description="first Moscow day, YYYY-MM-DD (inclusive)")] = None,
    until: Annotated[date | None, Query(description="last Moscow day, YYYY-MM-DD (inclusive)")] = None,
    lang: Lang | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """The phone calls that pass every given filter, newest first, with their call records: one per
    item, its Russian version (or the one there is; the English one with ``lang=en``), with
    ``en_title`` and ``en_url`` of its English version (null while the archive has none)."""
    try:
        wanted = call_filter(country, counterpart, initiated_by, since, until, lang or "")
    except CallFilterError as error:
        raise HTTPException(422, str(error)) from None
    calls = load_calls(context.engine, wanted, context.lemmatizer)
    shown = calls[offset : offset + limit]
    return {"total": len(calls), "calls": [{**call.to_json(), **english_version(call)} for call in shown]}


@router.get("/stats", response_model=list[StatOut], responses={422: {"model": ErrorOut}})
def get_stats(
    context: Annotated[WebContext, Depends(get_context)],
    by: StatsBy = "month",
    since: Annotated[date | None, Query(description="first Moscow day, YYYY-MM-DD (inclusive)")] = None,
    until: Annotated[date | None, Query(description="last Moscow day, YYYY-MM-DD (inclusive)")] = None,
) -> list[dict[str, Any]]:
    """How many items per month, kind, person or country."""
    check_days(since, until)
    rows = counts(context.engine, by, since, until)
    return [{"key": key, "count": count} for key, count in rows]


@router.get("/rules", response_model=list[RuleOut], responses={503: {"model": ErrorOut}})
def list_rules(context: Annotated[WebContext, Depends(get_context)]) -> list[dict[str, Any]]:
    """Each rule of the configured rules file with its newest matches; [] when none is configured."""
    try:
        rules = configured_rules(context.rules)
    except RulesUnavailable as error:
        raise HTTPException(503, f"rules file: {error}") from None
    answer = []
    for rule in rules:
        try:
            found = rule_matches(context.engine, rule, RULE_MATCHES, context.lemmatizer)
        except SearchError as error:  # a rule the loader accepted but search refuses
            raise HTTPException(503, f"rule {rule.name!r}: {error}") from None
        answer.append({**rule_json(rule), "total": found.total, "matches": [h.to_json() for h in found.hits]})
    return answer
