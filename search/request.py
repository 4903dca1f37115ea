"""What a search asks and what it gets back: shared by the command line, the web API and the pages.

Dates are Moscow calendar days, both ends inclusive. ``query`` is the rules' query language
(`query.syntax`); an empty query with filters lists items newest first. What comes back are item
versions: the Russian and the English version of an item are separate hits, each with its ``lang``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from query.snippets import Snippet

SORTS = ("date", "relevance")


@dataclass(frozen=True)
class SearchRequest:
    """A search: the query, the filters, the order and the page."""

    query: str = ""
    since: date | None = None
    until: date | None = None
    kind: str | None = None
    #: Only versions in this language ("ru" or "en"; `archive.vocabulary.LANGS`).
    lang: str | None = None
    #: Matches an entry of the item's persons list, case-insensitively, by substring («Макрон»).
    person: str | None = None
    #: Matches an entry of the item's topics list, case-insensitively, by substring.
    topic: str | None = None
    limit: int = 20
    offset: int = 0
    #: "date" (newest first) or "relevance".
    sort: str = "date"


@dataclass
class SearchHit:
    """One found item version: its export object (`archive.export.item_object`, with ``lang`` and the
    version's own ``url``) plus snippets and a score."""

    item: dict[str, Any]
    snippets: list[Snippet] = field(default_factory=list)
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The item object with ``snippets`` (text, field, highlight offsets) and ``score`` added."""
        return {
            **self.item,
            "snippets": [
                {"field": s.field, "text": s.text, "highlights": [list(span) for span in s.highlights]}
                for s in self.snippets
            ],
            "score": self.score,
        }


@dataclass
class SearchResult:
    """A page of hits; ``total`` counts every matching version (not only this page)."""

    hits: list[SearchHit]
    total: int
    request: SearchRequest
