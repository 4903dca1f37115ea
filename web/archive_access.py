"""The one place the web side calls the `search` package.

The search engine, the item-with-revisions reader and the statistics are written separately; keeping
every call to them here means a change in their signatures is a one-line fix, and the rest of `web`
depends only on the small functions below.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine

from alerts.morphology import Lemmatizer
from search.engine import SearchError
from search.engine import search as _search
from search.request import SearchRequest, SearchResult
from search.show import item_with_revisions as _item_with_revisions
from search.stats import counts as _counts

__all__ = ["SearchError", "item_with_revisions", "search", "stats"]


def search(engine: Engine, request: SearchRequest, lemmatizer: Lemmatizer | None) -> SearchResult:
    """One page of hits; raises `SearchError` (a ValueError, readable message) for a bad query."""
    return _search(engine, request, lemmatizer=lemmatizer)


def item_with_revisions(engine: Engine, item_id: int) -> dict[str, Any] | None:
    """The item object with a ``revisions`` list, or None when the archive does not hold it."""
    return _item_with_revisions(engine, item_id)


def stats(engine: Engine, by: str, since: date | None, until: date | None) -> list[tuple[str, int]]:
    """(key, count) pairs of items grouped ``by`` month, kind, person or country."""
    return _counts(engine, by, since, until)
